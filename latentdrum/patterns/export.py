"""DAW clips: timed drum hits -> a standard MIDI file a DAW takes as it is.

The input is what is *played*, not the grid: each hit's position in 16th-note steps from the clip
start (a float: a swung, late snare on step 4 is at 4.12), its voice and velocity. Whoever plays
the pattern computes the positions (:mod:`latentdrum.instrument.clip` uses the renderer's own
schedule), so the clip grooves exactly like the audio.

What the file holds (tests read it back with mido and pretty_midi):

- type 1, :data:`TICKS_PER_BEAT` = 960 ticks per quarter note (one tick is 0.52 ms at 120 BPM:
  a hit lands within 0.26 ms of where it is played);
- track 0, the conductor: the clip's name, a 4/4 time signature and the tempo;
- track 1, the drums, named after the clip: notes on MIDI channel 10, each voice at its drum map's
  write pitch (General MIDI by default), velocity 1-127;
- note lengths a drum sampler takes: a 32nd note (half a step), shortened to end a tick before the
  next strike of the same pitch, never shorter than one tick (a sampler in gate mode still sounds);
- both tracks end on the clip's last bar line, so the DAW's loop is the clip's length in bars.

A hit pushed before the clip start (a rushed downbeat) is written at tick 0; every later one keeps
its exact time.
"""

from __future__ import annotations

import io
from pathlib import Path

import mido
import numpy as np

from latentdrum.errors import PatternError
from latentdrum.patterns.drummaps import GENERAL_MIDI, DrumMap
from latentdrum.patterns.pattern import STEPS_PER_BAR, STEPS_PER_BEAT, check_bpm

DRUM_CHANNEL = 9  # MIDI channel 10, zero-based as mido counts
TICKS_PER_BEAT = 960
NOTE_STEPS = 0.5  # a 32nd note
GROOVE_PITCH = 37  # side stick: a short click wherever a DAW plays the template back


def clip_midi(
    positions: np.ndarray,
    voices: np.ndarray,
    velocities: np.ndarray,
    steps: int,
    bpm: float,
    drum_map: DrumMap = GENERAL_MIDI,
    name: str = "latentdrum",
    ticks_per_beat: int = TICKS_PER_BEAT,
) -> mido.MidiFile:
    """A drum clip of ``steps`` 16th notes at ``bpm`` (see the module docstring).

    Args:
        positions: ``(H,)`` float, each hit's played time in steps from the clip start.
        voices: ``(H,)`` int voice index (0-8, :data:`~latentdrum.patterns.drummaps.VOICES` order).
        velocities: ``(H,)`` float in [0, 1] (MIDI velocity / 127; written as 1-127).
        steps: clip length in steps, a whole number of bars.
        bpm: tempo written into the file.
        drum_map: which pitch each voice is written as.
    """
    pitches = np.asarray(drum_map.write_pitches)[np.asarray(voices, dtype=np.int64)]
    return _two_tracks(np.asarray(positions, dtype=np.float64), pitches, np.asarray(velocities, dtype=np.float64),
                       steps, bpm, name, ticks_per_beat)


def groove_template_midi(
    positions: np.ndarray, velocities: np.ndarray, bpm: float, name: str = "groove",
    ticks_per_beat: int = TICKS_PER_BEAT,
) -> mido.MidiFile:
    """A groove template: one note per 16th step at its played time, for a DAW to extract a groove from.

    ``positions`` ``(T,)`` is step ``s``'s played time in steps (``s`` plus its swing and timing),
    ``velocities`` ``(T,)`` its accent in [0, 1]; every note is :data:`GROOVE_PITCH` on channel 10.
    """
    positions = np.asarray(positions, dtype=np.float64)
    pitches = np.full(positions.shape, GROOVE_PITCH)
    return _two_tracks(positions, pitches, np.asarray(velocities, dtype=np.float64), positions.shape[0], bpm, name,
                       ticks_per_beat)


def _two_tracks(
    positions: np.ndarray, pitches: np.ndarray, velocities: np.ndarray, steps: int, bpm: float, name: str,
    tpb: int,
) -> mido.MidiFile:
    if steps <= 0 or steps % STEPS_PER_BAR:
        raise PatternError(f"a clip is a whole number of bars ({STEPS_PER_BAR} steps each), got {steps} steps")
    check_bpm(bpm)
    if not positions.shape == pitches.shape == velocities.shape:
        raise PatternError("positions, voices and velocities must have one entry per hit")
    step_ticks = tpb / STEPS_PER_BEAT
    clip_end = round(steps * step_ticks)
    onsets = np.clip(np.round(positions * step_ticks), 0, clip_end - 1).astype(np.int64)
    vel = np.clip(np.round(velocities * 127), 1, 127).astype(np.int64)
    events: list[tuple[int, int, mido.Message]] = []  # (tick, 0 = off before 1 = on, message)
    for pitch in np.unique(pitches):
        sel = np.flatnonzero(pitches == pitch)
        # One strike per tick and pitch (two voices folded onto one pitch): the louder one.
        order = sel[np.lexsort((-vel[sel], onsets[sel]))]
        ticks, keep = onsets[order], np.ones(order.shape[0], dtype=bool)
        keep[1:] = ticks[1:] != ticks[:-1]
        order, ticks = order[keep], ticks[keep]
        nxt = np.append(ticks[1:], np.iinfo(np.int64).max)
        length = np.maximum(1, np.minimum(round(NOTE_STEPS * step_ticks), nxt - ticks - 1))
        for i, on, dur in zip(order, ticks, length, strict=True):
            p, v = int(pitch), int(vel[i])
            events.append((int(on), 1, mido.Message("note_on", channel=DRUM_CHANNEL, note=p, velocity=v)))
            events.append((int(on + dur), 0, mido.Message("note_off", channel=DRUM_CHANNEL, note=p, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    end = max(clip_end, events[-1][0] if events else 0)

    conductor = mido.MidiTrack([
        mido.MetaMessage("track_name", name=name, time=0),
        mido.MetaMessage("time_signature", numerator=4, denominator=4, clocks_per_click=24,
                         notated_32nd_notes_per_beat=8, time=0),
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(float(bpm)), time=0),
        mido.MetaMessage("end_of_track", time=end),
    ])
    drums = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    last = 0
    for tick, _, msg in events:
        drums.append(msg.copy(time=tick - last))
        last = tick
    drums.append(mido.MetaMessage("end_of_track", time=end - last))
    mid = mido.MidiFile(type=1, ticks_per_beat=tpb)
    mid.tracks.extend([conductor, drums])
    return mid


def save_midi(mid: mido.MidiFile, path: str | Path) -> Path:
    """Write ``mid`` to ``path`` (folders made as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mid.save(path)
    return path


def midi_file_bytes(mid: mido.MidiFile) -> bytes:
    """``mid`` as the bytes of a ``.mid`` file."""
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()
