"""Tiny MIDI files written by the tests themselves (mido), for exact expectations."""

from __future__ import annotations

from pathlib import Path

import mido


def write_notes(
    path: Path,
    notes: list[tuple[int, int, int]],
    ticks_per_beat: int = 480,
    bpm: float = 120.0,
    channel: int = 9,
    time_signature: tuple[int, int] | None = (4, 4),
    midi_type: int = 1,
    tempo_changes: list[tuple[int, float]] | None = None,
) -> Path:
    """Write ``notes`` = [(tick, pitch, velocity)] as a MIDI file and return its path."""
    events: list[tuple[int, mido.Message | mido.MetaMessage]] = []
    if time_signature:
        num, den = time_signature
        events.append((0, mido.MetaMessage("time_signature", numerator=num, denominator=den)))
    events.append((0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
    for tick, b in tempo_changes or []:
        events.append((tick, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(b))))
    for tick, pitch, vel in notes:
        events.append((tick, mido.Message("note_on", note=pitch, velocity=vel, channel=channel)))
        events.append((tick + 30, mido.Message("note_off", note=pitch, velocity=0, channel=channel)))
    events.sort(key=lambda e: e[0])
    mid = mido.MidiFile(type=midi_type, ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    last = 0
    for tick, msg in events:
        track.append(msg.copy(time=tick - last))
        last = tick
    mid.tracks.append(track)
    mid.save(path)
    return path
