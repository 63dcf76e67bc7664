"""One rule for the class of a user's sample, used by ``data sounds``, ``sound reconstruct``,
``sound morph`` and the page: ``--class`` if given, else the name, else the sound.

1. ``override`` (``--class``) wins.
2. The name (:mod:`latentdrum.sounds.names`: file name, then folder names), read with its kit:
   numbered toms of one folder (``Tom1``..``Tom4``) are ranked high to low by the kit's own order.
3. When the name says nothing, when two keywords disagree (``kick_snare``), or when it names a
   tom but not which (a lone ``Tom1``), the class comes from the sound
   (:class:`~latentdrum.sounds.classifier.SoundClassifier`), among the name's candidates if it had
   any. Below the classifier's threshold the file is *unknown*: :class:`Label` keeps the best
   guesses, and callers list it instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.sounds.audio import AUDIO_SUFFIXES, prepare_one_shot
from latentdrum.sounds.classes import CLASSES, check_class
from latentdrum.sounds.classifier import SoundClassifier, bundled_classifier
from latentdrum.sounds.names import NameReading, rank_toms, read_path

RULE_VERSION = 1
TOMS = ("high_tom", "mid_tom", "low_tom")
Source = Literal["labels.csv", "name", "sound", "override"]


@dataclass(frozen=True)
class NameVerdict:
    """What the name rule concluded for one file: ``candidates`` (one = decided, none or several =
    the sound decides) and ``why``, a short phrase for the summary."""

    candidates: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Label:
    """A file's class and where it came from.

    ``cls`` is None when unknown (the sound was not sure enough); ``confidence`` is 1 for a
    name, ``labels.csv`` or ``--class`` and the calibrated probability for the sound;
    ``alternatives`` are the sound's best guesses ``(class, probability)``, most likely first.
    """

    cls: str | None
    source: Source
    confidence: float = 1.0
    alternatives: tuple[tuple[str, float], ...] = ()
    why: str = ""

    @property
    def unknown(self) -> bool:
        return self.cls is None

    def guesses(self, n: int = 3) -> str:
        """``"open_hat 0.41, crash 0.30"``."""
        return ", ".join(f"{c} {p:.2f}" for c, p in self.alternatives[:n])

    def describe(self) -> str:
        """One line for a summary or an error message."""
        if self.source != "sound":
            return f"{self.cls} (from {self.source}{': ' + self.why if self.why else ''})"
        head = f"{self.cls} from the sound, {self.confidence:.2f} sure" if self.cls else "unknown"
        return f"{head} ({self.why}; best guesses {self.guesses()})"


def _verdict(reading: NameReading) -> NameVerdict:
    said = "+".join(reading.words)
    if not reading.classes:
        return NameVerdict((), "the name says nothing")
    if len(reading.classes) > 1:
        return NameVerdict(reading.classes, f"the name's keywords disagree ({', '.join(reading.classes)})")
    return NameVerdict(reading.classes, f"'{said}'")


def name_verdicts(rels: Sequence[str]) -> dict[str, NameVerdict]:
    """The name rule for every file of a folder tree (``rels``: paths relative to its root, with
    ``/``). Files are read together with the other files of their folder (their kit), so that
    ``Tom1``..``Tom4`` are ranked high to low; a number after a separator (``tom-02``) counts as
    a tom's place only when the kit's other files are not numbered takes (``snare-02``)."""
    readings = {rel: read_path(rel) for rel in rels}
    out = {rel: _verdict(r) for rel, r in readings.items()}
    by_folder: dict[str, list[str]] = defaultdict(list)
    for rel in rels:
        by_folder[rel.rsplit("/", 1)[0] if "/" in rel else ""].append(rel)
    for members in by_folder.values():
        takes = sum(readings[r].numbered for r in members if not readings[r].plain_tom) >= 2
        numbered = {r: readings[r].tom_position for r in members
                    if readings[r].plain_tom and readings[r].tom_position is not None
                    and (readings[r].tom_glued or not takes)}
        floor = any(readings[r].classes == ("low_tom",) for r in members)
        places = sorted({p for p in numbered.values() if p is not None})
        if len(places) >= 2:
            ranks = rank_toms(places, floor_tom_named=floor)
            for r, p in numbered.items():
                if p is not None:
                    out[r] = NameVerdict((ranks[p],), f"tom {p} of {len(places)} in its kit")
        else:
            for r in numbered:
                out[r] = NameVerdict(TOMS, "the name says a tom but not which (no other numbered toms in its kit)")
    return out


def decide(verdict: NameVerdict, audio: np.ndarray, duration: float,
           classifier: SoundClassifier | None = None) -> Label:
    """The label from a name verdict and the prepared one-shot ``audio`` (``(L,)``, 44.1 kHz,
    onset-aligned; ``duration``: seconds from the onset in the file)."""
    if len(verdict.candidates) == 1:
        return Label(verdict.candidates[0], "name", 1.0, why=verdict.why)
    clf = classifier or bundled_classifier()
    p = clf.classify(audio[None], np.array([duration]))[0]  # (C,)
    names = list(clf.classes)
    if verdict.candidates:
        keep = np.array([c in verdict.candidates for c in names])
        p = np.where(keep, p, 0.0) / max(float(p[keep].sum()), 1e-12)
    order = np.argsort(-p)
    alternatives = tuple((names[i], round(float(p[i]), 3)) for i in order[:3] if p[i] > 0)
    best, conf = names[order[0]], float(p[order[0]])
    return Label(best if conf >= clf.threshold else None, "sound", conf, alternatives, verdict.why)


def _siblings(path: Path) -> list[str]:
    folder = path.parent
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    except OSError:
        names = []
    return sorted(set(names) | {path.name})


def label_file(path: str | Path, audio: np.ndarray, override: str | None = None,
               classifier: SoundClassifier | None = None, siblings: Sequence[str] | None = None) -> Label:
    """The class of one sample a user hands over (CLI or page).

    Args:
        path: the file's path or just its name (the page's dropped file); its folder's other
            audio files are read as its kit (numbered toms) unless ``siblings`` names them.
        audio: the file's audio, ``(N,)`` float32 mono at 44.1 kHz (:func:`~latentdrum.sounds.audio.load_audio`).
        override: a class the user chose (``--class``); checked, then taken as is.
        classifier: default the bundled one.

    Raises:
        ConfigError: ``override`` is not a class.
        AudioError: the sound is silent or too short to be judged.
    """
    if override:
        return Label(check_class(override), "override", why="chosen by you")
    path = Path(path)
    names = sorted(set(siblings) | {path.name}) if siblings is not None else _siblings(path)
    folder = path.parent.name or "."
    verdicts = name_verdicts([f"{folder}/{n}" for n in names])
    verdict = verdicts[f"{folder}/{path.name}"]
    if len(verdict.candidates) == 1:
        return decide(verdict, audio, 0.0, classifier)
    shot = prepare_one_shot(audio, source=path.name)
    return decide(verdict, shot.audio, shot.duration, classifier)


def require_class(path: str | Path, label: Label) -> str:
    """The class of a labelled file, or :class:`ConfigError` for an unknown one (what to pass instead)."""
    if label.cls is None:
        raise ConfigError(f"cannot tell the class of {Path(path).name}: {label.why}, and its sound is not clear "
                          f"(best guesses {label.guesses()}); pass --class, e.g. --class {label.alternatives[0][0]}"
                          if label.alternatives else f"cannot tell the class of {Path(path).name}; pass --class")
    return label.cls


__all__ = ["CLASSES", "RULE_VERSION", "Label", "NameVerdict", "decide", "label_file", "name_verdicts",
           "require_class"]
