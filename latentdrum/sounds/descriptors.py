"""Sound descriptors measured on audio: what the knobs are checked against.

All functions take ``(B, L)`` (or ``(L,)``) float audio at 44.1 kHz and return ``(B,)`` float64:

- ``brightness``: spectral centroid in Hz of the whole sound (magnitude-weighted, 30 Hz-20 kHz);
- ``pitch``: the centroid pitch in Hz: the power-weighted mean of log-frequency of the time-summed
  spectrum (30 Hz-20 kHz). Power weighting pulls it to where the energy is concentrated (a kick's
  or a tom's fundamental region); unlike an arg-max it never jumps between two near-equal peaks,
  and unlike the (amplitude-weighted, linear-frequency) brightness it follows the strongest
  partials rather than the high-frequency tail;
- ``decay``: seconds to fall 30 dB, estimated as reverberation time is: 3 x the time the
  backward-integrated energy (Schroeder curve) takes to fall 10 dB from the onset.
  The curve is smooth and monotone, so the measure is stable, and a sound cut at 1 s has one;
- ``attack``: the attack time in ms as the energy-weighted mean time of the first 50 ms after the
  onset (temporal centroid): a slow rise moves it later, a sharp transient earlier.

Not a knob's descriptor: :func:`fundamental`, the frequency a kick or a tom is tuned to (what
encoding keeps, see :meth:`latentdrum.spaces.sound.SoundSpace.encode_tuned`).
"""

from __future__ import annotations

import numpy as np

from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.spectral import BIN_HZ, stft

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


_LOG2F = np.log2(np.maximum(BIN_HZ, 1.0))


def pitch(x: np.ndarray, spec: np.ndarray | None = None) -> np.ndarray:
    s = (_spectrum(np.atleast_2d(x)) if spec is None else spec)[:, _BAND] ** 2  # power
    return 2.0 ** ((s @ _LOG2F[_BAND]) / np.maximum(s.sum(axis=1), 1e-12))


def decay(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    peak = np.full(len(x), PRE_ROLL)  # one-shots are onset-aligned (audio.PRE_ROLL)
    energy = np.cumsum((x**2)[:, ::-1], axis=1)[:, ::-1]  # Schroeder backward integral
    out = np.zeros(len(x))
    for i, (e, p) in enumerate(zip(energy, peak, strict=True)):
        db = 10 * np.log10(np.maximum(e[p:], 1e-20) / max(e[p], 1e-20))
        k = int(np.argmax(db <= -10.0)) if np.any(db <= -10.0) else len(db) - 1
        if 0 < k < len(db):  # interpolate the -10 dB crossing between samples k-1 and k
            k = k - 1 + (db[k - 1] + 10.0) / max(db[k - 1] - db[k], 1e-12)
        out[i] = 3.0 * k / SAMPLE_RATE
    return out


def attack(x: np.ndarray, onset: int = PRE_ROLL, span_ms: float = 50.0) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = int(span_ms * SAMPLE_RATE / 1000)
    seg = x[:, onset : onset + n] ** 2
    t = np.arange(seg.shape[1]) / SAMPLE_RATE * 1000.0
    return (seg @ t) / np.maximum(seg.sum(axis=1), 1e-12)


def fundamental(x: np.ndarray, onset: int = PRE_ROLL, lo_hz: float = 30.0, hi_hz: float = 1500.0) -> np.ndarray:
    """``(B,)`` Hz: the strongest spectral peak between ``lo_hz`` and ``hi_hz`` from 20 to 200 ms
    after the onset (Hann window, FFT zero-padded to 32768 points: 1.3 Hz bins). For a kick or a
    tom that is its fundamental, the pitch a player tunes it by; the first 20 ms (the stick's
    click) and the late tail are left out. Onset-aligned audio at 44.1 kHz, at least 200 ms."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    seg = x[:, onset + int(0.02 * SAMPLE_RATE) : onset + int(0.2 * SAMPLE_RATE)]
    n_fft = 32768
    mag = np.abs(np.fft.rfft(seg * np.hanning(seg.shape[1]), n_fft, axis=1))
    hz = np.fft.rfftfreq(n_fft, 1.0 / SAMPLE_RATE)
    band = (hz >= lo_hz) & (hz <= hi_hz)
    return hz[band][np.argmax(mag[:, band], axis=1)]


def describe(x: np.ndarray) -> dict[str, np.ndarray]:
    """All descriptors of a batch ``(B, L)``; keys are :data:`DESCRIPTORS`, values ``(B,)`` float64."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float32))
    spec = _spectrum(x)
    return {"brightness": brightness(x, spec), "pitch": pitch(x, spec), "decay": decay(x), "attack": attack(x)}
