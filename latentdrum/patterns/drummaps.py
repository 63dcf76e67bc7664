"""Drum maps: MIDI pitch -> one of the 9 drum voices, and the pitch each voice is written as.

Voice order is Magenta's 9-voice reduction (kick, snare, closed hat, open hat, low/mid/high tom,
crash, ride). Reading accepts every pitch a map lists; writing uses the first pitch of each voice.
:func:`pattern_to_midi` writes General MIDI; the DAW exports (:mod:`latentdrum.patterns.export`)
write with any map.

A map is named (``gm``, ``roland``, and the maps shipped in ``patterns/maps/``, see
:data:`SHIPPED_MAPS`) or a user's JSON file (:func:`load_drum_map`, format in :func:`drum_map_from_json`);
:func:`get_drum_map` takes either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from latentdrum.errors import ConfigError

VOICES: tuple[str, ...] = (
    "kick",
    "snare",
    "closed_hat",
    "open_hat",
    "low_tom",
    "mid_tom",
    "high_tom",
    "crash",
    "ride",
)
NUM_VOICES = len(VOICES)

# Coarser groups used by descriptors and the UI.
VOICE_GROUPS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {"kick": (0,), "snare": (1,), "hats": (2, 3), "toms": (4, 5, 6), "cymbals": (7, 8)}
)


@dataclass(frozen=True)
class DrumMap:
    """Pitches per voice; ``pitches[v][0]`` is what voice ``v`` is written as."""

    name: str
    pitches: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.pitches) != NUM_VOICES:
            raise ConfigError(f"drum map {self.name!r} must list pitches for {NUM_VOICES} voices")

    @property
    def write_pitches(self) -> tuple[int, ...]:
        """The pitch each voice is written as (its first listed pitch), in voice order."""
        return tuple(p[0] for p in self.pitches)

    @property
    def pitch_to_voice(self) -> dict[int, int]:
        table: dict[int, int] = {}
        for voice, pitches in enumerate(self.pitches):
            for pitch in pitches:
                table.setdefault(pitch, voice)
        return table


# note-seq DEFAULT_DRUM_TYPE_PITCHES (General MIDI).
GENERAL_MIDI = DrumMap(
    "gm",
    (
        (36, 35),
        (38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85),
        (42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22),
        (46, 67, 72, 74, 79, 81, 26),
        (45, 29, 41, 43, 61, 64, 84),
        (48, 47, 60, 63, 77, 86, 87),
        (50, 30, 62, 76, 83),
        (49, 52, 55, 57, 58),
        (51, 53, 59, 82),
    ),
)

# Roland TD-11 as recorded in the Groove MIDI Dataset (Magenta's GrooVAE map).
ROLAND_TD11 = DrumMap(
    "roland",
    (
        (36,),
        (38, 37, 40),
        (42, 22, 44),
        (46, 26),
        (43, 58),
        (47, 45),
        (50, 48),
        (49, 52, 55, 57),
        (51, 53, 59),
    ),
)

DRUM_MAPS: Mapping[str, DrumMap] = MappingProxyType({m.name: m for m in (GENERAL_MIDI, ROLAND_TD11)})

# Writing always uses General MIDI, one canonical pitch per voice.
WRITE_PITCHES: tuple[int, ...] = tuple(p[0] for p in GENERAL_MIDI.pitches)


MAPS_DIR = Path(__file__).resolve().parent / "maps"
MAP_FORMAT = "latentdrum-drum-map"
MAP_VERSION = 1


def _shipped() -> dict[str, Path]:
    return {p.stem: p for p in sorted(MAPS_DIR.glob("*.json"))}


SHIPPED_MAPS: tuple[str, ...] = tuple(_shipped())


def drum_map_names() -> tuple[str, ...]:
    """Every named map: the built-in ones, then the shipped ones."""
    return (*DRUM_MAPS, *SHIPPED_MAPS)


def get_drum_map(name: str | Path) -> DrumMap:
    """A named map (see :func:`drum_map_names`) or a JSON map file (a path ending in ``.json``)."""
    text = str(name)
    if text in DRUM_MAPS:
        return DRUM_MAPS[text]
    shipped = _shipped()
    if text in shipped:
        return load_drum_map(shipped[text])
    if text.lower().endswith(".json") or Path(text).exists():
        return load_drum_map(text)
    raise ConfigError(
        f"unknown drum map {text!r}; choose one of {', '.join(drum_map_names())} or give a JSON map file "
        "(format: README, 'Drum maps')"
    )


def load_drum_map(path: str | Path) -> DrumMap:
    """Read a drum map JSON file (see :func:`drum_map_from_json`); its name defaults to the file's stem."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"drum map file {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"drum map file {path} is not readable JSON ({exc})") from None
    return drum_map_from_json(data, default_name=path.stem, where=str(path))


def drum_map_from_json(data: Any, default_name: str = "custom", where: str = "drum map") -> DrumMap:
    """Build a map from its JSON document::

        {"format": "latentdrum-drum-map", "version": 1, "name": "my kit",
         "voices": {"kick": [36, 35], "snare": [38, 40], "closed_hat": [42], "open_hat": [46],
                    "low_tom": [43], "mid_tom": [47], "high_tom": [50], "crash": [49], "ride": [51]}}

    Every one of the 9 voices lists one or more MIDI pitches (0-127): the first is the pitch the
    voice is written as, all are read as that voice. A pitch listed under several voices is read
    as the first of them in voice order; the later ones write onto it (a kit without a mid tom
    can play mid-tom hits on its low tom). ``format``, ``version`` and ``name`` are optional.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a drum map is a JSON object with a 'voices' object")
    if data.get("format", MAP_FORMAT) != MAP_FORMAT:
        raise ConfigError(f"{where}: format must be {MAP_FORMAT!r}, got {data.get('format')!r}")
    if data.get("version", MAP_VERSION) != MAP_VERSION:
        raise ConfigError(f"{where}: version {data.get('version')!r} is not supported (this latentdrum reads "
                          f"version {MAP_VERSION})")
    voices = data.get("voices")
    if not isinstance(voices, dict):
        raise ConfigError(f"{where}: 'voices' must be an object of voice name -> list of MIDI pitches")
    unknown = sorted(set(voices) - set(VOICES))
    missing = [v for v in VOICES if v not in voices]
    if unknown or missing:
        raise ConfigError(f"{where}: voices must be exactly {', '.join(VOICES)}"
                          + (f"; unknown {', '.join(unknown)}" if unknown else "")
                          + (f"; missing {', '.join(missing)}" if missing else ""))
    pitches: list[tuple[int, ...]] = []
    for voice in VOICES:
        listed = voices[voice]
        if isinstance(listed, int) and not isinstance(listed, bool):
            listed = [listed]
        if (not isinstance(listed, list) or not listed
                or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 127 for p in listed)):
            raise ConfigError(f"{where}: voice {voice!r} must list one or more MIDI pitches 0-127, got {listed!r}")
        pitches.append(tuple(listed))
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    return DrumMap(name.strip(), tuple(pitches))


def drum_map_to_json(drum_map: DrumMap) -> dict[str, Any]:
    """The JSON document of ``drum_map`` (:func:`drum_map_from_json` reads it back)."""
    return {"format": MAP_FORMAT, "version": MAP_VERSION, "name": drum_map.name,
            "voices": {v: list(p) for v, p in zip(VOICES, drum_map.pitches, strict=True)}}
