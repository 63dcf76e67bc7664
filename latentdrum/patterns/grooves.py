"""What makes a pattern a playable groove: hits per bar, downbeats and backbeats, counted per bar.

All functions take hit arrays ``(N, T, V)`` in {0, 1} (the first V channels of the pattern tensor,
T = 16 x bars, voices in :data:`~latentdrum.patterns.drummaps.VOICES` order) and are vectorised
over N. A *downbeat* is step 0 of a bar, the *backbeat* steps 4 and 12 (beats 2 and 4); a hit
counts where the grid puts it (its micro-timing offset does not move it off its step).

:class:`GrooveStats` summarises a set of real windows of one style; the rhythm space keeps one per
style and uses it to refuse degenerate samples (:func:`is_degenerate`) and, for styles that have a
backbeat, to ask the first groove a player hears for one (:func:`has_backbeat`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.pattern import STEPS_PER_BAR

KICK, SNARE = VOICES.index("kick"), VOICES.index("snare")
PULSE_VOICES = tuple(VOICES.index(v) for v in ("closed_hat", "open_hat", "ride"))
MIN_PULSE = 4  # hits per bar on hats and ride that make a time-keeping pulse
BACKBEAT_STEPS = (4, 12)
BACKBEAT_STYLE_RATE = 0.4  # a style "has a backbeat" when this share of its real bars put the snare on 2 and 4


def _bars(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N, bars, 16, V)."""
    n, t, v = hits.shape
    return (np.asarray(hits) > 0.5).reshape(n, t // STEPS_PER_BAR, STEPS_PER_BAR, v)


def hits_per_bar(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N,) mean number of hits per bar."""
    return _bars(hits).sum(axis=(2, 3)).mean(axis=1).astype(np.float64)


def bar_hit_counts(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N, bars) hits in each bar."""
    return _bars(hits).sum(axis=(2, 3))


def kick_on_downbeat(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N, bars) bool: the kick strikes the bar's first step."""
    return _bars(hits)[:, :, 0, KICK]


def snare_on_backbeat(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N, bars) bool: the snare strikes both beat 2 and beat 4 of the bar."""
    b = _bars(hits)
    return b[:, :, BACKBEAT_STEPS[0], SNARE] & b[:, :, BACKBEAT_STEPS[1], SNARE]


@dataclass(frozen=True)
class GrooveStats:
    """Per-style reference numbers from real windows (rates are shares of bars)."""

    windows: int
    hits_p02: float
    hits_p10: float
    hits_p50: float
    hits_p90: float
    kick_downbeat: float
    snare_backbeat: float

    @property
    def backbeat(self) -> bool:
        """Whether the style's real grooves mostly put the snare on 2 and 4."""
        return self.snare_backbeat >= BACKBEAT_STYLE_RATE

    def to_list(self) -> list[float]:
        return [float(x) for x in asdict(self).values()]

    @classmethod
    def from_list(cls, values: Any) -> GrooveStats:
        n, p02, p10, p50, p90, kick, snare = (float(x) for x in values)
        return cls(int(n), p02, p10, p50, p90, kick, snare)


def groove_stats(hits: np.ndarray) -> GrooveStats:
    """Reference numbers of a set of real windows ``(N, T, V)`` (N >= 1)."""
    hpb = hits_per_bar(hits)
    p02, p10, p50, p90 = (float(x) for x in np.quantile(hpb, [0.02, 0.1, 0.5, 0.9]))
    return GrooveStats(len(hpb), p02, p10, p50, p90, float(kick_on_downbeat(hits).mean()),
                       float(snare_on_backbeat(hits).mean()))


def min_hits_per_bar(stats: GrooveStats, density: float = 0.0) -> float:
    """The sparsest a sample of this style may be before it counts as degenerate.

    Half the style's 10th percentile of hits per bar, at least 2; a density knob below 0 lowers
    it (to a quarter at -1: the player asked for sparse), never below 1 hit per bar.
    """
    floor = max(2.0, 0.5 * stats.hits_p10)
    return max(1.0, floor * (1.0 + 0.75 * min(0.0, density)))


def is_degenerate(hits: np.ndarray, stats: GrooveStats, density: float = 0.0) -> np.ndarray:
    """(N, T, V) -> (N,) bool: a bar without any hit, or fewer hits per bar than
    :func:`min_hits_per_bar` allows."""
    counts = bar_hit_counts(hits)
    return (counts.min(axis=1) == 0) | (counts.mean(axis=1) < min_hits_per_bar(stats, density))


def has_pulse(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N,) bool: hats and ride together keep time (at least 4 hits in every bar)."""
    return (_bars(hits)[..., list(PULSE_VOICES)].sum(axis=(2, 3)) >= MIN_PULSE).all(axis=1)


def has_backbeat(hits: np.ndarray) -> np.ndarray:
    """(N, T, V) -> (N,) bool: the kick on the first downbeat and the snare on 2 and 4 in at least
    half the bars: what a first groove in a backbeat style should have."""
    return kick_on_downbeat(hits)[:, 0] & (snare_on_backbeat(hits).mean(axis=1) >= 0.5)
