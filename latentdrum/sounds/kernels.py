"""Compiled inner loops of the synthesis (numba): the peak-locked phase, magnitudes and phases to
complex values, the Griffin-Lim projection, and the overlap-add and framing around each of its
FFTs.

Each walks its arrays once, where the numpy formulations they replace made several passes over
whole ``(T, F)`` or ``(T, N_FFT)`` arrays with temporaries between them: for a 3 s crash row on
one thread the phase went 6.8 -> 1.9 ms, magnitude and phase to complex 1.8 -> 0.5 ms, each
Griffin-Lim projection 0.6 -> 0.1 ms, each overlap-add (window, sum, normalisation, gate)
1.05 -> 0.11 ms and each framing 0.6 -> 0.06 ms. They release the GIL, so rows
synthesised on several threads run side by side.

Compiled on first use and cached next to this file (``cache=True``; numba falls back to a
per-user cache directory where the package is read-only): the first call after an install takes
a few seconds, later processes load the machine code in a fraction of one.
"""

from __future__ import annotations

import numba
import numpy as np

_TWO_PI = 2.0 * np.pi


@numba.njit(cache=True, nogil=True)
def phase_row(m: np.ndarray, eps: float, floor: float, start: int, onset: int,
              hop: int, n_fft: int, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """One sound's peak-locked phase, written to ``out``; the algorithm is
    :func:`latentdrum.sounds.synthesis.peak_locked_phase`'s.

    ``m (T, F)`` float32 linear magnitudes; a peak's frequency is interpolated on ``ln(m + eps)``
    (the logarithm is taken at peaks only: a bin is a peak where its magnitude is larger than
    both neighbours', which is where its log is); ``floor``: the magnitude under which a bin is
    never a peak; ``start``: the frame where the running phase starts, every
    partial in cosine phase at sample ``onset``; ``out (T, F)`` float32 phase in radians.
    Frequencies and phase increments are float64 here, the running sum is float32 (one turn
    is subtracted from each increment first, so 517 frames keep it to about 1e-4 rad).
    """
    t, f = m.shape
    peaks = np.empty(f, np.int64)
    delta = np.zeros(f, np.float64)
    owner = np.empty(f, np.int64)
    omega = np.empty(f, np.float64)  # rad/sample of each bin's peak, this frame
    omega_prev = np.empty(f, np.float64)
    running = np.zeros(f, np.float32)
    offset = np.zeros(f, np.float32)
    rad_per_bin = _TWO_PI / n_fft
    pi_k = np.empty(f, np.float32)
    for k in range(f):
        pi_k[k] = np.float32(np.pi * k)
    for ti in range(t):
        row = m[ti]
        dst = out[ti]
        n = 0
        for k in range(1, f - 1):
            at = row[k]
            if at > row[k - 1] and at >= row[k + 1] and at >= floor:
                peaks[n] = k
                n += 1
                below, above = np.log(row[k - 1] + eps), np.log(row[k + 1] + eps)
                # at a peak the denominator is < 0
                d = 0.5 * (below - above) / (below - 2.0 * np.log(at + eps) + above)
                delta[k] = min(max(d, -0.5), 0.5)
        omega_prev, omega = omega, omega_prev
        if n == 0:  # no partial: every bin keeps its centre frequency
            for k in range(f):
                owner[k] = k
                omega[k] = rad_per_bin * k
        else:  # each bin follows its nearest peak: up to the midpoint (a tie: the lower peak)
            lo = 0
            for j in range(n):
                p = peaks[j]
                hi = f if j + 1 == n else (p + peaks[j + 1]) // 2 + 1
                w = rad_per_bin * (p + delta[p])
                for k in range(lo, hi):
                    owner[k] = p
                    omega[k] = w
                lo = hi
        if ti < start:  # before the onset frame: the phase each partial has at this centre
            for k in range(f):
                dst[k] = np.float32(omega[owner[k]] * (ti * hop - onset) - np.pi * k)
        else:
            if ti == start:
                for k in range(f):
                    running[k] = 0.0
                    offset[k] = np.float32(omega[k] * (start * hop - onset))
            else:
                for k in range(f):
                    inc = 0.5 * hop * (omega[k] + omega_prev[k])
                    running[k] += np.float32(inc - _TWO_PI * np.floor(inc / _TWO_PI))
            for k in range(f):
                o = owner[k]
                dst[k] = (running[o] + offset[o]) - pi_k[k]


@numba.njit(cache=True, nogil=True, fastmath=True)
def polar(mag: np.ndarray, phase: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """``out = mag * e^(i phase)``, flat float32 ``mag`` and ``phase`` (radians, any size) and
    complex64 ``out`` of one length.

    numpy's float32 cosine and sine take 3 ns a value, here both take a fraction of one (a
    whole crash row, 265 000 values, in 0.5 ms against 1.8): the phase is reduced to a quarter
    turn in float64 (exact for any phase a sound has), then Taylor polynomials of degree 9 and 8
    in float32 (under 1e-7 from the true values on [-pi/4, pi/4]), then the quadrant's signs
    and swap, all as selects that the compiler vectorises.
    """
    re_im = out.view(np.float32)  # real, imaginary, real, ...
    one = np.float32(1.0)
    for i in range(mag.shape[0]):
        x = np.float64(phase[i])
        q = np.rint(x * (2.0 / np.pi))
        r = np.float32(x - q * (np.pi / 2.0))
        r2 = r * r
        s = r * (one + r2 * (np.float32(-1 / 6) + r2 * (np.float32(1 / 120) + r2 * (
            np.float32(-1 / 5040) + r2 * np.float32(1 / 362880)))))
        c = one + r2 * (np.float32(-1 / 2) + r2 * (np.float32(1 / 24) + r2 * (
            np.float32(-1 / 720) + r2 * np.float32(1 / 40320))))
        quadrant = q - 4.0 * np.floor(q * 0.25)  # 0..3: (c, s), (-s, c), (-c, -s), (s, -c)
        odd = quadrant == 1.0 or quadrant == 3.0
        cos_unsigned = s if odd else c  # cos(phase) and sin(phase) up to their quadrant's sign
        sin_unsigned = c if odd else s
        a = mag[i]
        re_im[2 * i] = -a * cos_unsigned if (quadrant == 1.0 or quadrant == 2.0) else a * cos_unsigned
        re_im[2 * i + 1] = -a * sin_unsigned if quadrant >= 2.0 else a * sin_unsigned


@numba.njit(cache=True, nogil=True, fastmath=True)
def project(fresh: np.ndarray, previous: np.ndarray, mag: np.ndarray, momentum: float,
            out: np.ndarray) -> None:  # pragma: no cover - compiled
    """One fast Griffin-Lim projection, flat complex64 arrays of one length.

    ``out = s * mag / |s|`` with ``s = fresh + momentum * (fresh - previous)`` (Perraudin et
    al. 2013); ``momentum = 0`` is the plain projection (``previous`` unread but still given).
    ``mag``: float32 target magnitudes; ``|s|`` is floored at 1e-9.
    """
    mom = np.float32(momentum)
    tiny = np.float32(1e-9)
    for i in range(fresh.shape[0]):
        s = fresh[i]
        if mom != 0:
            s = s + mom * (s - previous[i])
        g = np.sqrt(s.real * s.real + s.imag * s.imag)
        out[i] = s * (mag[i] / max(g, tiny))


@numba.njit(cache=True, nogil=True)
def overlap_add(frames: np.ndarray, window: np.ndarray, hop: int, scale: np.ndarray,
                out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Windowed overlap-add, written to ``out``: ``frames (B, T, N)`` float32, frame ``t`` added at
    sample ``t * hop`` after multiplying by ``window (N,)``; then every sample of ``out (B, L)``
    float32 is multiplied by ``scale (L,)`` (the inverse summed squared windows, times a gate).

    The inner loops run over 1-d slices: LLVM vectorises them (2.7x faster than indexing the
    3-d arrays element by element, same sums in the same order).
    """
    b, t, n = frames.shape
    length = out.shape[1]
    for i in range(b):
        signal = out[i]
        signal[:] = 0.0
        for ti in range(t):
            into = signal[ti * hop : ti * hop + n]
            f = frames[i, ti]
            for k in range(n):
                into[k] += f[k] * window[k]
        for j in range(length):
            signal[j] *= scale[j]


@numba.njit(cache=True, nogil=True)
def frame(x: np.ndarray, window: np.ndarray, hop: int, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Windowed frames of ``x (B, L)`` float32, written to ``out (B, T, N)``: ``out[b, t, k] =
    x[b, t * hop + k] * window[k]`` (``x`` must hold ``(T - 1) * hop + N`` samples). Over 1-d
    slices, vectorised as :func:`overlap_add` is (10x faster than 3-d indexing)."""
    b, t, n = out.shape
    for i in range(b):
        signal = x[i]
        for ti in range(t):
            into = out[i, ti]
            seg = signal[ti * hop : ti * hop + n]
            for k in range(n):
                into[k] = seg[k] * window[k]


@numba.njit(cache=True, nogil=True)
def loudest_window_power(x: np.ndarray, width: int) -> np.ndarray:  # pragma: no cover - compiled
    """``(B,)`` float64: the largest sum of squares of ``width`` consecutive samples of each row of
    ``x (B, L)`` float32 (``width <= L``), from a running float64 sum, as
    ``numpy.cumsum`` of the squares would give it (one pass instead of four; 6 crash rows
    7.3 -> 1.1 ms)."""
    b, length = x.shape
    out = np.empty(b, np.float64)
    c = np.empty(length + 1, np.float64)
    for i in range(b):
        c[0] = 0.0
        for j in range(length):
            v = np.float64(x[i, j])
            c[j + 1] = c[j] + v * v
        best = c[width] - c[0]
        for j in range(1, length - width + 1):
            e = c[j + width] - c[j]
            if e > best:
                best = e
        out[i] = best
    return out
