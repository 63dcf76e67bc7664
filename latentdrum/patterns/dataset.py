"""Pattern datasets built from a folder of MIDI files, cached on disk.

Two layouts are understood:

- the Groove MIDI Dataset: an ``info.csv`` with ``midi_filename``, ``style`` (``funk/groove1`` ->
  genre ``funk``), ``split``, ``beat_type`` and ``time_signature`` columns; read with the Roland
  TD-11 drum map unless another is asked for;
- any folder of ``.mid``/``.midi`` files: the style is the first sub-folder's name (none for files
  at the top), a first sub-folder named ``train``/``validation``/``test`` sets the split (and the
  style comes from the next one), otherwise the split is a fixed hash of the file's path
  (80/10/10), the same on every machine. General MIDI drum map.

Every file is cut into windows of ``bars`` bars every ``hop`` bars; windows with no hit are
dropped. A corrupt or unusable file is skipped with its reason, never aborting the build.
The result is cached under ``$LATENTDRUM_CACHE`` (default ``~/.cache/latentdrum``) keyed by the
folder's file list, sizes, modification times and the options, and reused while none changed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.cache import cache_dir, load_arrays, save_arrays
from latentdrum.errors import DatasetError, MidiError
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES, get_drum_map
from latentdrum.patterns.midi import DRUM_CHANNEL, read_midi, windows

SPLITS: tuple[str, ...] = ("train", "validation", "test")
MIDI_SUFFIXES = (".mid", ".midi")
CACHE_VERSION = 2
_PARALLEL_FROM = 64  # files; below this, worker start-up costs more than it saves


@dataclass(frozen=True)
class PatternDatasetConfig:
    """How a folder becomes windows. ``drum_map=None`` picks 'roland' for GMD, 'gm' otherwise."""

    bars: int = 2
    hop: int = 1
    drum_map: str | None = None
    channel: int | None = DRUM_CHANNEL

    def __post_init__(self) -> None:
        if self.bars not in (1, 2, 4):
            raise DatasetError(f"bars must be 1, 2 or 4, got {self.bars}")
        if self.hop < 1:
            raise DatasetError(f"hop must be at least 1 bar, got {self.hop}")
        if self.drum_map is not None:
            get_drum_map(self.drum_map)


@dataclass
class PatternDataset:
    """Windows of a folder as arrays; window ``i`` came from ``files[file_index[i]]``."""

    windows: np.ndarray  # (N, T, 3V) float32, see latentdrum.patterns.pattern
    bpm: np.ndarray  # (N,) float32, tempo at the window's first bar
    style: np.ndarray  # (N,) int16 index into styles, -1 = no style
    split: np.ndarray  # (N,) int8 index into SPLITS
    file_index: np.ndarray  # (N,) int32
    is_fill: np.ndarray  # (N,) bool
    styles: tuple[str, ...]
    files: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    config: PatternDatasetConfig = field(default_factory=PatternDatasetConfig)
    root: str = ""
    cached: bool = False

    def __len__(self) -> int:
        return len(self.windows)

    def indices(self, split: str) -> np.ndarray:
        if split not in SPLITS:
            raise DatasetError(f"unknown split {split!r}; choose one of {list(SPLITS)}")
        return np.nonzero(self.split == SPLITS.index(split))[0]

    def style_name(self, index: int) -> str | None:
        return None if index < 0 else self.styles[index]

    def summary(self) -> dict[str, Any]:
        """What a user needs to trust the data: files, skips, windows per split and style, hits per voice."""
        used_files = len(set(self.file_index.tolist()))
        per_split: dict[str, dict[str, int]] = {}
        for s_i, s in enumerate(SPLITS):
            sel = self.split == s_i
            if not sel.any():
                continue
            counts = Counter(self.style_name(int(i)) or "(none)" for i in self.style[sel])
            per_split[s] = {"windows": int(sel.sum()), **dict(sorted(counts.items()))}
        hits = self.windows[:, :, :NUM_VOICES].sum(axis=(0, 1)) if len(self) else np.zeros(NUM_VOICES)
        reasons = Counter(r for _, r in self.skipped)
        return {
            "root": self.root,
            "files_found": len(self.files) + len(self.skipped),
            "files_read": used_files,
            "files_skipped": len(self.skipped),
            "skip_reasons": dict(reasons.most_common()),
            "windows": len(self),
            "bars_per_window": self.config.bars,
            "hop_bars": self.config.hop,
            "per_split": per_split,
            "hits_per_voice": {v: int(h) for v, h in zip(VOICES, hits, strict=True)},
            "styles": list(self.styles),
        }


@dataclass(frozen=True)
class _Entry:
    path: Path
    rel: str
    style: str | None
    split: str
    is_fill: bool
    skip_reason: str | None = None


def _hash_split(rel: str) -> str:
    h = int(hashlib.sha1(rel.encode()).hexdigest()[:8], 16) % 10
    return "train" if h < 8 else ("validation" if h == 8 else "test")


def _gmd_entries(root: Path) -> Iterator[_Entry]:
    with open(root / "info.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            rel = row.get("midi_filename", "")
            style = (row.get("style") or "").split("/")[0] or None
            split = row.get("split") or _hash_split(rel)
            ts = row.get("time_signature", "4-4")
            reason = None
            if split not in SPLITS:
                reason = f"unknown split {split!r} in info.csv"
            elif ts and ts != "4-4":
                reason = f"not 4/4 (time signature {ts.replace('-', '/')})"
            elif not (root / rel).is_file():
                reason = "listed in info.csv but missing"
            yield _Entry(root / rel, rel, style, split, row.get("beat_type") == "fill", reason)


def _folder_entries(root: Path) -> Iterator[_Entry]:
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES and p.is_file()):
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")[:-1]
        split = None
        if parts and parts[0] in SPLITS:
            split, parts = parts[0], parts[1:]
        yield _Entry(path, rel, parts[0] if parts else None, split or _hash_split(rel), "fill" in path.stem.lower())


def _cache_key(root: Path, entries: list[_Entry], config: PatternDatasetConfig) -> str:
    h = hashlib.sha1()
    h.update(f"{CACHE_VERSION}|{root.resolve()}|{json.dumps(asdict(config), sort_keys=True)}".encode())
    for e in entries:
        try:
            st = e.path.stat()
            h.update(f"{e.rel}|{e.style}|{e.split}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{e.rel}|missing\n".encode())
    return h.hexdigest()[:20]


def build_pattern_dataset(
    root: str | Path,
    config: PatternDatasetConfig | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> PatternDataset:
    """Read every MIDI file under ``root`` into windows (see the module docstring).

    Raises:
        DatasetError: ``root`` is not a folder, holds no MIDI file, or no file gave a window.
    """
    config = config or PatternDatasetConfig()
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder; pass the folder that holds your MIDI files")
    is_gmd = (root / "info.csv").is_file()
    entries = list(_gmd_entries(root) if is_gmd else _folder_entries(root))
    if not entries:
        raise DatasetError(f"no .mid or .midi files under {root}")
    drum_map = config.drum_map or ("roland" if is_gmd else "gm")

    key = _cache_key(root, entries, config)
    cache_file = cache_dir() / "patterns" / f"{key}.npz"
    if use_cache and cache_file.is_file():
        try:
            return _load_cache(cache_file, config, root)
        except (OSError, ValueError, KeyError):
            pass  # damaged cache: rebuild it below

    styles = tuple(sorted({e.style for e in entries if e.style and e.skip_reason is None}))
    rows: list[tuple[np.ndarray, float, int, int, int, bool]] = []
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    from tqdm import tqdm

    jobs = [(e, drum_map, config) for e in entries]
    workers = min(os.cpu_count() or 1, 8) if len(entries) >= _PARALLEL_FROM else 1
    with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        results = pool.map(_read_entry, jobs, chunksize=16) if pool else map(_read_entry, jobs)
        hide = not progress or None  # None: tqdm decides, showing the bar only on a terminal
        bar = tqdm(results, total=len(jobs), desc="reading MIDI", unit="file", disable=hide, leave=False)
        for e, result in zip(entries, bar, strict=True):
            if isinstance(result, str):
                skipped.append((e.rel, result))
                continue
            files.append(e.rel)
            style_i = styles.index(e.style) if e.style else -1
            for array, bpm in result:
                rows.append((array, bpm, style_i, SPLITS.index(e.split), len(files) - 1, e.is_fill))
    if not rows:
        reasons = Counter(r for _, r in skipped).most_common(3)
        raise DatasetError(f"no usable drum pattern in {root} ({len(skipped)} files skipped: {reasons})")

    ds = PatternDataset(
        windows=np.stack([r[0] for r in rows]).astype(np.float32),
        bpm=np.array([r[1] for r in rows], dtype=np.float32),
        style=np.array([r[2] for r in rows], dtype=np.int16),
        split=np.array([r[3] for r in rows], dtype=np.int8),
        file_index=np.array([r[4] for r in rows], dtype=np.int32),
        is_fill=np.array([r[5] for r in rows], dtype=bool),
        styles=styles,
        files=files,
        skipped=skipped,
        config=config,
        root=str(root),
    )
    if use_cache:
        _save_cache(cache_file, ds)
    return ds


def _read_entry(job: tuple[_Entry, str, PatternDatasetConfig]) -> list[tuple[np.ndarray, float]] | str:
    """One file's non-empty windows as (array, bpm), or the reason it is skipped (runs in a worker)."""
    e, drum_map, config = job
    if e.skip_reason:
        return e.skip_reason
    try:
        drums = read_midi(e.path, drum_map, config.channel)
    except MidiError as exc:
        return _short_reason(exc)
    wins = [(w.to_array(), w.bpm) for _, w in windows(drums, config.bars, config.hop) if w.num_hits > 0]
    return wins or "no drum hits"


def _short_reason(exc: MidiError) -> str:
    msg = str(exc)
    # Drop the leading path: the summary prints it already.
    return msg.split(" ", 1)[1] if " " in msg else msg


_ARRAYS = ("windows", "bpm", "style", "split", "file_index", "is_fill")


def _save_cache(path: Path, ds: PatternDataset) -> None:
    meta = {"styles": list(ds.styles), "files": ds.files, "skipped": ds.skipped}
    save_arrays(path, {k: getattr(ds, k) for k in _ARRAYS}, meta)


def _load_cache(path: Path, config: PatternDatasetConfig, root: Path) -> PatternDataset:
    arrays, meta = load_arrays(path)
    return PatternDataset(
        **{k: arrays[k] for k in _ARRAYS},
        styles=tuple(meta["styles"]),
        files=list(meta["files"]),
        skipped=[(str(a), str(b)) for a, b in meta["skipped"]],
        config=config,
        root=str(root),
        cached=True,
    )
