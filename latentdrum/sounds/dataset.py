"""Sound datasets built from a folder of one-shots, cached on disk.

Every audio file under the folder (WAV, FLAC, OGG, AIFF...) is labelled by ``labels.csv`` when
the folder has one, else by the rule of :mod:`latentdrum.sounds.labelling` (file and folder names
read with their kit, the sound where the name says nothing or disagrees) and prepared by
:func:`latentdrum.sounds.audio.prepare_one_shot` (mono 44.1 kHz, onset-aligned, loudness-normalised,
1 s). Files whose class stays unknown (the sound not sure enough: their best guesses are in the
reason), and silent, empty, corrupt or too short files, are skipped with their reason; the
summary lists the files labelled by their sound and how sure it was. A file's *kit* is the folder
it lies in (relative to the root): evaluation holds out whole kits, never single files of a kit.

The result is cached under ``$LATENTDRUM_CACHE`` (default ``~/.cache/latentdrum``) keyed by the
file list, sizes, modification times and labels, and reused while none changed.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.cache import cache_dir, load_arrays, save_arrays
from latentdrum.errors import AudioError, DatasetError
from latentdrum.sounds import audio as _audio
from latentdrum.sounds.audio import AUDIO_SUFFIXES, MAX_DURATION, SAMPLE_RATE, load_audio, prepare_one_shot
from latentdrum.sounds.classes import CLASSES, normalise_label
from latentdrum.sounds.labelling import RULE_VERSION, NameVerdict, decide, name_verdicts

CACHE_VERSION = 3


@dataclass
class SoundDataset:
    """Prepared one-shots; sound ``i`` came from ``files[i]`` in kit ``kits[kit_index[i]]``."""

    audio: np.ndarray  # (N, L) float32, L = MAX_SAMPLES, 44.1 kHz
    class_index: np.ndarray  # (N,) int16 index into CLASSES
    kit_index: np.ndarray  # (N,) int16 index into kits
    level_db: np.ndarray  # (N,) float32 loudness of the file before normalisation (dBFS)
    duration: np.ndarray  # (N,) float32 seconds from onset in the file (before the 1 s cut)
    files: list[str]
    kits: list[str]
    licenses: list[str] = field(default_factory=list)  # per file, from labels.csv ('' if none)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    root: str = ""
    cached: bool = False
    label_sources: list[str] = field(default_factory=list)  # per file: labels.csv, name or sound
    by_sound: list[dict[str, Any]] = field(default_factory=list)  # files labelled by their sound, how sure

    def __len__(self) -> int:
        return len(self.files)

    def kit_of(self, i: int) -> str:
        return self.kits[int(self.kit_index[i])]

    def subset(self, indices: Sequence[int] | np.ndarray) -> SoundDataset:
        idx = np.asarray(indices, dtype=np.int64)
        return SoundDataset(
            audio=self.audio[idx],
            class_index=self.class_index[idx],
            kit_index=self.kit_index[idx],
            level_db=self.level_db[idx],
            duration=self.duration[idx],
            files=[self.files[i] for i in idx],
            kits=self.kits,
            licenses=[self.licenses[i] for i in idx] if self.licenses else [],
            skipped=[],
            root=self.root,
            cached=self.cached,
            label_sources=[self.label_sources[i] for i in idx] if self.label_sources else [],
            by_sound=[b for b in self.by_sound if b["file"] in {self.files[i] for i in idx}],
        )

    def kit_indices(self, kits: Iterable[str], inside: bool = True) -> np.ndarray:
        """Indices of sounds whose kit is (``inside=True``) or is not in ``kits``."""
        wanted = set(kits)
        mask = np.array([(k in wanted) == inside for k in (self.kits[i] for i in self.kit_index)], dtype=bool)
        return np.nonzero(mask)[0]

    def summary(self) -> dict[str, Any]:
        """Per class counts, kits, skips and durations: what a user needs to trust the data."""
        per_class = Counter(CLASSES[int(c)] for c in self.class_index)
        per_kit = Counter(self.kits[int(k)] for k in self.kit_index)
        dur = self.duration if len(self) else np.zeros(1)
        return {
            "root": self.root,
            "files_found": len(self.files) + len(self.skipped),
            "files_used": len(self.files),
            "files_skipped": len(self.skipped),
            "skip_reasons": dict(Counter(_reason_kind(r) for _, r in self.skipped).most_common()),
            "per_class": {c: per_class[c] for c in CLASSES if per_class[c]},
            "per_kit": dict(sorted(per_kit.items())),
            "licenses": dict(Counter(lic for lic in self.licenses if lic).most_common()),
            "labelled_by": dict(Counter(self.label_sources).most_common()),
            "labelled_by_sound": self.by_sound,
            "duration_seconds": {
                "min": round(float(dur.min()), 3),
                "median": round(float(np.median(dur)), 3),
                "max": round(float(dur.max()), 3),
                "cut_at": MAX_DURATION,
                "longer_than_cut": int((self.duration > MAX_DURATION).sum()),
            },
            "sample_rate": SAMPLE_RATE,
        }


def _reason_kind(reason: str) -> str:
    """Group reasons for the summary: drop numbers in parentheses ('too short (3.1 ms ...)')."""
    return reason.split(" (")[0]


@dataclass(frozen=True)
class _Entry:
    path: Path
    rel: str
    cls: str | None
    kit: str
    license: str = ""
    reason: str | None = None
    verdict: NameVerdict | None = None  # the name rule's, when the sound is to decide


def _kit_of(rel: str) -> str:
    parent = rel.rsplit("/", 1)[0] if "/" in rel else "."
    return parent


def _entries(root: Path) -> list[_Entry]:
    labels_csv = root / "labels.csv"
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    labelled: dict[str, tuple[str, str]] = {}
    if labels_csv.is_file():
        with open(labels_csv, newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "path" not in reader.fieldnames or "class" not in reader.fieldnames:
                raise DatasetError(f"{labels_csv} needs a header with 'path' and 'class' columns")
            for row in reader:
                labelled[(row.get("path") or "").strip()] = ((row.get("class") or "").strip(),
                                                             (row.get("license") or "").strip())
    out: list[_Entry] = []
    verdicts = {} if labelled else name_verdicts([p.relative_to(root).as_posix() for p in files])
    for path in files:
        rel = path.relative_to(root).as_posix()
        kit = _kit_of(rel)
        if labelled:
            if rel not in labelled:
                out.append(_Entry(path, rel, None, kit, reason="not listed in labels.csv"))
                continue
            label, lic = labelled[rel]
            cls = normalise_label(label)
            reason = None if cls else f"unknown class {label!r} in labels.csv"
            out.append(_Entry(path, rel, cls, kit, lic, reason))
            continue
        v = verdicts[rel]
        if len(v.candidates) == 1:
            out.append(_Entry(path, rel, v.candidates[0], kit))
        else:
            out.append(_Entry(path, rel, None, kit, verdict=v))
    for rel in sorted(set(labelled) - {e.rel for e in out}):
        out.append(_Entry(root / rel, rel, None, _kit_of(rel), reason="listed in labels.csv but missing"))
    return out


def _cache_key(root: Path, entries: list[_Entry]) -> str:
    prep = [getattr(_audio, k) for k in ("SAMPLE_RATE", "MAX_DURATION", "MIN_DURATION", "PRE_ROLL", "FADE_OUT",
                                         "TARGET_RMS_DB", "PEAK_DB", "SILENCE_DB")]
    h = hashlib.sha1(f"{CACHE_VERSION}|{RULE_VERSION}|{root.resolve()}|{prep}".encode())
    if any(e.verdict for e in entries):
        from latentdrum.sounds.classifier import bundled_classifier

        h.update(bundled_classifier().model_id.encode())
    for e in entries:
        try:
            st = e.path.stat()
            h.update(f"{e.rel}|{e.cls}|{e.reason}|{e.verdict}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{e.rel}|missing\n".encode())
    return h.hexdigest()[:20]


def build_sound_dataset(root: str | Path, use_cache: bool = True, progress: bool = True) -> SoundDataset:
    """Read and prepare every labelled one-shot under ``root`` (see the module docstring).

    Raises:
        DatasetError: ``root`` is not a folder, holds no audio file, or no file was usable.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder; pass the folder that holds your drum samples")
    entries = _entries(root)
    if not entries:
        raise DatasetError(f"no audio files ({', '.join(AUDIO_SUFFIXES)}) under {root}")
    key = _cache_key(root, entries)
    cache_file = cache_dir() / "sounds" / f"{key}.npz"
    if use_cache and cache_file.is_file():
        try:
            return _load_cache(cache_file, root)
        except (OSError, ValueError, KeyError):
            pass  # damaged cache: rebuild below

    from tqdm import tqdm

    audio, cls_i, kit_names, kit_i, level, dur, files, lics = [], [], [], [], [], [], [], []
    sources: list[str] = []
    by_sound: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    from_csv = (root / "labels.csv").is_file()
    for e in tqdm(entries, desc="reading samples", unit="file", disable=not progress or None, leave=False):
        if e.reason or (e.cls is None and e.verdict is None):
            skipped.append((e.rel, e.reason or "no class"))
            continue
        try:
            shot = prepare_one_shot(load_audio(e.path), source=e.rel)
        except AudioError as exc:
            msg = str(exc)
            skipped.append((e.rel, msg[len(str(e.path)) + 1:] if msg.startswith(str(e.path)) else
                            msg[len(e.rel) + 1:] if msg.startswith(e.rel) else msg))
            continue
        cls, source = e.cls, "labels.csv" if from_csv else "name"
        if e.verdict is not None:
            label = decide(e.verdict, shot.audio, shot.duration)
            if label.cls is None:
                skipped.append((e.rel, f"class unknown ({label.why}; the sound is not sure enough: "
                                       f"{label.guesses()}); add it to a labels.csv or name its class in its name"))
                continue
            cls, source = label.cls, "sound"
            by_sound.append({"file": e.rel, "class": cls, "confidence": round(label.confidence, 3),
                             "alternatives": [list(a) for a in label.alternatives], "why": label.why})
        assert cls is not None
        if e.kit not in kit_names:
            kit_names.append(e.kit)
        audio.append(shot.audio)
        cls_i.append(CLASSES.index(cls))
        sources.append(source)
        kit_i.append(kit_names.index(e.kit))
        level.append(shot.level_db)
        dur.append(shot.duration)
        files.append(e.rel)
        lics.append(e.license)
    if not files:
        reasons = Counter(_reason_kind(r) for _, r in skipped).most_common(3)
        raise DatasetError(f"no usable drum sound in {root} ({len(skipped)} files skipped: {reasons})")
    ds = SoundDataset(
        audio=np.stack(audio).astype(np.float32),
        class_index=np.array(cls_i, dtype=np.int16),
        kit_index=np.array(kit_i, dtype=np.int16),
        level_db=np.array(level, dtype=np.float32),
        duration=np.array(dur, dtype=np.float32),
        files=files,
        kits=kit_names,
        licenses=lics,
        skipped=skipped,
        root=str(root),
        label_sources=sources,
        by_sound=by_sound,
    )
    if use_cache:
        _save_cache(cache_file, ds)
    return ds


_ARRAYS = ("audio", "class_index", "kit_index", "level_db", "duration")


def _save_cache(path: Path, ds: SoundDataset) -> None:
    meta = {"files": ds.files, "kits": ds.kits, "licenses": ds.licenses, "skipped": ds.skipped,
            "label_sources": ds.label_sources, "by_sound": ds.by_sound}
    save_arrays(path, {k: getattr(ds, k) for k in _ARRAYS}, meta)


def _load_cache(path: Path, root: Path) -> SoundDataset:
    arrays, meta = load_arrays(path)
    return SoundDataset(
        **{k: arrays[k] for k in _ARRAYS},
        files=list(meta["files"]),
        kits=list(meta["kits"]),
        licenses=list(meta["licenses"]),
        skipped=[(str(a), str(b)) for a, b in meta["skipped"]],
        root=str(root),
        cached=True,
        label_sources=list(meta.get("label_sources", [])),
        by_sound=list(meta.get("by_sound", [])),
    )
