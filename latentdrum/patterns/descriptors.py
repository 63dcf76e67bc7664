"""Rhythm descriptors: numbers a musician recognises, computed from patterns.

Used by the evaluation (samples vs real data), the dataset summary and the UI knobs. All
functions are vectorised over a batch: ``hits``, ``velocities``, ``offsets`` are ``(B, T, V)``
arrays as in :mod:`latentdrum.patterns.pattern` and every descriptor is a ``(B,)`` float array.

Units: densities in hits per bar; velocities in [0, 1]; swing and timing in fractions of a
16th-note step (x 125 ms at 120 BPM); syncopation in Longuet-Higgins & Lee units per bar.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from latentdrum.patterns.drummaps import VOICE_GROUPS
from latentdrum.patterns.pattern import STEPS_PER_BAR, Pattern

# Metrical weight of each 16th in a 4/4 bar (Longuet-Higgins & Lee 1984): bar 0, half -1,
# beats -2, 8ths -3, 16ths -4.
_METRIC_WEIGHT = np.array([0, -4, -3, -4, -2, -4, -3, -4, -1, -4, -3, -4, -2, -4, -3, -4], dtype=np.float64)

DESCRIPTOR_NAMES: tuple[str, ...] = (
    "density",
    *(f"density_{g}" for g in VOICE_GROUPS),
    "syncopation",
    "swing",
    "offbeat_ratio",
    "velocity_mean",
    "velocity_spread",
    "timing_mean",
    "timing_spread",
    "voices_used",
    "polyphony",
)


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n = mask.sum(axis=(1, 2))
    return np.where(n > 0, (x * mask).sum(axis=(1, 2)) / np.maximum(n, 1), 0.0)


def _masked_std(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    mean = _masked_mean(x, mask)[:, None, None]
    return np.sqrt(_masked_mean((x - mean) ** 2, mask))


def syncopation(onsets: np.ndarray) -> np.ndarray:
    """LHL syncopation per bar of a ``(B, T)`` onset array (any voice struck = onset).

    A note on a weak position followed by silence on the next stronger position scores the
    weight difference; the score is summed over the pattern and divided by its bars.
    """
    b, t = onsets.shape
    bars = t // STEPS_PER_BAR
    w = np.tile(_METRIC_WEIGHT, bars)
    score = np.zeros(b)
    for i in range(t):
        # Next position (cyclically) with a higher metrical weight.
        for d in range(1, STEPS_PER_BAR + 1):
            j = (i + d) % t
            if w[j] > w[i]:
                break
        between = [(i + k) % t for k in range(1, d + 1)]
        silent = ~onsets[:, between].any(axis=1)
        score += np.where(onsets[:, i] & silent, w[j] - w[i], 0.0)
    return score / bars


def compute(hits: np.ndarray, velocities: np.ndarray, offsets: np.ndarray) -> dict[str, np.ndarray]:
    """All descriptors of a batch; keys are :data:`DESCRIPTOR_NAMES`, values ``(B,)`` float64."""
    hits = np.asarray(hits, dtype=np.float64)
    velocities = np.asarray(velocities, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.float64)
    if hits.ndim == 2:
        hits, velocities, offsets = hits[None], velocities[None], offsets[None]
    t = hits.shape[1]
    bars = t / STEPS_PER_BAR
    mask = hits > 0.5
    out: dict[str, np.ndarray] = {"density": mask.sum(axis=(1, 2)) / bars}
    for group, voices in VOICE_GROUPS.items():
        out[f"density_{group}"] = mask[:, :, list(voices)].sum(axis=(1, 2)) / bars
    any_onset = np.asarray(mask.any(axis=2))
    out["syncopation"] = syncopation(any_onset)
    offbeat = np.zeros((1, t, 1), dtype=bool)
    offbeat[0, 1::2, 0] = True
    off_mask = mask & offbeat
    out["swing"] = _masked_mean(offsets, off_mask)
    out["offbeat_ratio"] = off_mask.sum(axis=(1, 2)) / np.maximum(mask.sum(axis=(1, 2)), 1)
    out["velocity_mean"] = _masked_mean(velocities, mask)
    out["velocity_spread"] = _masked_std(velocities, mask)
    out["timing_mean"] = _masked_mean(offsets, mask)
    out["timing_spread"] = _masked_std(offsets, mask)
    out["voices_used"] = mask.any(axis=1).sum(axis=1).astype(np.float64)
    occupied = any_onset.sum(axis=1)
    out["polyphony"] = np.where(occupied > 0, mask.sum(axis=(1, 2)) / np.maximum(occupied, 1), 0.0)
    return out


def describe(patterns: Sequence[Pattern]) -> dict[str, np.ndarray]:
    """Descriptors of a list of equally long patterns."""
    return compute(
        np.stack([p.hits for p in patterns]),
        np.stack([p.velocities for p in patterns]),
        np.stack([p.offsets for p in patterns]),
    )


def describe_one(pattern: Pattern) -> dict[str, float]:
    """Descriptors of one pattern as plain floats (for printing and JSON)."""
    return {k: round(float(v[0]), 4) for k, v in describe([pattern]).items()}
