"""Real drum kits from a labelled sample folder, one one-shot per drum voice.

The shared sample set (``labels.csv``: ``path,class,...``) holds several kits; a kit is a folder
(``oramics/CR-78``, ``muldjordkit``...). :func:`kit_files` groups the labelled files by kit and
class; :func:`pick_kit` draws one one-shot per voice of the 9-voice pattern layout, by the class
preferences of :data:`VOICE_SOUND_CLASSES` (a kit without a ride plays its crash), or from a
fallback kit when the kit has none of a voice's classes.

One-shots are mono float32 at 44.1 kHz, sample 0 at the strike, loudness-normalised
(:func:`latentdrum.sounds.audio.prepare_one_shot` minus its pre-roll).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from latentdrum.errors import AudioError, DatasetError
from latentdrum.sounds.audio import PRE_ROLL, load_audio, prepare_one_shot

# Per voice of the pattern layout (kick, snare, closed hat, open hat, low/mid/high tom, crash,
# ride), the sound classes that can play it, best first.
VOICE_SOUND_CLASSES: tuple[tuple[str, ...], ...] = (
    ("kick",),
    ("snare", "clap", "rim"),
    ("closed_hat", "pedal_hat"),
    ("open_hat",),
    ("low_tom", "mid_tom", "high_tom"),
    ("mid_tom", "high_tom", "low_tom"),
    ("high_tom", "mid_tom", "low_tom"),
    ("crash", "ride"),
    ("ride", "crash"),
)

KitFiles = dict[str, list[Path]]  # class -> files


def kit_of(rel: str) -> str:
    """The kit a labelled file belongs to: ``oramics/<kit>`` or the top folder."""
    parts = rel.split("/")
    return "/".join(parts[:2]) if parts[0] == "oramics" and len(parts) > 2 else parts[0]


def kit_files(root: str | Path) -> dict[str, KitFiles]:
    """``{kit: {class: [files]}}`` from ``root/labels.csv``.

    Raises:
        DatasetError: ``root`` has no ``labels.csv``.
    """
    root = Path(root)
    labels = root / "labels.csv"
    if not labels.is_file():
        raise DatasetError(f"{root} has no labels.csv (path,class rows); point at a labelled sample folder")
    kits: dict[str, KitFiles] = defaultdict(lambda: defaultdict(list))
    with open(labels, newline="") as fh:
        for row in csv.DictReader(fh):
            kits[kit_of(row["path"])][row["class"]].append(root / row["path"])
    return {k: dict(v) for k, v in kits.items()}


def load_one_shot(path: Path) -> np.ndarray:
    """A labelled file as a one-shot starting at its strike (see the module docstring)."""
    shot = prepare_one_shot(load_audio(path), str(path))
    audio = shot.audio[PRE_ROLL:]
    nz = np.nonzero(np.abs(audio) > 1e-5)[0]
    return audio[: int(nz[-1]) + 1 if len(nz) else 1].copy()


def pick_kit(kit: KitFiles, rng: np.random.Generator, fallback: KitFiles | None = None) -> list[Path]:
    """One file per voice (9), by :data:`VOICE_SOUND_CLASSES`, toms of one class used once where
    the kit has several files; ``fallback`` fills voices the kit cannot play."""
    used: set[Path] = set()
    out: list[Path] = []
    for voice, classes in enumerate(VOICE_SOUND_CLASSES):
        choice = None
        for source in (kit, fallback or {}):
            for cls in classes:
                files = [f for f in source.get(cls, []) if f not in used] or source.get(cls, [])
                if files:
                    choice = files[int(rng.integers(len(files)))]
                    break
            if choice is not None:
                break
        if choice is None:
            raise AudioError(f"no one-shot can play voice {voice} ({'/'.join(classes)}) in this kit or its fallback")
        used.add(choice)
        out.append(choice)
    return out
