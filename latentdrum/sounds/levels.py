"""Levels and fades: decibels, RMS and the raised-cosine ramp, one definition each.

Amplitudes are linear (1.0 = full scale); decibels are amplitude decibels (20 log10), so dBFS
for a level re full scale and dB re the peak for a ratio of two levels.
"""

from __future__ import annotations

import numpy as np

AMP_FLOOR = 1e-12  # the smallest amplitude (or ratio) turned into dB: -240 dB, never -inf


def db_to_amp(db: float) -> float:
    """Decibels -> linear amplitude: 0 dB is 1.0, -6 dB about 0.5."""
    return float(10.0 ** (db / 20.0))


def amp_to_db(amp: float) -> float:
    """Linear amplitude (or a ratio of two) -> decibels, floored at :data:`AMP_FLOOR`."""
    return float(20.0 * np.log10(max(amp, AMP_FLOOR)))


def to_db(ratio: np.ndarray | float) -> np.ndarray:
    """Elementwise :func:`amp_to_db` of an array of amplitudes or ratios (same shape, float64)."""
    return 20.0 * np.log10(np.maximum(ratio, AMP_FLOOR))


def raised_cosine(n: int) -> np.ndarray:
    """``(n,)`` float32 ramp from 0 to 1 (half a Hann window): a fade-in; reversed, a fade-out."""
    return (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)).astype(np.float32)


def rms(audio: np.ndarray) -> float:
    """RMS of all of ``audio`` (any shape), linear amplitude, computed in float64."""
    return float(np.sqrt(np.mean(np.asarray(audio, dtype=np.float64) ** 2)))


def max_window_rms(audio: np.ndarray, window: int = 2205) -> float:
    """RMS of the loudest ``window``-sample stretch of ``(N,)`` audio (default 50 ms at 44.1 kHz)."""
    if len(audio) <= window:
        return rms(audio)
    c = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    return float(np.sqrt(np.max(c[window:] - c[:-window]) / window))


def rms_envelope(x: np.ndarray, win: int) -> np.ndarray:
    """``(N,)`` -> ``(N,)`` float64 centred moving RMS over ``win`` samples (zeros outside the sound)."""
    x2 = np.asarray(x, dtype=np.float64) ** 2
    c = np.concatenate([[0.0], np.cumsum(x2)])
    n = len(x2)
    lo = np.clip(np.arange(n) - win // 2, 0, n)
    hi = np.clip(np.arange(n) - win // 2 + win, 0, n)
    return np.sqrt(np.maximum(c[hi] - c[lo], 0.0) / win)
