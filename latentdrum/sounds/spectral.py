"""The sound model's representation: full-resolution log-magnitude STFTs, and audio from them.

Analysis (:func:`log_magnitude`): a one-shot ``(B, L)`` at 44.1 kHz, onset at sample
:data:`~latentdrum.sounds.audio.PRE_ROLL`, becomes a ``(B, T, N_BINS)`` float32 array of natural-log |STFT|
magnitudes, T = 1 + L // HOP frames (Hann 1024, hop 256: 5.8 ms), N_BINS = 513 bins of 43 Hz,
floored at :data:`LOG_FLOOR`. Every bin is kept: the partials of a kick's falling sine, a snare
shell's ring or a cymbal's metallic comb stay where they are (a mel-band representation smears
them into noise before any model is trained, see issue 10's measurements).

The way back (:mod:`latentdrum.sounds.synthesis`): a phase estimated from the magnitudes, then
:func:`griffin_lim` (fast Griffin-Lim, Perraudin et al. 2013, keeping silence before the onset)
and the inverse STFT. Sounds are up to :data:`MAX_LENGTH` samples (3 s: crashes and rides ring
that long).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from latentdrum.sounds import kernels
from latentdrum.sounds.audio import MAX_SAMPLES, PRE_ROLL, SAMPLE_RATE

N_FFT = 1024
HOP = 256
N_BINS = N_FFT // 2 + 1
MAX_LENGTH = MAX_SAMPLES  # 3 s
LOG_FLOOR = -9.0  # ln amplitude floor: about 126 dB under a full-scale sine's bin
GLA_ITERS = 4
BIN_HZ = np.arange(N_BINS) * SAMPLE_RATE / N_FFT

_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def n_frames(length: int) -> int:
    """STFT frames of a ``length``-sample sound (centred frames, one every HOP samples)."""
    return 1 + length // HOP


def frames_to_length(frames: int) -> int:
    """The length in samples that :func:`synthesize` gives for ``frames`` frames."""
    return (frames - 1) * HOP


def _frames(x: np.ndarray, t: int) -> np.ndarray:
    """``(B, L)`` float32 -> ``(B, t, N_FFT)`` windowed frames, centred (signal padded by N_FFT/2)."""
    xp = np.pad(x, ((0, 0), (N_FFT // 2, N_FFT // 2 + N_FFT)))
    out = np.empty((x.shape[0], t, N_FFT), dtype=np.float32)
    kernels.frame(xp, _WINDOW, HOP, out)
    return out


# The FFTs run in torch, in float32: for 517 frames of 1024 on one thread its rfft and irfft take
# 0.50 and 0.59 ms, scipy's 0.71 and 0.75, numpy 2's several times that.
def _rfft(frames: np.ndarray) -> np.ndarray:
    """``(..., N_FFT)`` float32 frames -> ``(..., N_BINS)`` complex64."""
    return torch.fft.rfft(torch.from_numpy(np.ascontiguousarray(frames, dtype=np.float32)), dim=-1).numpy()


def _irfft(spec: np.ndarray) -> np.ndarray:
    """``(..., N_BINS)`` complex -> ``(..., N_FFT)`` float32 frames."""
    spec = np.ascontiguousarray(spec, dtype=np.complex64)
    return torch.fft.irfft(torch.from_numpy(spec), n=N_FFT, dim=-1).numpy()


def stft(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` float -> ``(B, T, N_BINS)`` complex64 STFT, T = 1 + L // HOP."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float32))
    return _rfft(_frames(x, n_frames(x.shape[1])))


@functools.lru_cache(maxsize=16)
def _inverse_window_sum(t: int) -> np.ndarray:
    """``(padded length,)`` float32: 1 / the summed squared windows of ``t`` frames (least squares)."""
    wsum = np.zeros(t * HOP + 2 * N_FFT, dtype=np.float64)
    w2 = _WINDOW.astype(np.float64) ** 2
    for i in range(t):
        wsum[i * HOP : i * HOP + N_FFT] += w2
    return (1.0 / np.maximum(wsum, 1e-3)).astype(np.float32)


def _overlap_add(spec: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """``(B, T, N_BINS)`` complex -> ``(B, T*HOP + 2*N_FFT)`` float32, the padded signal.

    ``scale``: what each sample is multiplied by, default the inverse summed squared windows
    (least squares); Griffin-Lim passes those times its onset gate.
    """
    b, t = spec.shape[:2]
    scale = _inverse_window_sum(t) if scale is None else scale
    out = np.empty((b, len(scale)), dtype=np.float32)
    kernels.overlap_add(_irfft(spec), _WINDOW, HOP, scale, out)
    return out


def istft(spec: np.ndarray, length: int | None = None) -> np.ndarray:
    """``(B, T, N_BINS)`` complex -> ``(B, length)`` float32 (default ``frames_to_length(T)``)."""
    length = frames_to_length(spec.shape[1]) if length is None else length
    return _overlap_add(spec)[:, N_FFT // 2 : N_FFT // 2 + length]


def log_magnitude(audio: np.ndarray, length: int = MAX_LENGTH) -> np.ndarray:
    """``(B, L)`` or ``(L,)`` audio -> ``(B, T, N_BINS)`` float32 ln |STFT| (>= LOG_FLOOR).

    The audio is zero-padded or cut to ``length`` samples first, so T = 1 + length // HOP.
    """
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    if x.shape[1] != length:
        x = np.pad(x, ((0, 0), (0, max(0, length - x.shape[1]))))[:, :length]
    mag = np.abs(stft(x))
    return np.maximum(np.log(np.maximum(mag, 1e-12)), LOG_FLOOR).astype(np.float32)


def onset_gate(length: int) -> np.ndarray:
    """``(length,)`` float32: 0 before the onset pre-roll, a raised-cosine rise over it, then 1."""
    g = np.ones(length, dtype=np.float32)
    n = min(PRE_ROLL, length)
    g[:n] = (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / PRE_ROLL)) ** 2
    return g


def griffin_lim(mag: np.ndarray, phase: np.ndarray, iters: int = GLA_ITERS, momentum: float = 0.99) -> np.ndarray:
    """``(B, T, N_BINS)`` linear magnitudes and initial phases (radians) -> ``(B, L)`` float32 audio.

    Fast Griffin-Lim; every iteration also enforces silence before the onset (sounds are
    onset-aligned), which removes pre-echo and keeps the attack sharp. ``iters = 0`` is the
    inverse STFT of the initial phase.
    """
    mag = np.asarray(mag, dtype=np.float32)
    t = mag.shape[1]
    length = frames_to_length(t)
    gate = np.zeros(t * HOP + 2 * N_FFT, dtype=np.float32)
    gate[N_FFT // 2 : N_FFT // 2 + length] = onset_gate(length)
    scale = _inverse_window_sum(t) * gate  # the least-squares inverse, with silence enforced
    spec = np.empty(mag.shape, dtype=np.complex64)  # mag * e^(i phase), in float32 throughout
    kernels.polar(np.ascontiguousarray(mag).ravel(), np.asarray(phase, dtype=np.float32).ravel(), spec.ravel())
    frames = np.empty((mag.shape[0], t, N_FFT), dtype=np.float32)
    flat_mag, fresh, previous = mag.ravel(), None, None
    for i in range(iters):
        kernels.frame(_overlap_add(spec, scale), _WINDOW, HOP, frames)
        fresh, previous = _rfft(frames), fresh
        kernels.project(fresh.ravel(), fresh.ravel() if previous is None else previous.ravel(), flat_mag,
                        0.0 if i == 0 else momentum, spec.ravel())
    return _overlap_add(spec, scale)[:, N_FFT // 2 : N_FFT // 2 + length]


def to_magnitude(logmag: np.ndarray) -> np.ndarray:
    """ln magnitudes -> float32 linear magnitudes, with the floor mapped to exact silence.

    The exponential is torch's (one thread: 6 x 517 x 513 values in 2.5 ms, numpy's 4-5 ms).
    """
    logmag = np.asarray(logmag, dtype=np.float32)
    mag = torch.exp(torch.from_numpy(logmag)).numpy()
    np.multiply(mag, logmag > LOG_FLOOR + 1e-3, out=mag)
    return mag
