"""What a decoded spectrogram becomes as a one-shot: where it ends, a preview's fade, its level.

A sound is as long as it rings (:func:`sound_ends`: a closed hat a tenth of a second, a crash up
to 3 s); a preview (the draft a turned knob plays) is cut with a fade (:func:`fade_after`); every
one-shot leaves loudness-normalised and clean (:func:`normalise`).
"""

from __future__ import annotations

import numpy as np

from latentdrum.sounds import kernels, spectral
from latentdrum.sounds.audio import SAMPLE_RATE, TARGET_RMS_DB, clean_output, db_to_amp

TAIL_DB = 75.0  # a sound ends where all that follows is this far under its loudest frame


def sound_ends(mag: np.ndarray, tail_db: float = TAIL_DB) -> np.ndarray:
    """``(n,)`` int: frames each ``(n, T, F)`` spectrogram of linear magnitudes (the floor's bins
    0, see :func:`~latentdrum.sounds.spectral.to_magnitude`) needs, up to where everything after
    is ``tail_db`` under its loudest frame (at least 8 frames: 40 ms)."""
    energy = np.log(np.einsum("ntf,ntf->nt", mag, mag) + 1e-30)  # (n, T) ln power
    loud = energy >= energy.max(axis=1, keepdims=True) - tail_db / 10.0 * np.log(10.0)
    last = mag.shape[1] - 1 - np.argmax(loud[:, ::-1], axis=1)
    return np.clip(last + 2, 8, mag.shape[1])


def preview_frames(seconds: float, n_frames: int) -> int:
    """STFT frames a preview of ``seconds`` plays (as :func:`fade_after` cuts it), of ``n_frames``."""
    return max(8, min(n_frames, spectral.n_frames(round(seconds * SAMPLE_RATE))))


def fade_after(logmag: np.ndarray, seconds: float, floor: float, fade: float = 0.2) -> int:
    """Fade ``(n, T, F)`` log magnitudes out (in place) over ``fade`` s ending at ``seconds``;
    returns the frames left."""
    end = preview_frames(seconds, logmag.shape[1])
    n = max(1, min(end - 2, round(fade * SAMPLE_RATE / spectral.HOP)))
    ramp = np.log(np.maximum(np.linspace(1.0, 0.0, n + 1)[1:], 1e-6)).astype(np.float32)  # ln gain
    logmag[:, end - n : end] = np.maximum(logmag[:, end - n : end] + ramp[None, :, None], floor)
    logmag[:, end:] = floor
    return end


def normalise(audio: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Loudest 50 ms to -12 dBFS RMS, then :func:`clean_output` (peak <= -0.3 dBFS, no DC, fades)
    on each row's own ``lengths`` samples; zeros after."""
    x = np.ascontiguousarray(audio, dtype=np.float32)
    w = min(2205, x.shape[1])
    rms = np.sqrt(kernels.loudest_window_power(x, w) / w)
    gain = (db_to_amp(TARGET_RMS_DB) / np.maximum(rms, 1e-9)).astype(np.float32)
    out = np.zeros(x.shape, dtype=np.float32)
    for i, n in enumerate(lengths):
        out[i, :n] = clean_output(x[i, :n] * gain[i], fade_out=min(2205, n // 4))
    return out
