"""Drum-sound classes and how a file's class is found.

The 13 classes of the shared sample set (``labels.csv``); a user's folder may use any subset.
A file's class comes, in order, from a ``labels.csv`` (``path,class``) in the folder, from a
sub-folder name, or from keywords in the file name (``kick``/``bd``, ``snare``/``sd``...).
A file where none of these matches is reported as unlabelled, never guessed.
"""

from __future__ import annotations

import re

from latentdrum.errors import ConfigError

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

# Words (lower case, whole tokens of a name) that name a class. Order matters where two could
# match: the more specific wins (open/closed hats before plain "hat", toms before "tom").
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("open_hat", ("open_hat", "openhat", "ohh", "oh", "hho", "hihat_open", "hat_open", "cymbal_open")),
    ("pedal_hat", ("pedal_hat", "pedalhat", "phh", "hhp", "hat_pedal", "cymbal_pedal", "pedal")),
    ("closed_hat", ("closed_hat", "closedhat", "chh", "hhc", "ch", "hh", "hat", "hats", "hihat", "hi_hat",
                    "hat_closed", "hihat_closed", "cymbal_closed")),
    ("low_tom", ("low_tom", "lowtom", "lt", "floor_tom", "floortom", "tom_low", "tom_l", "tom_lo", "tom_floor")),
    ("mid_tom", ("mid_tom", "midtom", "mt", "tom_mid", "tom_m", "tom")),
    ("high_tom", ("high_tom", "hightom", "hi_tom", "ht", "tom_high", "tom_hi", "tom_h", "rack_tom")),
    ("kick", ("kick", "kik", "bd", "bass_drum", "bassdrum", "kickdrum", "drum_bass", "bass")),
    ("snare", ("snare", "sd", "snr", "sn")),
    ("rim", ("rim", "rimshot", "rim_shot", "sidestick", "side_stick", "rs")),
    ("clap", ("clap", "cp", "handclap", "hand_clap", "claps")),
    ("crash", ("crash", "china", "splash", "cymbal", "cym")),
    ("ride", ("ride", "bell", "ride_bell")),
    ("perc", ("perc", "percussion", "cowbell", "cowb", "conga", "bongo", "tamb", "tambourine", "shaker", "clave",
              "claves", "cabasa", "guiro", "block", "woodblock", "agogo", "timbale", "triangle", "maracas")),
)

_ALIASES: dict[str, str] = {
    alias: cls for cls, words in _KEYWORDS for alias in (cls, *words)
}


def check_class(name: str) -> str:
    """Return ``name`` if it is a known class, else raise :class:`ConfigError` listing the classes."""
    if name not in CLASSES:
        raise ConfigError(f"unknown sound class {name!r}; choose one of {', '.join(CLASSES)}")
    return name


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z]+", text.lower()) if t]


def class_from_name(name: str) -> str | None:
    """Class named by a folder or file name (``"Kick 01"``, ``"bd_808"``, ``"Hi-Hat Open"``), else None.

    Two- and one-token phrases are tried (``hat open`` before ``hat``); the most specific class
    in :data:`_KEYWORDS` order wins.
    """
    tokens = _tokens(name)
    phrases = {"_".join(tokens[i : i + 2]) for i in range(len(tokens) - 1)}
    if len(tokens) > 1:
        phrases.add("".join(tokens))
    # Two-word phrases first ("tom hi" is a high tom, not any tom), then single words.
    singles = set(tokens) | {t[:-1] for t in tokens if len(t) > 3 and t.endswith("s")}  # plurals: "toms"
    for candidates in (phrases, singles):
        for cls, words in _KEYWORDS:
            if cls in candidates or any(w in candidates for w in words):
                return cls
    return None


def normalise_label(label: str) -> str | None:
    """A ``labels.csv`` class cell (``"Closed Hat"``, ``"closed_hat"``, ``"bd"``) as a class, or None."""
    key = "_".join(_tokens(label))
    if key in _ALIASES:
        return _ALIASES[key]
    return class_from_name(label)
