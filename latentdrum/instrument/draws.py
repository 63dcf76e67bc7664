"""The renderer's random draws, defined so the browser engine can draw the same numbers.

Every random number the renderer uses (a hit's level jitter, its round-robin step, its humanize
offset) is a pure function of ``(seed, voice, stream, index)``: a 32-bit integer hash, chained
over the four keys (Chris Wellons' ``lowbias32`` finaliser), read as a uniform number. No
generator state, no library algorithm: the page's ``static/js/draws.js`` computes the same
integers with ``Math.imul`` and so plays the same jitter and the same round robin as the WAV
export, hit for hit. The hash is specified here (and tested against the JavaScript in
``tests/web/test_engine_parity.py``); changing it changes every render with a given seed.

``index`` is ``loop_row * steps + step`` (``loop_row`` = loop modulo the render's ``loops``,
``step`` the hit's step in the pattern), so editing one cell leaves every other hit's draws alone.
"""

from __future__ import annotations

import numpy as np

# Streams: which draw of a hit a number is.
JITTER_U1, JITTER_U2, ROUND_ROBIN, HUMANIZE_U1, HUMANIZE_U2 = range(5)
_MASK = np.uint64(0xFFFFFFFF)


def _mix32(x: np.ndarray) -> np.ndarray:
    """``lowbias32``: a bijective 32-bit finaliser, on uint64 arrays holding 32-bit values."""
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & _MASK
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & _MASK
    return x ^ (x >> np.uint64(16))


def hash32(seed: int, voice: int, stream: int, index: np.ndarray) -> np.ndarray:
    """``(N,)`` uint64 holding 32-bit hashes of ``(seed, voice, stream, index[i])``.

    ``h = mix(mix(mix(mix(seed) ^ voice) ^ stream) ^ index)``, every key taken modulo 2**32.
    """
    idx = np.asarray(index, dtype=np.int64).astype(np.uint64) & _MASK
    h = _mix32(np.array([int(seed) & 0xFFFFFFFF], dtype=np.uint64))
    h = _mix32(h ^ np.uint64(int(voice) & 0xFFFFFFFF))
    h = _mix32(h ^ np.uint64(int(stream) & 0xFFFFFFFF))
    return _mix32(h ^ idx)


def uniform(seed: int, voice: int, stream: int, index: np.ndarray) -> np.ndarray:
    """``(N,)`` float64 in [0, 1): ``hash / 2**32`` (exact in double precision)."""
    return hash32(seed, voice, stream, index).astype(np.float64) / 4294967296.0


def normal(seed: int, voice: int, streams: tuple[int, int], index: np.ndarray) -> np.ndarray:
    """``(N,)`` float64 standard normal draws (Box-Muller over two uniform streams).

    ``sqrt(-2 ln(u1')) * cos(2 pi u2)`` with ``u1' = (hash1 + 0.5) / 2**32``, never 0.
    """
    u1 = (hash32(seed, voice, streams[0], index).astype(np.float64) + 0.5) / 4294967296.0
    u2 = uniform(seed, voice, streams[1], index)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def round_robin_steps(seed: int, voice: int, index: np.ndarray, variations: int) -> np.ndarray:
    """``(N,)`` int64 steps in ``1 .. variations - 1`` of the round-robin walk (1 when there is one)."""
    if variations < 2:
        return np.ones(np.shape(index), dtype=np.int64)
    return 1 + np.floor(uniform(seed, voice, ROUND_ROBIN, index) * (variations - 1)).astype(np.int64)
