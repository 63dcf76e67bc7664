"""The drum pattern: hits, velocities and micro-timing per 16th-note step and voice.

A :class:`Pattern` covers a whole number of 4/4 bars at 16 steps per bar, for the 9 voices of
:data:`~latentdrum.patterns.drummaps.VOICES`. Arrays are ``(T, V)`` float32 with T = 16 * bars:

- ``hits``: 1.0 where the voice is struck on that step, else 0.0;
- ``velocities``: strike velocity in [0, 1] (MIDI velocity / 127), 0 where there is no hit;
- ``offsets``: onset time relative to the step's grid time, in steps, in [-0.5, 0.5);
  0 where there is no hit. At 120 BPM one step is 125 ms, so 0.1 is 12.5 ms late.

Tensor form (the models' input and output, GrooVAE's layout) is ``(B, T, 3 * V)`` float32:
hits in ``[..., :V]``, velocities in ``[..., V:2V]``, offsets in ``[..., 2V:]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from latentdrum.errors import LatentDrumError, PatternError
from latentdrum.patterns.drummaps import NUM_VOICES

if TYPE_CHECKING:
    import torch

STEPS_PER_BAR = 16
STEPS_PER_BEAT = 4
MAX_OFFSET = 0.5 - 1e-4  # offsets live in [-0.5, 0.5)
MIN_BPM, MAX_BPM = 20.0, 400.0  # every tempo the package takes (patterns, scenes, clips, the page)


def check_bpm(bpm: float, error: type[LatentDrumError] = PatternError) -> float:
    """Return ``bpm`` as a float, or raise ``error`` unless it lies in [MIN_BPM, MAX_BPM] (NaN does not)."""
    if not MIN_BPM <= float(bpm) <= MAX_BPM:
        raise error(f"bpm must lie in [{MIN_BPM:g}, {MAX_BPM:g}], got {bpm}")
    return float(bpm)


@dataclass(frozen=True, eq=False)
class Pattern:
    """A validated drum pattern of whole 4/4 bars; see the module docstring for units.

    The pattern owns its arrays: the constructor copies what it is given (as float32), so the
    caller's arrays are never changed (not even by the canonical zeroing below) and changing them
    afterwards does not change the pattern.
    """

    hits: np.ndarray
    velocities: np.ndarray
    offsets: np.ndarray
    bpm: float = 120.0

    def __post_init__(self) -> None:
        for name in ("hits", "velocities", "offsets"):
            arr = np.array(getattr(self, name), dtype=np.float32)  # a copy: never the caller's array
            if arr.ndim != 2 or arr.shape[1] != NUM_VOICES:
                raise PatternError(f"{name} must have shape (steps, {NUM_VOICES}), got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise PatternError(f"{name} contains NaN or infinite values")
            object.__setattr__(self, name, arr)
        steps = self.hits.shape[0]
        if steps == 0 or steps % STEPS_PER_BAR:
            raise PatternError(
                f"a pattern must be a whole number of 4/4 bars ({STEPS_PER_BAR} steps each), got {steps} steps"
            )
        if self.velocities.shape != self.hits.shape or self.offsets.shape != self.hits.shape:
            raise PatternError(
                f"hits, velocities and offsets must have the same shape, got {self.hits.shape}, "
                f"{self.velocities.shape}, {self.offsets.shape}"
            )
        if not np.all((self.hits == 0) | (self.hits == 1)):
            raise PatternError("hits must be 0 or 1")
        if self.velocities.min() < 0 or self.velocities.max() > 1:
            raise PatternError("velocities must lie in [0, 1] (MIDI velocity / 127)")
        if self.offsets.min() < -0.5 or self.offsets.max() >= 0.5:
            raise PatternError("offsets must lie in [-0.5, 0.5) of a step")
        check_bpm(self.bpm)
        # Canonical form: no velocity or offset where nothing is struck.
        self.velocities[self.hits == 0] = 0.0
        self.offsets[self.hits == 0] = 0.0

    @classmethod
    def empty(cls, bars: int = 2, bpm: float = 120.0) -> Pattern:
        if bars < 1:
            raise PatternError(f"bars must be at least 1, got {bars}")
        shape = (bars * STEPS_PER_BAR, NUM_VOICES)
        return cls(np.zeros(shape), np.zeros(shape), np.zeros(shape), bpm)

    @property
    def steps(self) -> int:
        return int(self.hits.shape[0])

    @property
    def bars(self) -> int:
        return self.steps // STEPS_PER_BAR

    @property
    def num_hits(self) -> int:
        return int(self.hits.sum())

    @property
    def step_seconds(self) -> float:
        """Duration of one 16th-note step at this pattern's tempo."""
        return 60.0 / float(self.bpm) / STEPS_PER_BEAT

    def onset_times(self) -> list[tuple[float, int, float]]:
        """Every hit as ``(time in seconds from the pattern start, voice, velocity)``, in time order."""
        steps, voices = np.nonzero(self.hits)
        times = (steps + self.offsets[steps, voices]) * self.step_seconds
        order = np.lexsort((voices, times))
        return [(float(times[i]), int(voices[i]), float(self.velocities[steps[i], voices[i]])) for i in order]

    def slice_bars(self, start_bar: int, bars: int) -> Pattern:
        """Bars ``[start_bar, start_bar + bars)``, padded with silence past the end."""
        a, b = start_bar * STEPS_PER_BAR, (start_bar + bars) * STEPS_PER_BAR
        out = Pattern.empty(bars, self.bpm)
        n = max(0, min(b, self.steps) - a)
        for src, dst in ((self.hits, out.hits), (self.velocities, out.velocities), (self.offsets, out.offsets)):
            dst[:n] = src[a : a + n]
        return out

    def with_bpm(self, bpm: float) -> Pattern:
        return Pattern(self.hits, self.velocities, self.offsets, bpm)  # the constructor copies

    def copy(self) -> Pattern:
        return self.with_bpm(self.bpm)

    def equals(self, other: Pattern, velocity_tol: float = 0.0, offset_tol: float = 0.0) -> bool:
        """Same hits, and velocities/offsets equal within the given tolerances."""
        return (
            self.hits.shape == other.hits.shape
            and bool(np.array_equal(self.hits, other.hits))
            and bool(np.all(np.abs(self.velocities - other.velocities) <= velocity_tol + 1e-6))
            and bool(np.all(np.abs(self.offsets - other.offsets) <= offset_tol + 1e-6))
        )

    def to_array(self) -> np.ndarray:
        """``(T, 3V)`` float32: hits | velocities | offsets."""
        return np.concatenate([self.hits, self.velocities, self.offsets], axis=1)

    @classmethod
    def from_array(cls, array: np.ndarray, bpm: float = 120.0, threshold: float = 0.5) -> Pattern:
        """Inverse of :meth:`to_array`, tolerant of model outputs.

        ``array`` is ``(T, 3V)``; hit values are thresholded at ``threshold`` (so probabilities
        work), velocities are clipped to [0, 1] and offsets to [-0.5, 0.5).
        """
        array = np.asarray(array, dtype=np.float32)
        if array.ndim != 2 or array.shape[1] != 3 * NUM_VOICES:
            raise PatternError(f"pattern array must have shape (steps, {3 * NUM_VOICES}), got {array.shape}")
        v = NUM_VOICES
        hits = (array[:, :v] >= threshold).astype(np.float32)
        vel = np.clip(array[:, v : 2 * v], 0.0, 1.0)
        off = np.clip(array[:, 2 * v :], -0.5, MAX_OFFSET)
        return cls(hits, vel, off, bpm)


def to_tensor(patterns: Sequence[Pattern]) -> torch.Tensor:
    """Stack patterns of equal length into a ``(B, T, 3V)`` float32 tensor (see module docstring)."""
    import torch

    if not patterns:
        raise PatternError("need at least one pattern")
    steps = {p.steps for p in patterns}
    if len(steps) != 1:
        raise PatternError(f"patterns in one batch must have the same length, got steps {sorted(steps)}")
    return torch.from_numpy(np.stack([p.to_array() for p in patterns]))


def from_tensor(tensor: torch.Tensor, bpm: float | Sequence[float] = 120.0, threshold: float = 0.5) -> list[Pattern]:
    """Split a ``(B, T, 3V)`` tensor into patterns; hit channels thresholded at ``threshold``."""
    if tensor.ndim != 3:
        raise PatternError(f"expected a (batch, steps, {3 * NUM_VOICES}) tensor, got shape {tuple(tensor.shape)}")
    arr = tensor.detach().cpu().float().numpy()
    bpms = [float(bpm)] * len(arr) if isinstance(bpm, int | float) else [float(b) for b in bpm]
    return [Pattern.from_array(a, b, threshold) for a, b in zip(arr, bpms, strict=True)]
