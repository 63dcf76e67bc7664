"""Audio in and out: any file soundfile reads becomes mono float32 at 44.1 kHz; one-shots are
onset-aligned, loudness-normalised and cut to a fixed length; WAV files are written as 24-bit PCM.

Conventions used across :mod:`latentdrum.sounds`: audio is a ``(N,)`` float32 array in [-1, 1]
at :data:`SAMPLE_RATE` Hz (stereo outputs are ``(N, 2)``).

One-shot preparation (:func:`prepare_one_shot`), in order:

1. mono (mean of the channels), resampled to 44.1 kHz (polyphase, exact rational ratio);
2. DC removed (mean subtracted);
3. rejected when silent (peak below -70 dBFS) or too short (less than :data:`MIN_DURATION`
   seconds above -40 dB relative to the peak);
4. onset-aligned: the sound starts :data:`PRE_ROLL` samples before the first sample reaching
   -20 dB relative to the peak, with a raised-cosine fade over that pre-roll;
5. cut to :data:`MAX_DURATION` seconds (3.0 s) with a :data:`FADE_OUT` second raised-cosine fade
   at the cut, zero-padded when shorter;
6. loudness-normalised: the loudest 50 ms window has an RMS of :data:`TARGET_RMS_DB` dBFS, then
   scaled down if needed so the peak is at most :data:`PEAK_DB` dBFS.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from latentdrum.errors import AudioError
from latentdrum.sounds.levels import amp_to_db, db_to_amp, max_window_rms, raised_cosine

SAMPLE_RATE = 44100
MAX_DURATION = 3.0  # seconds kept of each one-shot (a crash rings that long); longer ones are cut with a fade
MAX_SAMPLES = int(SAMPLE_RATE * MAX_DURATION)
MIN_DURATION = 0.003  # seconds above -40 dB re peak; shorter files (a lone click) are skipped
PRE_ROLL = 64  # samples kept before the onset (1.45 ms)
FADE_OUT = 0.05  # seconds of fade where a long sound is cut
TARGET_RMS_DB = -12.0  # RMS of the loudest 50 ms window after normalisation
PEAK_DB = -1.0  # peak ceiling after normalisation
SILENCE_DB = -70.0  # a file whose peak is below this is silent
AUDIO_SUFFIXES = (".wav", ".wave", ".flac", ".ogg", ".oga", ".aif", ".aiff", ".aifc", ".mp3")


def resample(audio: np.ndarray, sr_in: int, sr_out: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling of a ``(N,)`` or ``(N, C)`` float array from ``sr_in`` to ``sr_out`` Hz."""
    if sr_in == sr_out:
        return audio
    if sr_in <= 0:
        raise AudioError(f"invalid sample rate {sr_in}")
    from scipy.signal import resample_poly

    ratio = Fraction(sr_out, sr_in).limit_denominator(10000)
    return resample_poly(audio, ratio.numerator, ratio.denominator, axis=0).astype(np.float32)


