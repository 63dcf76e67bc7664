"""Named drum maps: MIDI pitch -> one of the 9 drum voices, and the pitch each voice is written as.

Voice order is Magenta's 9-voice reduction (kick, snare, closed hat, open hat, low/mid/high tom,
crash, ride). Reading accepts every pitch a map lists; writing always uses the first pitch of
each voice in General MIDI, so any DAW's GM drum kit plays the clip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

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


def get_drum_map(name: str) -> DrumMap:
    """Look a drum map up by name ('gm' or 'roland')."""
    try:
        return DRUM_MAPS[name]
    except KeyError:
        raise ConfigError(f"unknown drum map {name!r}; choose one of {sorted(DRUM_MAPS)}") from None
