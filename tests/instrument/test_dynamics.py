"""The pattern plays the synthesizer: velocity moves level and timbre; repeated hits vary, reproducibly."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from latentdrum.instrument.render import render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.sounds.audio import SAMPLE_RATE

from .helpers import PLAIN, V, pattern, spectral_centroid

VELOCITIES = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0]


def at(step: int) -> int:
    """First sample of a 16th step at 120 BPM."""
    return round(step * 0.125 * SAMPLE_RATE)


def layered_noise(layers: int = 5, variations: int = 1, seconds: float = 0.08, seed: int = 0) -> np.ndarray:
    """``(L, R, N)`` coherent layers: one decaying noise burst with more high end per layer (soft -> hard)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * SAMPLE_RATE)
    env = np.exp(-np.arange(n) / (0.2 * n))
    out = np.empty((layers, variations, n), dtype=np.float32)
    for r in range(variations):
        noise = rng.standard_normal(n)
        dark = np.convolve(noise, np.ones(16) / 16, mode="same")
        for i in range(layers):
            x = env * (dark + (i / max(layers - 1, 1)) * (noise - dark))
            out[i, r] = x / np.abs(x).max()
    return out


def render_velocities(sounds: np.ndarray, voice: str = "snare", **changes: float) -> list[np.ndarray]:
    """One bar with a single hit per velocity; returns each render's left channel (one hit each, no overlap)."""
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V[voice]] = VoiceSounds(sounds)
    settings = dataclasses.replace(PLAIN, tail="ring", **changes)
    return [render(pattern([(0, voice, v, 0.0)]), voices, settings)[:, 0] for v in VELOCITIES]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_level_rises_with_velocity_along_the_documented_curve() -> None:
    hits = render_velocities(layered_noise(layers=1))
    levels = [rms(h) for h in hits]
    assert all(b > a for a, b in itertools.pairwise(levels))
    # amplitude = velocity ** 1.5 with a single layer: exactly that ratio.
    np.testing.assert_allclose(np.array(levels) / levels[-1], np.array(VELOCITIES) ** 1.5, rtol=1e-4)


def test_timbre_brightens_with_velocity_across_layers() -> None:
    centroids = [spectral_centroid(h) for h in render_velocities(layered_noise())]
    assert all(b > a for a, b in itertools.pairwise(centroids)), centroids
    assert centroids[-1] > 1.5 * centroids[0]


def test_timbre_follows_velocity_on_real_recorded_layers(avl_layers: dict[int, np.ndarray]) -> None:
    # The AVL kick's 5 recorded velocity layers, soft -> hard, get brighter (measured: ~1.0 -> 1.7 kHz).
    kick = avl_layers[V["kick"]][:, : SAMPLE_RATE // 4]
    layer_centroids = [spectral_centroid(x) for x in kick]
    assert all(b > a for a, b in itertools.pairwise(layer_centroids))
    # Separate recordings: play the nearest layer (mixing two recordings would comb-filter them).
    hits = render_velocities(kick, voice="kick", layer_mode="nearest")
    levels = [rms(h) for h in hits]
    centroids = [spectral_centroid(h) for h in hits]
    assert all(b > a for a, b in itertools.pairwise(levels))
    assert all(b >= 0.999 * a for a, b in itertools.pairwise(centroids)), centroids
    assert centroids[-1] > centroids[0] + 400.0


def test_velocity_timbre_zero_keeps_one_timbre_and_changes_only_level() -> None:
    hits = render_velocities(layered_noise(), velocity_timbre=0.0)
    loudest = hits[-1] / np.abs(hits[-1]).max()
    for h in hits:
        np.testing.assert_allclose(h / np.abs(h).max(), loudest, atol=1e-5)
    half = [spectral_centroid(h) for h in render_velocities(layered_noise(), velocity_timbre=0.5)]
    full = [spectral_centroid(h) for h in render_velocities(layered_noise())]
    assert full[0] < half[0] < spectral_centroid(hits[0])  # half the timbre travel at half the setting


def test_repeated_hits_vary_reproducibly_and_not_at_variation_zero() -> None:
    sounds = layered_noise(layers=1, variations=4)
    hits = [(2 * i, "snare", 0.8, 0.0) for i in range(8)]
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["snare"]] = VoiceSounds(sounds)
    p = pattern(hits)
    varied = render(p, voices, dataclasses.replace(PLAIN, variation=1.0, seed=7))
    again = render(p, voices, dataclasses.replace(PLAIN, variation=1.0, seed=7))
    other_seed = render(p, voices, dataclasses.replace(PLAIN, variation=1.0, seed=8))
    fixed = render(p, voices, PLAIN)
    np.testing.assert_array_equal(varied, again)
    assert not np.array_equal(varied, other_seed)

    def segments(out: np.ndarray) -> list[np.ndarray]:
        return [out[at(2 * i) : at(2 * i) + sounds.shape[-1], 0] for i in range(8)]

    for a, b in zip(segments(varied), segments(varied)[1:], strict=False):
        assert not np.allclose(a, b, atol=1e-4)  # never the same hit twice in a row
    first = segments(fixed)[0]
    for seg in segments(fixed):
        np.testing.assert_array_equal(seg, first)


def test_level_jitter_is_slight() -> None:
    hits = [(2 * i, "kick", 0.8, 0.0) for i in range(8)]
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["kick"]] = VoiceSounds(layered_noise(layers=1))
    out = render(pattern(hits), voices, dataclasses.replace(PLAIN, variation=1.0))
    peaks = np.array([np.abs(out[at(2 * i) : at(2 * i) + 100, 0]).max() for i in range(8)])
    db = 20 * np.log10(peaks / 0.8**1.5)
    assert np.ptp(db) > 0.1 and np.abs(db).max() <= 2.0 + 1e-6


@pytest.mark.parametrize("curve", [0.0, 2.0])
def test_velocity_curve_zero_ignores_velocity_and_two_is_the_square_law(curve: float) -> None:
    levels = [rms(h) for h in render_velocities(layered_noise(layers=1), velocity_curve=curve)]
    np.testing.assert_allclose(np.array(levels) / levels[-1], np.array(VELOCITIES) ** curve, rtol=1e-4)
