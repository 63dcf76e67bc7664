"""Sound descriptors measured on audio: what the knobs are checked against.

All functions take ``(B, L)`` (or ``(L,)``) float audio at 44.1 kHz and return ``(B,)`` float64:

- ``brightness``: spectral centroid in Hz of the whole sound (magnitude-weighted, 30 Hz-20 kHz);
- ``pitch``: dominant frequency in Hz: the peak of the time-summed magnitude spectrum smoothed
  over 1/6 octave (for a kick or tom, its fundamental; for noise, where its energy centres);
- ``decay``: seconds from the envelope's peak until it last exceeds -30 dB re the peak;
- ``attack``: milliseconds for the envelope (1 ms RMS) to rise from 10 % to 90 % of its peak.
"""

from __future__ import annotations

import numpy as np

from latentdrum.sounds.spectral import BIN_HZ, SR, stft

DESCRIPTORS: tuple[str, ...] = ("brightness", "pitch", "decay", "attack")
_BAND = (BIN_HZ >= 30.0) & (BIN_HZ <= 20000.0)


def _smoothing_matrix() -> np.ndarray:
    """(N_BINS, N_BINS) row-normalised Gaussian smoothing with a width of 1/6 octave (min 1.5 bins)."""
    f = np.maximum(BIN_HZ, 1.0)
    width = np.maximum(f * (2 ** (1 / 12) - 2 ** (-1 / 12)), 1.5 * BIN_HZ[1])
    w = np.exp(-0.5 * ((BIN_HZ[None, :] - f[:, None]) / width[:, None]) ** 2)
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


_SMOOTH = _smoothing_matrix()


def _spectrum(x: np.ndarray) -> np.ndarray:
    return np.abs(stft(x)).sum(axis=1)  # (B, N_BINS), magnitude summed over time


def brightness(x: np.ndarray, spec: np.ndarray | None = None) -> np.ndarray:
    s = (_spectrum(np.atleast_2d(x)) if spec is None else spec)[:, _BAND]
    return (s @ BIN_HZ[_BAND]) / np.maximum(s.sum(axis=1), 1e-12)


def pitch(x: np.ndarray, spec: np.ndarray | None = None) -> np.ndarray:
    s = (_spectrum(np.atleast_2d(x)) if spec is None else spec) @ _SMOOTH.T
    s[:, ~_BAND] = 0.0
    k = np.argmax(s, axis=1)
    # Parabolic interpolation of the peak on the log magnitude, for sub-bin resolution.
    k = np.clip(k, 1, s.shape[1] - 2)
    rows = np.arange(len(k))
    a, b, c = (np.log(np.maximum(s[rows, k + d], 1e-12)) for d in (-1, 0, 1))
    denom = a - 2 * b + c
    delta = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0)
    return (k + np.clip(delta, -0.5, 0.5)) * BIN_HZ[1]


def envelope(x: np.ndarray, window: int = 44) -> np.ndarray:
    """``(B, L // window)`` RMS envelope in windows of ``window`` samples (1 ms)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x.shape[1] // window
    return np.sqrt(np.mean(x[:, : n * window].reshape(x.shape[0], n, window) ** 2, axis=2))


def decay(x: np.ndarray) -> np.ndarray:
    env = envelope(x)
    peak_i = np.argmax(env, axis=1)
    peak = env[np.arange(len(env)), peak_i]
    above = env >= peak[:, None] * 10 ** (-30 / 20)
    last = env.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1)
    return (last - peak_i) * 44 / SR


def attack(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    env = envelope(x, window=11)  # 0.25 ms hops for resolution...
    kernel = np.ones(4) / 4  # ...smoothed to 1 ms
    env = np.stack([np.convolve(e, kernel, mode="same") for e in env])
    peak = env.max(axis=1)
    t10 = np.argmax(env >= 0.1 * peak[:, None], axis=1)
    t90 = np.argmax(env >= 0.9 * peak[:, None], axis=1)
    return np.maximum(t90 - t10, 0) * 11 / SR * 1000.0


def describe(x: np.ndarray) -> dict[str, np.ndarray]:
    """All descriptors of a batch ``(B, L)``; keys are :data:`DESCRIPTORS`, values ``(B,)`` float64."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float32))
    spec = _spectrum(x)
    return {"brightness": brightness(x, spec), "pitch": pitch(x, spec), "decay": decay(x), "attack": attack(x)}
