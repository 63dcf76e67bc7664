"""Overlapping area of two distributions (Yang & Lerch 2020), from samples, by Gaussian KDE."""

from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde


def _kde(x: np.ndarray, grid: np.ndarray, scale: float) -> np.ndarray:
    if np.ptp(x) < 1e-9:  # a constant: a narrow bump so the KDE does not break on a singular covariance
        return np.exp(-0.5 * ((grid - x[0]) / (0.02 * scale)) ** 2)
    return gaussian_kde(x)(grid)


def overlapping_area(a: np.ndarray, b: np.ndarray, points: int = 512) -> float:
    """Area under min(pdf_a, pdf_b) in [0, 1]: 1 = the same distribution, 0 = disjoint."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    scale = max(hi - lo, 1e-6)
    grid = np.linspace(lo - 0.25 * scale, hi + 0.25 * scale, points)
    pa, pb = _kde(a, grid, scale), _kde(b, grid, scale)
    pa /= np.trapezoid(pa, grid)
    pb /= np.trapezoid(pb, grid)
    return float(np.clip(np.trapezoid(np.minimum(pa, pb), grid), 0.0, 1.0))
