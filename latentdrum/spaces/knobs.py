"""The sound knobs and the signal processing behind them, on decoded spectra and audio.

Each knob has one meaning, 0 = the sound as decoded, range [-1, 1]:

- ``brightness``: a spectral tilt in dB per octave around 1 kHz (:func:`tilt`);
- ``pitch``: the frequency axis scaled by a number of semitones (:func:`pitch_shift`): every
  partial moves by the same interval (going up, the top is compressed under 20 kHz instead of
  pushed past it), the time envelope stays;
- ``decay``: the time axis after the onset stretched (done by the space, on its control frames);
- ``attack``: +1 = a slower rise, -1 = a transient boost, punchier (:func:`shape_attack`).

:func:`knob_ranges` sizes what +-1 means per class from the class's measured descriptors.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.descriptors import DESCRIPTORS

INTENSITY_TILT_DB = 1.5  # dB per octave of extra tilt at intensity 1 (and -1.5 at 0)
_LOG2_BIN = np.log2(np.maximum(spectral.BIN_HZ, 20.0) / 1000.0).astype(np.float32)  # (F,) octaves re 1 kHz


def tilt(ctrl: np.ndarray, tilt_db: np.ndarray | float, floor: float) -> np.ndarray:
    """``(n, K, F)`` log magnitudes tilted by ``tilt_db`` dB per octave around 1 kHz (floor kept)."""
    t = (np.broadcast_to(np.asarray(tilt_db, dtype=np.float32), (ctrl.shape[0],)) / 20.0 * np.log(10.0))
    return np.where(ctrl > floor + 1e-3, ctrl + t[:, None, None] * _LOG2_BIN, floor).astype(np.float32)


PITCH_CEILING_HZ = 20000.0  # going up, what lay under the top of hearing stays under it


def pitch_source_bins(ratio: float) -> np.ndarray:
    """``(F,)`` float64: the (fractional) bin each bin reads when pitching by ``ratio`` (> 1: up).

    Every bin reads its frequency divided by ``ratio``: each partial moves by the same interval.
    Going up, the top is the exception: from ``PITCH_CEILING_HZ / ratio**2`` to
    :data:`PITCH_CEILING_HZ` the bins read an evenly compressed source, so the sizzle of a hat or
    a cymbal near 20 kHz moves up a little instead of past the top of hearing (bins above the
    ceiling read themselves). A plain shift made a bright pedal hat, pitched up, sound duller
    and measure lower (pitch-knob Spearman 0.06 on that class). At ``ratio`` 1 every bin reads
    itself.
    """
    f = spectral.BIN_HZ.astype(np.float64)
    src = f / ratio
    if ratio > 1.0:
        c = PITCH_CEILING_HZ
        knee = c / ratio**2
        top = (f > knee) & (f <= c)
        src[top] = knee / ratio + (f[top] - knee) * (c - knee / ratio) / (c - knee)
        src[f > c] = f[f > c]
    return src / spectral.BIN_HZ[1]


@dataclass(frozen=True)
class PitchShift:
    """A pitch shift as each of the F bins reads it: ``w_lo * x[lo] + w_hi * x[hi]`` (weights 0
    where a bin reads nothing), then ``gain`` added in ln magnitude. Arrays ``(F,)``; ``lo`` and
    ``hi`` int64, the rest float32."""

    lo: np.ndarray
    hi: np.ndarray
    w_lo: np.ndarray
    w_hi: np.ndarray
    gain: np.ndarray


def pitch_shift(ratio: float) -> PitchShift:
    """The :class:`PitchShift` by ``ratio``: each bin reads its :func:`pitch_source_bins` (linear
    interpolation between bins; below the lowest bin the spectrum holds its edge, above the top it
    is silent: nothing is invented up there). The gains keep the power of each stretch of the
    source in proportion to a plain shift's where the top is compressed (there, fewer bins carry
    the same partials). Two bins a row, read by index: a dense ``(F, F)`` matrix of the same
    weights took 0.8 ms per sound (32 x 513), the reads 0.1 ms.
    """
    src = pitch_source_bins(ratio)
    lo = np.clip(np.floor(src).astype(np.int64), 0, spectral.N_BINS - 1)
    hi = np.minimum(lo + 1, spectral.N_BINS - 1)
    frac = src - lo
    reads = src <= spectral.N_BINS - 1
    gain = 0.5 * np.log(np.maximum(np.gradient(src) * ratio, 1e-6))  # ln magnitude = half ln power
    return PitchShift(lo, hi, np.where(reads, 1.0 - frac, 0.0).astype(np.float32),
                      np.where(reads, frac, 0.0).astype(np.float32), gain.astype(np.float32))


def apply_pitch(ctrl: np.ndarray, shift: PitchShift, floor: float) -> np.ndarray:
    """``(K, F)`` log magnitudes pitched by ``shift`` (from :func:`pitch_shift`), in log magnitude
    above ``floor``: silence stays silent."""
    x = np.asarray(ctrl, dtype=np.float32) - np.float32(floor)
    out = x[..., shift.lo] * shift.w_lo + x[..., shift.hi] * shift.w_hi + np.float32(floor)
    return np.maximum(np.where(out > floor + 1e-3, out + shift.gain, out), floor).astype(np.float32)


BODY_HZ = (300.0, 600.0)  # retune_body: fully retuned below, untouched above, blended between
MAX_TRANSPOSE = 12.0  # semitones a body is retuned by at most, either way
_BODY = np.clip((BODY_HZ[1] - spectral.BIN_HZ) / (BODY_HZ[1] - BODY_HZ[0]), 0.0, 1.0).astype(np.float32)


def retune_body(ctrl: np.ndarray, shift: PitchShift, floor: float) -> np.ndarray:
    """``(K, F)`` log magnitudes with their body (under :data:`BODY_HZ`: a kick's or a tom's
    fundamental and low modes) pitched by ``shift`` (:func:`pitch_shift`), the rest as it was:
    the drum is retuned, its stick click and rattle stay where they are. Measured on the held-out
    kicks and toms transposed to their own fundamental, paired feature distance to the originals:
    the whole spectrum pitched 0.83, the body under 500-1000 Hz 0.80, under 300-600 Hz 0.76
    (not transposed: 0.74, at a median 3.6 semitones off)."""
    pitched = apply_pitch(ctrl, shift, floor)
    return np.maximum(_BODY * pitched + (1.0 - _BODY) * ctrl, floor).astype(np.float32)


def centroid_hz(logmag: np.ndarray) -> float:
    """The spectral centroid (Hz, magnitude-weighted, 30 Hz - 20 kHz) of ``(T, F)`` log magnitudes."""
    band = (spectral.BIN_HZ >= 30.0) & (spectral.BIN_HZ <= 20000.0)
    mag = spectral.to_magnitude(logmag).sum(0)[band]
    return float(mag @ spectral.BIN_HZ[band] / max(mag.sum(), 1e-12))


@dataclass(frozen=True)
class Knobs:
    """Sound-shaping knobs, each in [-1, 1], 0 = the sound as decoded."""

    brightness: float = 0.0
    decay: float = 0.0
    pitch: float = 0.0
    attack: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int | float) or not -1.0 <= float(v) <= 1.0:
                raise ConfigError(f"knob {f.name} must be a number in [-1, 1], got {v!r}")

    def as_array(self) -> np.ndarray:
        return np.array([self.brightness, self.decay, self.pitch, self.attack], dtype=np.float64)


KNOB_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Knobs))  # the order of Knobs.as_array()


def knob_ranges(percentiles: np.ndarray) -> np.ndarray:
    """What +-1 means for each knob of a class, from its descriptors' 10/50/90th percentiles.

    ``percentiles`` is ``(4, 3)`` in :data:`DESCRIPTORS` order. Returns ``(5,)``: brightness tilt
    in dB per octave (a first guess: :class:`SoundSpace` measures it on the decoder instead),
    decay time stretch in octaves (log2), pitch down and pitch up in semitones,
    and attack ramp in ms. Each is sized so a full turn moves its descriptor by about half of the
    class's 10th-90th percentile spread (clipped to a range where the effect is audible and the
    sound stays clean).
    """
    q = {k: np.log2(np.maximum(percentiles[i], 1e-6)) for i, k in enumerate(DESCRIPTORS)}
    spread = {k: float(v[2] - v[0]) for k, v in q.items()}
    pitch = np.clip(6.0 * spread["pitch"], 2.0, 7.0)
    # Pitching a bright sound up pushes its top out of the audio band: going up, keep the class's
    # 90th-percentile brightness below 12 kHz.
    headroom = 12.0 * (np.log2(12000.0) - q["brightness"][2])
    return np.array([
        np.clip(3.0 * spread["brightness"], 1.5, 6.0),
        np.clip(0.5 * spread["decay"], 0.5, 1.5),
        pitch,
        np.clip(min(pitch, headroom), 1.0, 7.0),
        np.clip(float(percentiles[DESCRIPTORS.index("attack"), 2]), 3.0, 25.0),
    ])


def shape_attack(audio: np.ndarray, amount: np.ndarray, max_ms: np.ndarray) -> np.ndarray:
    """``(n, L)`` onset-aligned audio with its attack reshaped, per row: ``amount`` > 0 a
    raised-cosine fade-in over ``amount * max_ms`` ms from the onset; < 0 a transient boost
    (up to 2x at the onset, decaying with a 6 ms time constant)."""
    out = audio.copy()
    for i, (a, ms) in enumerate(zip(amount, max_ms, strict=True)):
        if abs(a) <= 1e-6:
            continue
        # Only the samples the gain changes are touched: a fade-in's gain is 1 after its end, and
        # a boost's 1 + a e^(-t / 6 ms) rounds to 1.0 in float32 once a e^(-t / 6) < 2^-25.
        span_ms = a * ms if a > 0 else 6.0 * np.log(-a * 2.0**25)
        span = min(audio.shape[1], PRE_ROLL + int(np.ceil(span_ms * SAMPLE_RATE / 1000.0)) + 1)
        t = (np.arange(span) - PRE_ROLL) / SAMPLE_RATE * 1000.0  # ms after the onset
        if a > 0:
            out[i, :span] *= (0.5 - 0.5 * np.cos(np.pi * np.clip(t / (a * ms), 0.0, 1.0))).astype(np.float32)
        else:
            out[i, :span] *= (1.0 + (-a) * np.exp(-np.maximum(t, 0.0) / 6.0)).astype(np.float32)
    return out
