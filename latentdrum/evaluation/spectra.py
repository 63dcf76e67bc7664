"""Spectrogram distances for judging sounds against real ones (evaluation only).

- :func:`log_mel_db`: 64-band mel magnitudes in dB (2048-point FFT, hop 256, floor -80 dB);
- :func:`log_mel_distance`: mean absolute dB difference of two sounds' log-mel spectrograms;
- :func:`mrstft_distance`: multi-resolution STFT distance (FFT 256/1024/4096).
"""

from __future__ import annotations

import numpy as np
import torch

from latentdrum.sounds.mel import mel_filters

# (64, 1025) mel filters from the first bin above DC to the Nyquist frequency, each summing to 1
_MEL = mel_filters(2048, 64).astype(np.float32)


def _spec(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    t = torch.stft(torch.from_numpy(np.atleast_2d(x).astype(np.float32)), n_fft, hop,
                   window=torch.hann_window(n_fft), return_complex=True)
    return t.abs().numpy().transpose(0, 2, 1)  # (B, frames, bins)


def log_mel_db(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` audio -> ``(B, frames, 64)`` mel magnitudes in dB (floor -80 dB)."""
    m = _spec(x, 2048, 256) @ _MEL.T
    return 20 * np.log10(np.maximum(m / 1024.0, 1e-4))


def log_mel_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(B,)`` mean absolute dB difference of the log-mel spectrograms of ``a`` and ``b`` ``(B, L)``."""
    return np.mean(np.abs(log_mel_db(a) - log_mel_db(b)), axis=(1, 2))


def mrstft_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(B,)`` multi-resolution STFT distance: mean |ln magnitude| difference at FFT 256/1024/4096."""
    out = np.zeros(np.atleast_2d(a).shape[0])
    for n in (256, 1024, 4096):
        sa, sb = _spec(a, n, n // 4), _spec(b, n, n // 4)
        out += np.mean(np.abs(np.log(sa + 1e-5) - np.log(sb + 1e-5)), axis=(1, 2))
    return out / 3
