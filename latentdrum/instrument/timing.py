"""When each hit sounds: tempo, swing and micro-timing, over several loops.

**Swing** is MPC-style, given in percent from 50 (straight) to 75: within each pair of 16th
notes, the first one lasts ``swing`` percent of the pair (an 8th note), i.e. every odd 16th
step (the off-beat "e" and "a" of each beat) is delayed by ``(swing - 50) / 50`` of a step.
66.7 % is a triplet feel; 75 % delays the off-beat 16ths by half a step.

**Micro-timing** offsets (in steps, from the pattern) are added on top of the swung grid, the
way an MPC's swing moves the grid and a recorded performance is played relative to it.

The time of a hit on step ``s`` of loop ``k`` is therefore::

    t = (k * T + s + swing_delay * (s % 2) + offset) * step_seconds

with ``T`` the pattern's steps and ``step_seconds = 60 / bpm / 4``. Its sample is
``round(t * sample_rate)``: every hit starts within half a sample (11 us) of its intended time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.patterns.pattern import STEPS_PER_BEAT, Pattern

MIN_SWING, MAX_SWING = 50.0, 75.0


def check_swing(swing: float) -> float:
    if not MIN_SWING <= float(swing) <= MAX_SWING:
        raise ConfigError(f"swing must lie in [{MIN_SWING:g}, {MAX_SWING:g}] percent (50 = straight), got {swing}")
    return float(swing)


def swing_delay_steps(swing: float) -> float:
    """How far (in steps) swing delays each odd 16th step: ``(swing - 50) / 50``."""
    return (check_swing(swing) - MIN_SWING) / MIN_SWING


def step_seconds(bpm: float) -> float:
    return 60.0 / float(bpm) / STEPS_PER_BEAT


def loop_samples(pattern: Pattern, bpm: float, sample_rate: int, loops: int = 1) -> int:
    """Length in samples of ``loops`` repetitions: ``round(loops * steps * step_seconds * sample_rate)``."""
    return round(loops * pattern.steps * step_seconds(bpm) * sample_rate)


@dataclass(frozen=True)
class HitSchedule:
    """Every hit of a span of loops, in pattern order (loop, then step, then voice).

    All arrays are ``(H,)``: ``time`` in seconds from the start of loop 0 (float64; may be
    negative for a hit pushed early before loop 0), ``voice`` index, ``velocity`` in [0, 1],
    ``step`` within the pattern and ``loop`` index.
    """

    time: np.ndarray
    voice: np.ndarray
    velocity: np.ndarray
    step: np.ndarray
    loop: np.ndarray

    def __len__(self) -> int:
        return int(self.time.shape[0])


def schedule(pattern: Pattern, bpm: float, swing: float, first_loop: int, last_loop: int) -> HitSchedule:
    """The hits of loops ``first_loop .. last_loop`` (inclusive) at ``bpm`` and ``swing`` percent."""
    steps, voices = np.nonzero(pattern.hits)  # row-major: step, then voice
    delay = swing_delay_steps(swing)
    grid = steps + delay * (steps % 2) + pattern.offsets[steps, voices].astype(np.float64)
    loops = np.arange(first_loop, last_loop + 1)
    n = steps.shape[0]
    pos = (loops[:, None] * pattern.steps + grid[None, :]).reshape(-1)
    return HitSchedule(
        time=pos * step_seconds(bpm),
        voice=np.tile(voices, loops.shape[0]),
        velocity=np.tile(pattern.velocities[steps, voices], loops.shape[0]),
        step=np.tile(steps, loops.shape[0]),
        loop=np.repeat(loops, n),
    )
