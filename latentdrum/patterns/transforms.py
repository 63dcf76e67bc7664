"""The dataset's own inverse transformations (Gillick et al. 2019): what a score or a tapped
rhythm looks like, made from a real performance, so a model can learn to restore the performance.

All functions take pattern arrays ``(B, T, 3V)`` or ``(T, 3V)`` float32 in the layout of
:mod:`latentdrum.patterns.pattern` (hits | velocities | offsets) and return new arrays.

- :func:`quantize`: the score of a performance: the same hits, every velocity the same
  (:data:`FLAT_VELOCITY`), every offset 0. Humanize learns the inverse.
- :func:`tapify`: the rhythm a player taps: one channel, a tap on every step where any drum is
  struck, with the velocity and offset of that step's loudest hit, ``(B, T, 3)`` (hit, velocity,
  offset). Drumify learns the inverse.
"""

from __future__ import annotations

import numpy as np

from latentdrum.patterns.drummaps import NUM_VOICES

FLAT_VELOCITY = 0.8  # MIDI velocity ~100, what a step sequencer writes by default


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    v = NUM_VOICES
    if x.shape[-1] != 3 * v:
        raise ValueError(f"pattern arrays end in {3 * v} channels, got shape {x.shape}")
    return x[..., :v], x[..., v : 2 * v], x[..., 2 * v :]


def quantize(x: np.ndarray, velocity: float = FLAT_VELOCITY) -> np.ndarray:
    """``(..., T, 3V)`` -> the same shape: hits kept, velocities ``velocity`` on hits, offsets 0."""
    hits, _, _ = _split(x)
    return np.concatenate([hits, hits * velocity, np.zeros_like(hits)], axis=-1)


def tapify(x: np.ndarray) -> np.ndarray:
    """``(..., T, 3V)`` -> ``(..., T, 3)``: tap hit in {0, 1}, its velocity in [0, 1] and offset
    in [-0.5, 0.5) of a step, taken from each step's loudest hit (0 where nothing is struck)."""
    hits, vel, off = _split(x)
    loud = np.where(hits > 0.5, vel + 1e-3, -1.0).argmax(axis=-1)[..., None]  # (..., T, 1)
    tap = (hits.max(axis=-1, keepdims=True) > 0.5).astype(np.float32)
    tap_vel = np.take_along_axis(vel, loud, axis=-1) * tap
    tap_off = np.take_along_axis(off, loud, axis=-1) * tap
    return np.concatenate([tap, tap_vel, tap_off], axis=-1).astype(np.float32)


def loudest_voice(x: np.ndarray) -> np.ndarray:
    """``(..., T, 3V)`` -> ``(..., T)`` int: the voice of each step's loudest hit (-1 = no hit)."""
    hits, vel, _ = _split(x)
    loud = np.where(hits > 0.5, vel + 1e-3, -1.0)
    return np.where(loud.max(axis=-1) > 0, loud.argmax(axis=-1), -1)
