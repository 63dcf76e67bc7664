"""Audio from STFT magnitudes: a phase estimated from the magnitudes, then a few Griffin-Lim steps.

Measured on real one-shots (``scripts/sound_ceiling.py``: real -> |STFT| -> audio, no model):
random phase needs 32 Griffin-Lim iterations for what the peak-locked phase below reaches in 8,
and with 2 the partials of cymbals keep 0.75-0.87 of their real peak-to-neighbour ratio.

:func:`peak_locked_phase`: phase-vocoder style. In every frame the local maxima of the
log-magnitude are partials; quadratic interpolation gives each one's frequency, every bin takes
the frequency of its nearest peak (Laroche & Dolson 1999, "identity" phase locking: the bins of a
peak's region move together, alternating by pi as a Hann-windowed sinusoid does), and phase is
integrated over time (cumulative sum of hop x frequency, trapezoidal). At the onset every partial
is in cosine phase at the onset sample, as the partials of an impulse are: the attack starts
together and sharp instead of smeared by random phases.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from latentdrum.sounds import kernels
from latentdrum.sounds.audio import PRE_ROLL
from latentdrum.sounds.spectral import GLA_ITERS, HOP, N_FFT, griffin_lim, to_magnitude

PEAK_FLOOR_DB = -80.0  # bins this far under the sound's largest are never partials
# Threads that synthesise the rows of a batch side by side: up to 4 where there are 4 cores or
# more; on 2 cores the second is the web server's and the system's (measured on this project's
# 2-core machine at load 4: 6 crash rows 359 ms with 2 threads against 315 ms with one).
WORKERS = min(4, os.cpu_count() or 1) if (os.cpu_count() or 1) >= 4 else 1


@functools.lru_cache(maxsize=4)
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="latentdrum-synth")


def peak_locked_phase(mag: np.ndarray, onset: int = PRE_ROLL) -> np.ndarray:
    """``(B, T, F)`` linear magnitudes (centred STFT, Hann N_FFT, HOP) -> ``(B, T, F)`` float32 phase
    in radians (unwrapped).

    Peaks: bins greater than both neighbours and within :data:`PEAK_FLOOR_DB` of the sound's
    largest bin; frequency (in bins) k + d with d = (a - c) / (2 (a - 2b + c)), a b c the
    log-magnitudes at k-1, k, k+1. Each bin belongs to its nearest peak (a frame without peaks
    keeps each bin's centre frequency). The "centre phase" psi of every bin advances by hop x its
    peak's frequency (rad/sample, mean of the two frames); the phase of bin k is psi at its
    peak's bin minus pi k (a windowed sinusoid in a frame that starts N_FFT/2 before its centre).
    Frames centred up to N_FFT/4 after ``onset`` start the integration, each partial in cosine
    phase at the onset sample.
    """
    m = np.asarray(mag, dtype=np.float32)
    b, t, f = m.shape
    centres = np.arange(t) * HOP
    at_onset = np.nonzero(centres <= onset + N_FFT // 4)[0]
    start = int(at_onset[-1]) if len(at_onset) else 0
    phase = np.empty((b, t, f), dtype=np.float32)
    for i in range(b):
        top = float(m[i].max())
        kernels.phase_row(np.ascontiguousarray(m[i]), 1e-7 * top + 1e-20, top * 10.0 ** (PEAK_FLOOR_DB / 20.0),
                          start, onset, HOP, N_FFT, phase[i])
    return phase  # not wrapped to one turn: only its cosine and sine are used


def synthesize(logmag: np.ndarray, iters: int = GLA_ITERS, frames: np.ndarray | None = None,
               workers: int = 1) -> np.ndarray:
    """``(B, T, F)`` ln magnitudes -> ``(B, (T-1)*HOP)`` float32 audio at 44.1 kHz (not normalised);
    :func:`synthesize_magnitudes` of their :func:`~latentdrum.sounds.spectral.to_magnitude`."""
    return synthesize_magnitudes(to_magnitude(logmag), iters, frames, workers)


def synthesize_magnitudes(mag: np.ndarray, iters: int = GLA_ITERS, frames: np.ndarray | None = None,
                          workers: int = 1) -> np.ndarray:
    """``(B, T, F)`` float32 linear magnitudes -> ``(B, (T-1)*HOP)`` float32 audio at 44.1 kHz (not
    normalised).

    Peak-locked phase, then ``iters`` Griffin-Lim iterations over the whole sound (refining only
    the attack and keeping the locked phase in a cymbal's tail was measured and dropped: the
    tail's noise turns into stationary stripes, audible as a metallic whine).
    ``frames (B,)``: how many frames of each row to synthesise (default all); the rest of a row's
    audio is zeros. Each row is synthesised alone at its own length: a closed hat batched with a
    crash costs a closed hat, and a sound comes out the same whatever it was batched with.
    """
    mag = np.asarray(mag, dtype=np.float32)
    b, t = mag.shape[:2]
    frames = np.full(b, t) if frames is None else np.clip(np.asarray(frames, dtype=int), 2, t)
    out = np.zeros((b, (t - 1) * HOP), dtype=np.float32)

    def row(i: int) -> None:
        m = mag[i : i + 1, : int(frames[i])]
        out[i, : (m.shape[1] - 1) * HOP] = griffin_lim(m, peak_locked_phase(m), iters=iters)[0]

    if workers > 1 and b > 1:
        list(_pool(min(workers, b)).map(row, range(b)))  # list(): raise a row's exception here
    else:
        for i in range(b):
            row(i)
    return out