def load_audio(path: str | Path) -> np.ndarray:
    """Read any file soundfile can read as mono float32 at 44.1 kHz, shape ``(N,)``, in [-1, 1].

    Raises:
        AudioError: the file is missing, empty, corrupt, or not a format libsndfile reads.
    """
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path} does not exist; pass an audio file (WAV, FLAC, OGG, AIFF)")
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty (0 bytes); re-export or remove the file")
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, TypeError...
        raise AudioError(
            f"{path} is not a readable audio file ({str(exc).strip() or type(exc).__name__}); "
            "convert it to WAV or FLAC"
        ) from exc
    if data.shape[0] == 0:
        raise AudioError(f"{path} holds no audio frames; re-export or remove the file")
    mono = data.mean(axis=1).astype(np.float32)
    if not np.all(np.isfinite(mono)):
        raise AudioError(f"{path} holds NaN or infinite samples; re-export it")
    return np.ascontiguousarray(resample(mono, int(sr)), dtype=np.float32)


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write mono ``(N,)`` or stereo ``(N, 2)`` float audio as a 24-bit PCM WAV (clipped to [-1, 1])."""
    import soundfile as sf

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim not in (1, 2) or (audio.ndim == 2 and audio.shape[1] not in (1, 2)):
        raise AudioError(f"audio to write must be (N,) or (N, 2), got shape {audio.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.clip(audio, -1.0, 1.0), sample_rate, subtype="PCM_24", format="WAV")
    return path


def trim_tail(audio: np.ndarray, threshold_db: float = -100.0) -> np.ndarray:
    """``(N,)`` audio without its trailing samples below ``threshold_db`` dBFS (at least 1 sample):
    a one-shot file as long as the sound rings, not as long as the batch it was decoded in."""
    loud = np.flatnonzero(np.abs(audio) >= db_to_amp(threshold_db))
    return audio[: int(loud[-1]) + 1 if loud.size else 1]


@dataclass(frozen=True)
class OneShot:
    """A prepared one-shot: ``audio`` is ``(MAX_SAMPLES,)`` float32; ``level_db`` is the file's own
    loudness (loudest 50 ms RMS, dBFS) before normalisation, a proxy for how hard it was hit;
    ``duration`` is the original length from onset in seconds (before cutting)."""

    audio: np.ndarray
    level_db: float
    duration: float


def prepare_one_shot(audio: np.ndarray, source: str = "audio") -> OneShot:
    """Turn mono 44.1 kHz audio into a training one-shot (see the module docstring).

    Raises:
        AudioError: the sound is silent or too short (the message says which).
    """
    x = np.asarray(audio, dtype=np.float64)
    x = x - x.mean() if len(x) else x
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak < db_to_amp(SILENCE_DB):
        raise AudioError(f"{source} is silent (peak {amp_to_db(peak):.0f} dBFS)")
    loud = np.nonzero(np.abs(x) >= peak * db_to_amp(-20.0))[0]
    onset = int(loud[0])
    audible = np.nonzero(np.abs(x) >= peak * db_to_amp(-40.0))[0]
    active = (int(audible[-1]) - onset + 1) / SAMPLE_RATE
    if active < MIN_DURATION:
        raise AudioError(f"{source} is too short ({active * 1000:.1f} ms audible, need {MIN_DURATION * 1000:.0f} ms)")
    start = max(0, onset - PRE_ROLL)
    y = x[start:].astype(np.float32)
    pre = onset - start
    if pre > 0:
        y[:pre] *= raised_cosine(pre)
    duration = len(y) / SAMPLE_RATE
    if len(y) > MAX_SAMPLES:
        y = y[:MAX_SAMPLES]
        n_fade = int(FADE_OUT * SAMPLE_RATE)
        y[-n_fade:] *= raised_cosine(n_fade)[::-1]
    else:
        y = np.pad(y, (0, MAX_SAMPLES - len(y)))
    rms = max_window_rms(y)
    level_db = amp_to_db(rms)
    y = y * (db_to_amp(TARGET_RMS_DB) / max(rms, 1e-9))
    y_peak = float(np.max(np.abs(y)))
    if y_peak > db_to_amp(PEAK_DB):
        y = y * (db_to_amp(PEAK_DB) / y_peak)
    return OneShot(audio=y.astype(np.float32), level_db=level_db, duration=duration)


def clean_output(audio: np.ndarray, fade_in: int = 16, fade_out: int = 2205, peak_db: float = -0.3) -> np.ndarray:
    """Make decoded audio safe to play: no DC, no click at start or end, peak at most ``peak_db``.

    ``audio`` is ``(N,)`` or ``(B, N)`` float; returns the same shape, float32. The fades are
    raised-cosine, ``fade_in``/``fade_out`` samples long (default 0.36 ms / 50 ms).
    """
    y = np.array(audio, dtype=np.float32, copy=True)
    y -= y.mean(axis=-1, keepdims=True)
    y[..., :fade_in] *= raised_cosine(fade_in)
    y[..., -fade_out:] *= raised_cosine(fade_out)[::-1]
    peak = np.max(np.abs(y), axis=-1, keepdims=True)
    ceiling = db_to_amp(peak_db)
    y *= np.where(peak > ceiling, ceiling / np.maximum(peak, 1e-12), 1.0).astype(np.float32)
    return y
