"""A transparent look-ahead peak limiter: the loop never clips, and quiet loops stay bit-identical.

How it works, for a ``(N, C)`` signal ``x`` and ceiling ``c`` (linear):

1. the gain each sample needs, ``need[n] = min(1, c / max_channels |x[n]|)`` (stereo-linked, so
   the image does not shift);
2. a look-ahead minimum over ``[n, n + A]`` followed by a moving average over ``[n - A, n]``:
   every sample of that average is at most ``need`` at the peak it was lowered for, so the gain
   ramps down linearly over the A samples *before* a peak (no clipped attack, no distortion of
   the peak itself) and the output never exceeds the ceiling;
3. a one-pole release (``min`` of the ramped gain and its low-passed copy): after a peak the
   gain recovers exponentially with time constant ``release_ms`` instead of pumping back at once.

A signal whose peak is already at or under the ceiling is returned unchanged (the same array,
not even multiplied by 1.0). With ``circular=True`` the signal is treated as a loop, so the
gain at its start sees the peaks at its end and vice versa (a rendered loop stays seamless).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d
from scipy.signal import lfilter

from latentdrum.errors import ConfigError
from latentdrum.sounds.levels import db_to_amp

DEFAULT_CEILING_DB = -0.3
LOOKAHEAD_MS = 3.0
RELEASE_MS = 60.0


def limit(
    audio: np.ndarray,
    sample_rate: int,
    ceiling_db: float = DEFAULT_CEILING_DB,
    lookahead_ms: float = LOOKAHEAD_MS,
    release_ms: float = RELEASE_MS,
    circular: bool = False,
) -> np.ndarray:
    """Limit ``(N, C)`` (or ``(N,)``) float audio so that ``max |out| <= 10 ** (ceiling_db / 20)``.

    Returns ``audio`` itself when its peak is already at or under the ceiling; otherwise a new
    float32 array of the same shape. ``ceiling_db`` must lie in [-40, 0] dBFS.
    """
    gain = limiter_gain(audio, sample_rate, ceiling_db, lookahead_ms, release_ms, circular)
    if gain is None:
        return audio
    x = np.asarray(audio)
    frames = x.reshape(x.shape[0], -1)
    out = frames * gain[:, None]
    # Guard against float rounding at the peak itself.
    ceiling = db_to_amp(ceiling_db)
    np.clip(out, -ceiling, ceiling, out=out)
    return out.reshape(x.shape).astype(np.float32, copy=False)


def limiter_gain(
    audio: np.ndarray,
    sample_rate: int,
    ceiling_db: float = DEFAULT_CEILING_DB,
    lookahead_ms: float = LOOKAHEAD_MS,
    release_ms: float = RELEASE_MS,
    circular: bool = False,
) -> np.ndarray | None:
    """The ``(N,)`` float32 gain :func:`limit` applies to ``audio`` (steps 1-3), or None when it
    leaves ``audio`` untouched. Stems multiplied by the gain of their mix sum to the limited mix."""
    if not -40.0 <= ceiling_db <= 0.0:
        raise ConfigError(f"limiter ceiling must lie in [-40, 0] dBFS, got {ceiling_db}")
    ceiling = db_to_amp(ceiling_db)
    x = np.asarray(audio)
    if x.size == 0 or max(float(x.max()), -float(x.min())) <= ceiling:
        return None
    frames = x.reshape(x.shape[0], -1)
    frame_peak = np.abs(frames[:, 0])  # (N,) loudest channel per sample; a column loop is faster than max(axis=1)
    for c in range(1, frames.shape[1]):
        np.maximum(frame_peak, np.abs(frames[:, c]), out=frame_peak)

    n = frame_peak.shape[0]
    la = max(1, round(lookahead_ms * 1e-3 * sample_rate))
    tau = max(1.0, release_ms * 1e-3 * sample_rate)
    # Padding: look-ahead needs `la` samples after the end; the release needs a few time
    # constants before the start to settle. A loop pads with its own other end, a one-off with 1.
    pre = int(5 * tau) + 2 * la if circular else 2 * la
    post = la
    need = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(frame_peak, np.float32(1e-30)))
    if circular:
        reps = -(-max(pre, post) // n)
        tiled = np.tile(need, 2 * reps + 1)
        padded = tiled[reps * n - pre : reps * n + n + post]
    else:
        padded = np.concatenate([np.ones(pre, np.float32), need, np.ones(post, np.float32)])

    # 2. Look-ahead minimum over [m, m + la], then moving average over [m - la, m] (the first
    # `la` samples of the padding are left out: they have no full window, and are not output).
    ahead = _forward_min(padded, la).astype(np.float64)
    csum = np.cumsum(ahead)
    ramped = (csum[la:] - np.concatenate([[0.0], csum[: -la - 1]])) / (la + 1)  # (len(padded) - la,)
    # 3. Exponential release, never above the ramp.
    a = np.exp(-1.0 / tau)
    released = lfilter([1.0 - a], [1.0, -a], ramped, zi=[a * ramped[0]])[0]
    gain = np.minimum(ramped, released)[pre - la : pre - la + n].astype(np.float32)
    gain[gain > np.float32(1.0 - 1e-6)] = 1.0  # far from any peak: exactly untouched
    return gain


def _forward_min(x: np.ndarray, width: int) -> np.ndarray:
    """``out[m] = min(x[m : m + width + 1])`` (windows cut at the end)."""
    padded = np.concatenate([x, np.full(width, x[-1])])
    # minimum_filter1d centres its window; shift it so it starts at m.
    size = width + 1
    origin = -(size // 2)
    return minimum_filter1d(padded, size=size, origin=origin, mode="nearest")[: x.shape[0]]
