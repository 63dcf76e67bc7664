"""MIDI in and out for drum patterns (mido).

Reading accepts type 0 and 1 files at any ticks-per-beat. The step grid is laid in ticks
(a 16th note is ``ticks_per_beat / 4``), so tempo changes move nothing on the grid; the tempo in
force at each bar start is kept for timing in seconds. Drums are read from MIDI channel 10 by
default; a file whose drums are on another channel is refused with a message naming the channels
that do hold notes, and ``channel=None`` reads every channel.

Writing produces a type 1 clip a DAW imports: a tempo/time-signature track and a drum track on
channel 10, one General MIDI pitch per voice, velocities and micro-timing kept, notes half a step
long (shorter when the same drum is struck again sooner), and the clip padded to its full length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np

from latentdrum.errors import MidiError
from latentdrum.patterns.drummaps import GENERAL_MIDI, WRITE_PITCHES, DrumMap, get_drum_map
from latentdrum.patterns.pattern import MAX_BPM, MAX_OFFSET, MIN_BPM, STEPS_PER_BAR, STEPS_PER_BEAT, Pattern

DRUM_CHANNEL = 9  # MIDI channel 10, zero-based as mido counts
DEFAULT_TEMPO_BPM = 120.0


class NotFourFourError(MidiError):
    """The file is in another metre than 4/4; latentdrum patterns are 4/4 only."""


@dataclass
class MidiDrums:
    """A whole MIDI performance read onto the step grid."""

    pattern: Pattern
    bar_bpm: np.ndarray  # (bars,) tempo in force at each bar's first tick
    ticks_per_beat: int
    unmapped_notes: int = 0


def _open(path: Path) -> mido.MidiFile:
    if not path.exists():
        raise MidiError(f"{path} does not exist")
    if not path.is_file():
        raise MidiError(f"{path} is not a file")
    try:
        return mido.MidiFile(path, clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise MidiError(f"{path} is not a readable MIDI file ({exc}); check that it is a .mid file") from exc


def read_midi(
    path: str | Path, drum_map: str | DrumMap = GENERAL_MIDI, channel: int | None = DRUM_CHANNEL
) -> MidiDrums:
    """Read the drum part of a MIDI file onto the 16th-note grid.

    Args:
        path: a type 0 or 1 standard MIDI file.
        drum_map: name ('gm', 'roland') or :class:`DrumMap`; pitches it does not list are counted
            in ``unmapped_notes`` and dropped.
        channel: zero-based channel holding the drums (9 = channel 10), or None for all channels.

    Returns:
        The performance as one :class:`Pattern` padded to whole bars (each onset at the nearest
        step, the rest in ``offsets``; two strikes of one drum on one step keep the louder), plus
        the tempo at each bar start.

    Raises:
        MidiError: unreadable file, type 2 file, or no drum notes.
        NotFourFourError: a time signature other than 4/4.
    """
    path = Path(path)
    dmap = get_drum_map(drum_map) if isinstance(drum_map, str) else drum_map
    mid = _open(path)
    if mid.type == 2:
        raise MidiError(f"{path} is a type 2 MIDI file (independent sequences); save it as type 0 or 1")
    tpb = mid.ticks_per_beat
    if not tpb or tpb <= 0:
        raise MidiError(f"{path} uses SMPTE time division; latentdrum reads files timed in ticks per beat")

    pitch_to_voice = dmap.pitch_to_voice
    tempos: list[tuple[int, float]] = [(0, DEFAULT_TEMPO_BPM)]
    notes: list[tuple[int, int, int]] = []  # (tick, voice, velocity)
    other_channels: set[int] = set()
    unmapped: dict[int, int] = {}
    tick = 0
    try:
        merged = mido.merge_tracks(mid.tracks)
    except (ValueError, TypeError) as exc:
        raise MidiError(f"{path} has damaged tracks ({exc})") from exc
    for msg in merged:
        tick += msg.time
        if msg.type == "set_tempo":
            bpm = mido.tempo2bpm(msg.tempo)
            if tempos[-1][0] == tick:
                tempos[-1] = (tick, bpm)
            else:
                tempos.append((tick, bpm))
        elif msg.type == "time_signature":
            if (msg.numerator, msg.denominator) != (4, 4):
                raise NotFourFourError(
                    f"{path} is in {msg.numerator}/{msg.denominator}; only 4/4 patterns are supported"
                )
        elif msg.type == "note_on" and msg.velocity > 0:
            if channel is not None and msg.channel != channel:
                other_channels.add(msg.channel)
                continue
            voice = pitch_to_voice.get(msg.note)
            if voice is None:
                unmapped[msg.note] = unmapped.get(msg.note, 0) + 1
                continue
            notes.append((tick, voice, msg.velocity))

    if not notes:
        if other_channels:
            chans = ", ".join(str(c + 1) for c in sorted(other_channels))
            raise MidiError(
                f"{path} has no drum notes on MIDI channel 10 (notes found on channel(s) {chans}); "
                "pass the channel that holds the drums (--channel N) or --any-channel"
            )
        if unmapped:
            raise MidiError(
                f"{path} has no notes the {dmap.name!r} drum map knows (pitches {sorted(unmapped)}); "
                "try another --drum-map"
            )
        raise MidiError(f"{path} contains no drum notes")

    step_ticks = tpb / STEPS_PER_BEAT
    ticks = np.array([n[0] for n in notes], dtype=np.float64)
    pos = ticks / step_ticks
    idx = np.floor(pos + 0.5).astype(np.int64)
    off = np.clip(pos - idx, -0.5, MAX_OFFSET)
    bars = max(1, math.ceil((int(idx.max()) + 1) / STEPS_PER_BAR))
    pattern = Pattern.empty(bars)
    hits, vel, offs = pattern.hits, pattern.velocities, pattern.offsets
    for (_, voice, velocity), i, o in zip(notes, idx, off, strict=True):
        v = velocity / 127.0
        if hits[i, voice] == 0 or v > vel[i, voice]:
            hits[i, voice], vel[i, voice], offs[i, voice] = 1.0, v, o

    bar_ticks = np.arange(bars) * STEPS_PER_BAR * step_ticks
    tempo_ticks = np.array([t for t, _ in tempos])
    tempo_bpm = np.array([b for _, b in tempos])
    bar_bpm = tempo_bpm[np.searchsorted(tempo_ticks, bar_ticks, side="right") - 1]
    bpm0 = float(np.clip(bar_bpm[0], MIN_BPM, MAX_BPM))
    return MidiDrums(
        pattern=Pattern(hits, vel, offs, bpm0),
        bar_bpm=np.clip(bar_bpm, MIN_BPM, MAX_BPM),
        ticks_per_beat=tpb,
        unmapped_notes=sum(unmapped.values()),
    )


def pattern_to_midi(pattern: Pattern, ticks_per_beat: int = 480, name: str = "latentdrum") -> mido.MidiFile:
    """Build a type 1 :class:`mido.MidiFile` drum clip from ``pattern`` (see the module docstring)."""
    step_ticks = ticks_per_beat / STEPS_PER_BEAT
    clip_end = round(pattern.steps * step_ticks)
    events: list[tuple[int, int, mido.Message]] = []  # (tick, 0 = off before 1 = on, message)
    for voice, pitch in enumerate(WRITE_PITCHES):
        steps = np.nonzero(pattern.hits[:, voice])[0]
        # A clip cannot start before tick 0 (an early downbeat is written on it), and a hit is kept
        # short of the half-step boundary, where reading it back would put it on the next step.
        onsets = [max(0, min(round((s + float(pattern.offsets[s, voice])) * step_ticks),
                             math.ceil((s + 0.5) * step_ticks) - 1)) for s in steps]
        for k, (s, on) in enumerate(zip(steps, onsets, strict=True)):
            nxt = onsets[k + 1] if k + 1 < len(onsets) else clip_end + round(step_ticks)
            off = on + max(1, min(round(step_ticks / 2), nxt - on - 1))
            velocity = int(np.clip(round(float(pattern.velocities[s, voice]) * 127), 1, 127))
            events.append((on, 1, mido.Message("note_on", channel=DRUM_CHANNEL, note=pitch, velocity=velocity)))
            events.append((off, 0, mido.Message("note_off", channel=DRUM_CHANNEL, note=pitch, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))

    meta = mido.MidiTrack(
        [
            mido.MetaMessage("track_name", name=name, time=0),
            mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(float(pattern.bpm)), time=0),
            mido.MetaMessage("end_of_track", time=clip_end),
        ]
    )
    drums = mido.MidiTrack([mido.MetaMessage("track_name", name="drums", time=0)])
    last = 0
    for tick, _, msg in events:
        drums.append(msg.copy(time=tick - last))
        last = tick
    drums.append(mido.MetaMessage("end_of_track", time=max(0, clip_end - last)))
    mid = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    mid.tracks.extend([meta, drums])
    return mid


def write_midi(pattern: Pattern, path: str | Path, ticks_per_beat: int = 480) -> Path:
    """Write ``pattern`` as a standard MIDI drum clip (see :func:`pattern_to_midi`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pattern_to_midi(pattern, ticks_per_beat, name=path.stem).save(path)
    return path


def concat(patterns: list[Pattern]) -> Pattern:
    """Join patterns end to end; the tempo is the first pattern's."""
    if not patterns:
        raise MidiError("nothing to concatenate")
    return Pattern(
        np.concatenate([p.hits for p in patterns]),
        np.concatenate([p.velocities for p in patterns]),
        np.concatenate([p.offsets for p in patterns]),
        patterns[0].bpm,
    )


def windows(drums: MidiDrums, bars: int = 2, hop: int = 1) -> list[tuple[int, Pattern]]:
    """Cut a performance into ``bars``-bar windows every ``hop`` bars: ``[(start_bar, pattern)]``.

    A performance shorter than ``bars`` (a fill) gives one window padded with silence. Each
    window's tempo is the tempo in force at its first bar.
    """
    total = drums.pattern.bars
    starts = range(0, max(1, total - bars + 1), hop)
    return [(s, drums.pattern.slice_bars(s, bars).with_bpm(float(drums.bar_bpm[s]))) for s in starts]
