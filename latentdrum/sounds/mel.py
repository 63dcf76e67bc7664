"""The mel filterbank: triangular filters equally spaced on the mel scale (HTK formula).

One definition for the three places that read a spectrum in mel bands: the sound classifier's
features (:mod:`latentdrum.sounds.features`), the evaluation's log-mel distance
(:mod:`latentdrum.evaluation.spectra`) and the realism MFCCs (:mod:`latentdrum.evaluation.realism`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from latentdrum.sounds.audio import SAMPLE_RATE


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Frequency in Hz -> mel (HTK: ``2595 log10(1 + f / 700)``)."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filters(
    n_fft: int,
    n_mels: int,
    fmin: float | None = None,
    fmax: float | None = None,
    sample_rate: int = SAMPLE_RATE,
    shape: Literal["mel", "hz"] = "mel",
    normalise: bool = True,
) -> np.ndarray:
    """``(n_mels, n_fft // 2 + 1)`` float64 triangular filters over the bins of an ``n_fft`` rFFT.

    Args:
        n_fft: FFT length; the bins are ``k * sample_rate / n_fft`` Hz.
        n_mels: number of bands; ``n_mels + 2`` edges are spaced equally in mel from ``fmin`` to
            ``fmax`` (Hz; default the first bin above DC and the Nyquist frequency).
        shape: "mel" draws each triangle straight on the mel axis, "hz" straight on the Hz axis
            (as librosa does); they differ slightly in the upper bands.
        normalise: scale each filter to sum 1 (a band reads the mean of its bins, not their sum).
    """
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    lo = freqs[1] if fmin is None else fmin
    hi = freqs[-1] if fmax is None else fmax
    edges = np.linspace(hz_to_mel(lo), hz_to_mel(hi), n_mels + 2)  # (n_mels + 2,) mel
    axis = hz_to_mel(freqs)
    if shape == "hz":
        edges, axis = mel_to_hz(edges), freqs
    up = (axis[None] - edges[:-2, None]) / (edges[1:-1, None] - edges[:-2, None])
    down = (edges[2:, None] - axis[None]) / (edges[2:, None] - edges[1:-1, None])
    w = np.maximum(0.0, np.minimum(up, down))  # (n_mels, n_fft // 2 + 1)
    if normalise:
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)
    return w
