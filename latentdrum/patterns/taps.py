"""A tapped rhythm read from MIDI: every note of any pitch on any channel is a tap.

What ``drumify`` reads: a rhythm played on one key or pad (or several: all notes count), on the
16th-note grid of the file's tempo, each tap keeping its velocity and its timing offset. Taps
that fall on one step (a chord, a double trigger) are one tap, the loudest.
"""

from __future__ import annotations

from pathlib import Path

from latentdrum.errors import MidiError
from latentdrum.patterns.drummaps import NUM_VOICES, DrumMap
from latentdrum.patterns.midi import read_midi
from latentdrum.patterns.pattern import Pattern

# Every MIDI pitch is voice 0 (kick); the other voices get nothing.
TAP_MAP = DrumMap("taps", (tuple(range(128)),) + ((),) * (NUM_VOICES - 1))


def read_taps(path: str | Path) -> Pattern:
    """The taps of a MIDI file as a pattern whose only voice is voice 0, at the file's tempo.

    Raises:
        MidiError: the file is unreadable or holds no notes at all.
    """
    try:
        drums = read_midi(path, TAP_MAP, channel=None)
    except MidiError as exc:
        if "contains no drum notes" in str(exc):
            raise MidiError(f"{path} holds no notes to read as taps; record a rhythm on any key or pad") from exc
        raise
    return drums.pattern
