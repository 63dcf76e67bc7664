"""Small builders shared by the instrument tests: click voices, patterns, onset finding."""

from __future__ import annotations

import numpy as np

from latentdrum.instrument.render import RenderSettings
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import SAMPLE_RATE

V = {name: i for i, name in enumerate(VOICES)}

# Exactness tests: no level jitter, no limiter, no master attenuation.
PLAIN = RenderSettings(variation=0.0, limiter=False, master_gain_db=0.0)


def click(length: int = 64) -> np.ndarray:
    """A one-sample click followed by silence, so a rendered hit's first sample is unambiguous."""
    x = np.zeros(length, dtype=np.float32)
    x[0] = 1.0
    x[1:] = 1e-3  # keep the one-shot from being trimmed to one sample
    return x


def click_voices(length: int = 64) -> list[VoiceSounds | None]:
    return [VoiceSounds(click(length)) for _ in range(NUM_VOICES)]


def pattern(hits: list[tuple[int, str, float, float]], bars: int = 1, bpm: float = 120.0) -> Pattern:
    """A pattern from ``(step, voice name, velocity, offset)`` tuples."""
    p = Pattern.empty(bars, bpm)
    for step, voice, vel, off in hits:
        p.hits[step, V[voice]], p.velocities[step, V[voice]], p.offsets[step, V[voice]] = 1.0, vel, off
    return Pattern(p.hits, p.velocities, p.offsets, bpm)


def click_onsets(channel: np.ndarray) -> np.ndarray:
    """Sample indices where a click starts (clicks are >= 0.05 down to velocity 0.13 at the 1.5 curve)."""
    return np.flatnonzero(np.abs(channel) >= 0.05)


def spectral_centroid(x: np.ndarray) -> float:
    """Centroid in Hz of the magnitude spectrum of ``x`` (level-independent)."""
    mag = np.abs(np.fft.rfft(x.astype(np.float64)))
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / SAMPLE_RATE)
    return float((mag * freqs).sum() / mag.sum())
