"""One voice's sounds as the renderer plays them: intensity layers x round-robin variations.

A :class:`VoiceSounds` holds the already generated one-shots of one of the 9 drum voices as a
``(L, R, N)`` float32 array of mono audio at :data:`~latentdrum.sounds.audio.SAMPLE_RATE` (44.1 kHz), each one-shot
starting at its onset (sample 0 is the strike):

- ``L`` intensity layers, ordered soft -> hard. Layer ``i`` stands for the velocity
  the velocity ``(i + 1) / L`` (so the hardest layer is a full-velocity hit). The sound
  model makes them by moving the voice's kit point along its "hit harder = brighter, sharper"
  direction; the renderer picks and crossfades them by velocity.
- ``R`` round-robin variations. ``[:, 0]`` is the kit's sound itself; ``[:, 1:]`` are slight
  variations the renderer rotates through so that repeated hits differ.

It also carries the voice's mixer settings: gain (dB), pan in [-1, 1] and tune (semitones,
applied by resampling, so a higher tune is also shorter, as on a sampler; cached per tune).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from latentdrum.errors import ConfigError

MAX_TUNE = 24.0  # semitones either way
SILENCE = 1e-5  # -100 dBFS: trailing samples below this in every layer are trimmed


def _trim_silent_tail(audio: np.ndarray) -> np.ndarray:
    """Drop trailing samples that are below :data:`SILENCE` in every layer and variation."""
    loud = np.flatnonzero(np.abs(audio).max(axis=(0, 1)) >= SILENCE)
    end = int(loud[-1]) + 1 if loud.size else 1
    return audio[..., :end]


def tune_audio(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Resample ``(..., N)`` audio so it plays ``semitones`` higher (and shorter); sample 0 stays the onset.

    Uses a polyphase FIR resampler (zero-phase, so the attack does not move) at a rational
    approximation of ``2 ** (semitones / 12)`` good to well under one cent.
    """
    if semitones == 0.0:
        return audio
    ratio = Fraction(2.0 ** (semitones / 12.0)).limit_denominator(1024)
    # Playing `ratio` times faster = keeping every `ratio`-th sample: up by q, down by p.
    out = resample_poly(audio, ratio.denominator, ratio.numerator, axis=-1)
    return np.ascontiguousarray(out, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class VoiceSounds:
    """One voice's one-shots and mixer settings; see the module docstring.

    Attributes:
        audio: ``(L, R, N)`` float32 mono 44.1 kHz, L intensity layers (soft -> hard), R
            round-robin variations (``[:, 0]`` the kit sound itself). A 1-D ``(N,)`` array or a
            2-D ``(L, N)`` array is accepted and given the missing axes.
        gain_db: level of the voice in dB, in [-60, +12].
        pan: stereo position, -1 hard left, 0 centre, +1 hard right.
        tune: pitch shift in semitones, in [-24, +24].
        mute: a muted voice renders silence.
    """

    audio: np.ndarray
    gain_db: float = 0.0
    pan: float = 0.0
    tune: float = 0.0
    mute: bool = False
    _tuned: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio, dtype=np.float32)
        if audio.ndim == 1:
            audio = audio[None, None, :]
        elif audio.ndim == 2:
            audio = audio[:, None, :]
        if audio.ndim != 3 or 0 in audio.shape:
            raise ConfigError(f"voice sounds must be shaped (layers, variations, samples), got {np.shape(self.audio)}")
        if not np.all(np.isfinite(audio)):
            raise ConfigError("voice sounds contain NaN or infinite samples")
        object.__setattr__(self, "audio", np.ascontiguousarray(_trim_silent_tail(audio)))
        if not -60.0 <= float(self.gain_db) <= 12.0:
            raise ConfigError(f"voice gain must lie in [-60, 12] dB, got {self.gain_db}")
        if not -1.0 <= float(self.pan) <= 1.0:
            raise ConfigError(f"pan must lie in [-1, 1], got {self.pan}")
        if not -MAX_TUNE <= float(self.tune) <= MAX_TUNE:
            raise ConfigError(f"tune must lie in [-{MAX_TUNE:g}, {MAX_TUNE:g}] semitones, got {self.tune}")

    @property
    def layers(self) -> int:
        return int(self.audio.shape[0])

    @property
    def variations(self) -> int:
        return int(self.audio.shape[1])

    def tuned(self) -> np.ndarray:
        """``(L, R, N')`` float32: the audio at this voice's tune (cached; ``N' ~ N / 2**(tune/12)``)."""
        key = float(self.tune)
        if key not in self._tuned:
            self._tuned[key] = _trim_silent_tail(tune_audio(self.audio, key))
        return self._tuned[key]

    def stereo_gains(self) -> tuple[float, float]:
        """(left, right) linear gains: constant-power pan, unity in both channels at the centre.

        ``left = sqrt(2) cos(theta)``, ``right = sqrt(2) sin(theta)``, ``theta = (pan + 1) pi / 4``:
        a centred voice at 0 dB plays its one-shot unchanged on both sides; hard left is +3 dB
        left and silent right. Gain (dB) multiplies both.
        """
        theta = (float(self.pan) + 1.0) * np.pi / 4.0
        g = 10.0 ** (float(self.gain_db) / 20.0) * np.sqrt(2.0)
        left, right = g * np.cos(theta), g * np.sin(theta)
        # cos(pi/2) is 6e-17, not 0: make hard pans exactly silent on the far side.
        return float(left if abs(left) > 1e-12 else 0.0), float(right if abs(right) > 1e-12 else 0.0)
