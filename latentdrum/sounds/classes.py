"""Drum-sound classes and how a file's class is found.

The 13 classes of the shared sample set (``labels.csv``); a user's folder may use any subset.
A file's class comes from a ``labels.csv`` (``path,class``) in the folder, else from its name
(:mod:`latentdrum.sounds.names`) and, where the name is not enough, its sound
(:mod:`latentdrum.sounds.labelling`). A file the rule is not sure of is listed as unknown with
its best guesses, never guessed silently.
"""

from __future__ import annotations

import re

from latentdrum.errors import ConfigError
from latentdrum.sounds.names import read_name

CLASSES: tuple[str, ...] = (
    "kick",
    "snare",
    "rim",
    "clap",
    "closed_hat",
    "pedal_hat",
    "open_hat",
    "low_tom",
    "mid_tom",
    "high_tom",
    "crash",
    "ride",
    "perc",
)

def check_class(name: str) -> str:
    """Return ``name`` if it is a known class, else raise :class:`ConfigError` listing the classes."""
    if name not in CLASSES:
        raise ConfigError(f"unknown sound class {name!r}; choose one of {', '.join(CLASSES)}")
    return name


def class_from_name(name: str) -> str | None:
    """The class one file or folder name gives on its own (``"Kick 01"``, ``"bd_808"``,
    ``"HatOpen-Soft"``), or None when it names none or keywords disagree. The full rule, which
    reads a name with its kit and asks the sound when the name is not enough, is
    :func:`latentdrum.sounds.labelling.label_file`; the keywords are in :mod:`latentdrum.sounds.names`.
    """
    classes = read_name(name).classes
    return classes[0] if len(classes) == 1 else None


def normalise_label(label: str) -> str | None:
    """A ``labels.csv`` class cell (``"Closed Hat"``, ``"closed_hat"``, ``"bd"``) as a class, or None."""
    key = "_".join(t for t in re.split(r"[^a-z]+", label.lower()) if t)
    return key if key in CLASSES else class_from_name(label)
