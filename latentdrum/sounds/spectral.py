"""The sound model's representation: log band spectrograms, and fast audio synthesis from them.

Analysis (:func:`log_bands`): a one-shot ``(B, L)`` at 44.1 kHz, L = 44100, becomes a
``(B, T, F)`` float32 array of natural-log band amplitudes, T = 173 STFT frames (Hann 1024,
hop 256, 5.8 ms), F = 80 mel bands (each the mean |STFT| of its bins, floor ``exp(LOG_FLOOR)``).

Synthesis (:func:`synthesize`) is the inverse the decoder uses at run time: log bands ->
linear magnitudes per STFT bin (linear interpolation between band centres on the mel scale,
optionally warped in frequency: that is how the pitch knob shifts a sound) -> phase by a few
iterations of fast Griffin-Lim (Perraudin et al. 2013, momentum 0.99) from a fixed random phase
-> inverse STFT. Measured on 60 real one-shots (log-mel distance in dB, lower is better):
random phase alone 3.6 dB, 4 iterations 0.46 dB, 32 iterations 0.19 dB; with the 80-band
smoothing the model works in, 4 iterations 0.81 dB vs 32 iterations 0.71 dB, so 4 iterations
keep almost all the quality at 1/8 of the cost.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

SR = 44100
N_FFT = 1024
HOP = 256
N_BINS = N_FFT // 2 + 1
LENGTH = 44100
N_FRAMES = 1 + LENGTH // HOP  # 173
N_BANDS = 80
LOG_FLOOR = -9.0  # ln amplitude floor (about -78 dB re a full-scale bin)
GLA_ITERS = 4

_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
_PADDED = LENGTH + 2 * N_FFT


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


BIN_HZ = np.arange(N_BINS) * SR / N_FFT
_MEL_EDGES = _mel_to_hz(np.linspace(_hz_to_mel(np.array(20.0)), _hz_to_mel(np.array(SR / 2)), N_BANDS + 2))
BAND_HZ = _MEL_EDGES[1:-1]  # (F,) band centres in Hz


def _band_matrix() -> np.ndarray:
    """``(F, N_BINS)`` triangular weights, each row summing to 1 (a band = mean |STFT| of its bins)."""
    w = np.zeros((N_BANDS, N_BINS))
    for b in range(N_BANDS):
        lo, c, hi = _MEL_EDGES[b], _MEL_EDGES[b + 1], _MEL_EDGES[b + 2]
        up = (BIN_HZ - lo) / (c - lo)
        down = (hi - BIN_HZ) / (hi - c)
        w[b] = np.maximum(0.0, np.minimum(up, down))
        if w[b].sum() == 0:  # band narrower than a bin: take the nearest bin
            w[b, int(np.argmin(np.abs(BIN_HZ - c)))] = 1.0
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


BANDS = _band_matrix()


def interp_matrix(ratio: float = 1.0) -> np.ndarray:
    """``(N_BINS, F)`` matrix reading band values at each bin's frequency divided by ``ratio``.

    ``ratio`` > 1 moves the spectrum up (pitch up), linear interpolation on the mel scale.
    """
    src = BIN_HZ / ratio
    pos = np.interp(_hz_to_mel(src), _hz_to_mel(BAND_HZ), np.arange(N_BANDS))
    lo = np.clip(np.floor(pos).astype(int), 0, N_BANDS - 1)
    hi = np.minimum(lo + 1, N_BANDS - 1)
    frac = pos - lo
    # Above the top band's centre the spectrum fades out over an octave (pitched down, nothing
    # is invented up there); below the lowest centre it holds the lowest band.
    fade = np.clip(1.0 - np.log2(np.maximum(src, 1.0) / BAND_HZ[-1]), 0.0, 1.0)
    m = np.zeros((N_BINS, N_BANDS), dtype=np.float32)
    rows = np.arange(N_BINS)
    np.add.at(m, (rows, lo), (1.0 - frac) * fade)
    np.add.at(m, (rows, hi), frac * fade)
    return m


_INTERP_1 = interp_matrix(1.0)


def _frames(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` -> ``(B, T, N_FFT)`` windowed frames, centred (signal padded by N_FFT/2)."""
    xp = np.pad(x, ((0, 0), (N_FFT // 2, N_FFT // 2 + N_FFT)))
    fr = np.lib.stride_tricks.sliding_window_view(xp, N_FFT, axis=-1)[:, ::HOP][:, :N_FRAMES]
    return fr * _WINDOW


def stft(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` float -> ``(B, T, N_BINS)`` complex64 STFT."""
    # scipy's rfft: numpy 2's is ~15x slower on float32 frames here (measured 2.9 ms vs 0.17 ms).
    return scipy.fft.rfft(_frames(np.asarray(x, dtype=np.float32)), axis=-1).astype(np.complex64, copy=False)


_WSUM = np.zeros(_PADDED, dtype=np.float64)
for _t in range(N_FRAMES):
    _WSUM[_t * HOP : _t * HOP + N_FFT] += _WINDOW.astype(np.float64) ** 2
_INV_WSUM = (1.0 / np.maximum(_WSUM, 1e-3)).astype(np.float32)


def _overlap_add(spec: np.ndarray) -> np.ndarray:
    """``(B, T, N_BINS)`` complex -> ``(B, L + 2 N_FFT)`` float32, the padded signal (least squares)."""
    b = spec.shape[0]
    fr = scipy.fft.irfft(spec, n=N_FFT, axis=-1) * _WINDOW  # (B, T, N) float32
    # Overlap-add with hop = N/4: four interleaved groups of frames that tile without overlap.
    out = np.zeros((b, _PADDED), dtype=np.float32)
    k = N_FFT // HOP
    for j in range(k):
        sub = fr[:, j::k]  # (B, T_j, N): frames j, j+k, ... are N apart
        n = sub.shape[1]
        out[:, j * HOP : j * HOP + n * N_FFT] += sub.reshape(b, n * N_FFT)
    out *= _INV_WSUM
    return out


def istft(spec: np.ndarray) -> np.ndarray:
    """``(B, T, N_BINS)`` complex -> ``(B, L)`` float32 (least-squares overlap-add)."""
    return _overlap_add(spec)[:, N_FFT // 2 : N_FFT // 2 + LENGTH]


def log_bands(audio: np.ndarray) -> np.ndarray:
    """``(B, L)`` or ``(L,)`` audio -> ``(B, T, F)`` float32 natural-log band amplitudes (>= LOG_FLOOR)."""
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    if x.shape[1] != LENGTH:
        x = np.pad(x, ((0, 0), (0, max(0, LENGTH - x.shape[1]))))[:, :LENGTH]
    mag = np.abs(stft(x))  # (B, T, N_BINS)
    bands = mag @ BANDS.T  # (B, T, F)
    return np.maximum(np.log(np.maximum(bands, 1e-12)), LOG_FLOOR).astype(np.float32)


ONSET_SAMPLE = 64  # = latentdrum.sounds.audio.PRE_ROLL: where every one-shot's onset lies
ONSET_GATE = np.ones(LENGTH, dtype=np.float32)
ONSET_GATE[:ONSET_SAMPLE] = (0.5 - 0.5 * np.cos(np.pi * (np.arange(ONSET_SAMPLE) + 0.5) / ONSET_SAMPLE)) ** 2
_GATE_PADDED = np.zeros(_PADDED, dtype=np.float32)  # the gate in the padded domain: 0 outside the sound
_GATE_PADDED[N_FFT // 2 : N_FFT // 2 + LENGTH] = ONSET_GATE
_RNG_PHASE = np.exp(2j * np.pi * np.random.default_rng(1234).random((N_FRAMES, N_BINS))).astype(np.complex64)


def griffin_lim(mag: np.ndarray, iters: int = GLA_ITERS, momentum: float = 0.99) -> np.ndarray:
    """``(B, T, N_BINS)`` linear magnitudes -> ``(B, L)`` float32 audio (fast Griffin-Lim)."""
    mag = np.asarray(mag, dtype=np.float32)
    spec = mag * _RNG_PHASE
    prev = None
    for _ in range(iters):
        # Sounds are onset-aligned (see audio.PRE_ROLL): enforcing silence before the onset in
        # every iteration removes the pre-echo random phases leave, and sharpens the attack.
        xp = _overlap_add(spec)
        xp *= _GATE_PADDED
        fr = np.lib.stride_tricks.sliding_window_view(xp, N_FFT, axis=-1)[:, ::HOP][:, :N_FRAMES] * _WINDOW
        c = scipy.fft.rfft(fr, axis=-1, overwrite_x=True)
        if prev is None:
            spec = c.copy()
        else:  # spec = c + momentum * (c - prev), in place: these arrays are memory-bound
            np.subtract(c, prev, out=spec)
            spec *= momentum
            spec += c
        prev = c
        gain = np.abs(spec)
        np.maximum(gain, 1e-9, out=gain)
        np.divide(mag, gain, out=gain)
        spec *= gain
    return istft(spec) * ONSET_GATE


def bands_to_magnitude(logb: np.ndarray, pitch_ratio: np.ndarray | float | None = None) -> np.ndarray:
    """``(B, T, F)`` log bands -> ``(B, T, N_BINS)`` float32 linear magnitudes, optionally pitch-warped
    by a per-sound ``pitch_ratio`` (``(B,)`` or scalar, 1 = unchanged)."""
    amp = np.exp(np.asarray(logb, dtype=np.float32))
    amp = np.where(logb <= LOG_FLOOR + 1e-3, 0.0, amp).astype(np.float32)
    if pitch_ratio is None:
        return amp @ _INTERP_1.T
    ratios = np.broadcast_to(np.asarray(pitch_ratio, dtype=np.float64), (amp.shape[0],))
    out = np.empty((amp.shape[0], amp.shape[1], N_BINS), dtype=np.float32)
    for i, r in enumerate(ratios):
        out[i] = amp[i] @ (_INTERP_1 if abs(r - 1.0) < 1e-6 else interp_matrix(float(r))).T
    return out


def synthesize(logb: np.ndarray, pitch_ratio: np.ndarray | float | None = None, iters: int = GLA_ITERS) -> np.ndarray:
    """``(B, T, F)`` log bands -> ``(B, L)`` float32 audio at 44.1 kHz (not yet cleaned or normalised).

    Works through the batch a few sounds at a time: the spectra of 40 sounds (28 MB) do not fit
    in a CPU cache, and chunks of 4 decode about 1.5x faster per sound than one big batch.
    """
    logb = np.asarray(logb, dtype=np.float32)
    ratios = None if pitch_ratio is None else np.broadcast_to(np.asarray(pitch_ratio, np.float64), (len(logb),))
    out = np.empty((len(logb), LENGTH), dtype=np.float32)
    for i in range(0, len(logb), 4):
        r = None if ratios is None else ratios[i : i + 4]
        out[i : i + 4] = griffin_lim(bands_to_magnitude(logb[i : i + 4], r), iters=iters)
    return out
