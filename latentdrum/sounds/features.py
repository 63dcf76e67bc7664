"""Features that tell drum classes apart by ear, for the sound classifier (numpy only).

Input: prepared one-shots (:func:`latentdrum.sounds.audio.prepare_one_shot`): ``(B, L)`` float32 at
44.1 kHz, onset at :data:`~latentdrum.sounds.audio.PRE_ROLL`, loudness-normalised, ``L`` = 1 s,
and each file's own length from the onset in seconds (``(B,)``; a crash rings on past the cut).

Output: ``(B, N_FEATURES)`` float32, per sound:

- a 32-band log-mel spectrum (30 Hz-16 kHz, dB re the sound's loudest band) averaged over three
  stretches a drummer hears apart: *attack* 0-30 ms, *body* 30-150 ms, *tail* 150 ms-1 s (96);
- per stretch: its level (dB re the loudest frame), spectral centroid (log2 Hz), spectral
  flatness (dB) and the share of energy below 200 Hz (12);
- decay: seconds (log) for the 1 ms envelope to fall 10, 20, 30 and 40 dB below its peak,
  time of the peak (ms), zero-crossing rate of the body (per sample), and the file's length
  from the onset (log seconds) (7).
"""

from __future__ import annotations

import numpy as np

from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.mel import mel_filters

FEATURE_VERSION = 1
N_FFT = 2048
HOP = 256
N_MELS = 32
STRETCHES_MS: tuple[tuple[float, float], ...] = ((0.0, 30.0), (30.0, 150.0), (150.0, 1000.0))
N_FEATURES = N_MELS * 3 + 4 * 3 + 7
_CHUNK = 32

_FREQS = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
FEATURE_SECONDS = 1  # the features look at the first second: the stretches below, what the classifier knows
_WINDOW = np.hanning(N_FFT).astype(np.float32)


# (N_MELS, N_FFT // 2 + 1) triangular filters, equally spaced in mel from 30 Hz to 16 kHz
_MEL = mel_filters(N_FFT, N_MELS, 30.0, 16000.0).astype(np.float32)
_LOG2F = np.log2(np.maximum(_FREQS, 1.0))
_LOW = _FREQS < 200.0


def _power_frames(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` audio -> ``(B, T, N_FFT // 2 + 1)`` power spectra; frame ``k`` is centred
    ``k * HOP`` samples after the onset (zero-padded before the file's start)."""
    x = np.pad(x, ((0, 0), (max(N_FFT // 2 - PRE_ROLL, 0), 0)))
    n = 1 + max(x.shape[1] - N_FFT, 0) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]  # (T, N_FFT)
    frames = np.pad(x, ((0, 0), (0, max(0, N_FFT - x.shape[1]))))[:, idx] * _WINDOW  # (B, T, N_FFT)
    return (np.abs(np.fft.rfft(frames, axis=-1)) ** 2).astype(np.float32)


def _decay_times(x: np.ndarray) -> np.ndarray:
    """``(B, L)`` -> ``(B, 5)``: log seconds to fall 10/20/30/40 dB from the envelope's peak, and
    the peak's time in ms after the onset."""
    w = 44  # 1 ms
    n = x.shape[1] // w
    env = np.sqrt(np.mean(x[:, : n * w].astype(np.float64).reshape(len(x), n, w) ** 2, axis=2))  # (B, n)
    db = 20.0 * np.log10(np.maximum(env, 1e-9) / np.maximum(env.max(axis=1, keepdims=True), 1e-9))
    peak = db.argmax(axis=1)
    out = np.zeros((len(x), 5))
    for b in range(len(x)):
        after = db[b, peak[b]:]
        for k, drop in enumerate((10.0, 20.0, 30.0, 40.0)):
            below = np.nonzero(after <= -drop)[0]
            out[b, k] = np.log((below[0] if len(below) else len(after)) / 1000.0 + 1e-3)
        out[b, 4] = peak[b] - PRE_ROLL / w
    return out


def sound_features(audio: np.ndarray, duration: np.ndarray | None = None) -> np.ndarray:
    """Features of prepared one-shots (see the module docstring).

    Args:
        audio: ``(B, L)`` or ``(L,)`` float, 44.1 kHz, onset-aligned and loudness-normalised.
        duration: ``(B,)`` seconds from the onset in the original file; default the length kept.

    Returns:
        ``(B, N_FEATURES)`` float32.
    """
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))[:, : FEATURE_SECONDS * SAMPLE_RATE]
    if duration is None:
        duration = np.full(len(x), x.shape[1] / SAMPLE_RATE)
    duration = np.asarray(duration, dtype=np.float64).reshape(len(x))
    if len(x) > _CHUNK:  # the frames of a chunk take ~ chunk x 1.3 MB
        return np.concatenate([sound_features(x[i : i + _CHUNK], duration[i : i + _CHUNK])
                               for i in range(0, len(x), _CHUNK)])
    power = _power_frames(x)  # (B, T, F)
    t_ms = np.arange(power.shape[1]) * HOP / SAMPLE_RATE * 1000.0  # (T,) frame centres after the onset
    mel = power @ _MEL.T  # (B, T, N_MELS)
    frame_energy = power.sum(axis=2)  # (B, T)
    loudest = np.maximum(frame_energy.max(axis=1, keepdims=True), 1e-12)  # (B, 1)
    parts_mel, parts_stats = [], []
    for lo, hi in STRETCHES_MS:
        sel = (t_ms >= lo) & (t_ms < hi)
        if not sel.any():
            sel = np.argmin(np.abs(t_ms - lo)) == np.arange(len(t_ms))
        p = power[:, sel].mean(axis=1)  # (B, F)
        m = mel[:, sel].mean(axis=1)  # (B, N_MELS)
        parts_mel.append(10.0 * np.log10(np.maximum(m, 1e-12)))
        total = np.maximum(p.sum(axis=1), 1e-12)
        level = 10.0 * np.log10(np.maximum(frame_energy[:, sel].mean(axis=1), 1e-12) / loudest[:, 0])
        centroid = (p @ _LOG2F) / total
        band = p[:, 1:]
        flatness = 10.0 * (np.mean(np.log10(np.maximum(band, 1e-12)), axis=1) - np.log10(np.maximum(
            band.mean(axis=1), 1e-12)))
        low = p[:, _LOW].sum(axis=1) / total
        parts_stats.append(np.stack([np.maximum(level, -100.0), centroid, flatness, low], axis=1))
    mel_db = np.concatenate(parts_mel, axis=1)  # (B, 3 * N_MELS)
    mel_db = np.maximum(mel_db - mel_db.max(axis=1, keepdims=True), -100.0)
    body = x[:, PRE_ROLL + int(0.03 * SAMPLE_RATE): PRE_ROLL + int(0.15 * SAMPLE_RATE)]
    zcr = np.mean(np.abs(np.diff(np.sign(body), axis=1)) > 0, axis=1)
    extra = np.column_stack([_decay_times(x), zcr, np.log(np.maximum(np.asarray(duration, np.float64), 1e-3))])
    out = np.concatenate([mel_db, *parts_stats, extra], axis=1).astype(np.float32)
    assert out.shape[1] == N_FEATURES
    return out
