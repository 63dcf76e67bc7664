"""A pattern as the MIDI clip of what is heard: swing and micro-timing where the renderer plays them.

:func:`clip_midi` places every note at the time the renderer plays it: the note times come from
:func:`latentdrum.instrument.timing.schedule`, the very schedule :func:`~latentdrum.instrument.render.render`
plays (tempo, MPC swing, the pattern's micro-timing offsets), over ``loops`` repetitions. The WAV
and the MIDI of one export therefore agree to the MIDI tick (0.26 ms at 120 BPM, 960 ticks per beat).

``timing="straight"`` writes the grid instead (every hit on its 16th, velocities kept), and
:func:`groove_midi` the groove to put back in the DAW: one note per 16th step at its played time
(swing plus the mean micro-timing of the hits on that step) with the mean velocity there as its
accent. Ableton (*Extract Groove*), Logic (*Make Groove Template*), Reaper (groove tool) and
FL Studio (*Groove* from a pattern) all make a groove from such a clip, then apply it to the
straight one in any amount.

Drum maps (:func:`~latentdrum.patterns.drummaps.get_drum_map`) choose the written pitches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import mido
import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.instrument.timing import check_swing, schedule, step_seconds, swing_delay_steps
from latentdrum.patterns.drummaps import GENERAL_MIDI, DrumMap
from latentdrum.patterns.export import clip_midi as _clip_midi
from latentdrum.patterns.export import groove_template_midi, save_midi
from latentdrum.patterns.pattern import Pattern, check_bpm

Timing = Literal["played", "straight"]
MAX_CLIP_LOOPS = 64


@dataclass(frozen=True)
class ClipOptions:
    """How a pattern becomes a clip.

    Attributes:
        swing: MPC swing percent in [50, 75] (50 = straight), as the renderer plays it.
        loops: repetitions written, 1-64 (the clip is ``loops`` times the pattern long).
        bpm: tempo in [20, 400]; None = the pattern's own.
        drum_map: the pitch each voice is written as.
        timing: "played" (swing and micro-timing in the notes) or "straight" (the grid; the groove
            goes into a separate template, :func:`groove_midi`).
    """

    swing: float = 50.0
    loops: int = 1
    bpm: float | None = None
    drum_map: DrumMap = field(default=GENERAL_MIDI)
    timing: Timing = "played"

    def __post_init__(self) -> None:
        check_swing(self.swing)
        if int(self.loops) != self.loops or not 1 <= self.loops <= MAX_CLIP_LOOPS:
            raise ConfigError(f"loops must be a whole number 1-{MAX_CLIP_LOOPS}, got {self.loops}")
        if self.bpm is not None:
            check_bpm(self.bpm, ConfigError)
        if self.timing not in ("played", "straight"):
            raise ConfigError(f"timing must be 'played' or 'straight', got {self.timing!r}")


def played_hits(pattern: Pattern, options: ClipOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every hit of ``options.loops`` loops: ``(positions in steps, voices, velocities)``, each ``(H,)``.

    ``played`` positions are the renderer's schedule (seconds) divided by the step length, so a
    hit's MIDI time is its audio time; ``straight`` positions are the grid steps.
    """
    bpm = float(options.bpm if options.bpm is not None else pattern.bpm)
    hits = schedule(pattern, bpm, options.swing, 0, options.loops - 1)
    if options.timing == "played":
        positions = hits.time / step_seconds(bpm)
    else:
        positions = (hits.loop * pattern.steps + hits.step).astype(np.float64)
    return positions, hits.voice, hits.velocity.astype(np.float64)


def clip_midi(pattern: Pattern, options: ClipOptions | None = None, name: str = "latentdrum") -> mido.MidiFile:
    """``pattern`` as a DAW clip (see the module docstring and :mod:`latentdrum.patterns.export`)."""
    options = options or ClipOptions()
    bpm = float(options.bpm if options.bpm is not None else pattern.bpm)
    positions, voices, velocities = played_hits(pattern, options)
    return _clip_midi(positions, voices, velocities, pattern.steps * options.loops, bpm, options.drum_map, name)


def groove_steps(pattern: Pattern, swing: float) -> tuple[np.ndarray, np.ndarray]:
    """The pattern's groove per step: ``(played position in steps, accent velocity in [0, 1])``, each ``(T,)``.

    A step's position is ``s + swing delay (odd steps) + mean offset of its hits``; its accent is
    the mean velocity of its hits, or the pattern's mean velocity where nothing is struck.
    """
    count = pattern.hits.sum(axis=1)  # (T,)
    struck = count > 0
    mean_off = np.where(struck, pattern.offsets.sum(axis=1) / np.maximum(count, 1), 0.0)
    all_mean = float(pattern.velocities.sum() / max(pattern.num_hits, 1)) if pattern.num_hits else 0.8
    accent = np.where(struck, pattern.velocities.sum(axis=1) / np.maximum(count, 1), all_mean)
    steps = np.arange(pattern.steps)
    return steps + swing_delay_steps(swing) * (steps % 2) + mean_off, accent


def groove_midi(pattern: Pattern, options: ClipOptions | None = None, name: str = "groove") -> mido.MidiFile:
    """The groove template of ``pattern`` at ``options.swing``: one note per 16th step (see :func:`groove_steps`)."""
    options = options or ClipOptions()
    bpm = float(options.bpm if options.bpm is not None else pattern.bpm)
    positions, accent = groove_steps(pattern, options.swing)
    return groove_template_midi(positions, accent, bpm, name)


def groove_path(path: str | Path) -> Path:
    """Where the groove template of the clip at ``path`` goes: ``NAME.groove.mid`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.groove.mid")


def write_clip(pattern: Pattern, path: str | Path, options: ClipOptions | None = None) -> list[Path]:
    """Write the clip to ``path``; a straight clip also gets its groove template (:func:`groove_path`).

    Returns the paths written (the clip first). The clip's track is named after the file.
    """
    options = options or ClipOptions()
    path = Path(path)
    written = [save_midi(clip_midi(pattern, options, name=path.stem), path)]
    if options.timing == "straight":
        written.append(save_midi(groove_midi(pattern, options, name=f"{path.stem} groove"), groove_path(path)))
    return written
