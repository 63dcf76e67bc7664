"""Every hit starts on its intended sample: tempo, swing, micro-timing and loops."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from latentdrum.errors import ConfigError
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.sounds.audio import SAMPLE_RATE

from .helpers import PLAIN, V, click_onsets, click_voices, pattern


def expected_seconds(step: int, offset: float, bpm: float, swing: float, loop: int = 0, steps: int = 16) -> float:
    """From the definition: the first 16th of each 8th-note pair lasts ``swing`` % of the pair."""
    sixteenth = 60.0 / bpm / 4
    pair_start = (loop * steps + step - step % 2) * sixteenth
    on_grid = pair_start + (swing / 100.0) * 2 * sixteenth * (step % 2)
    return on_grid + offset * sixteenth


@pytest.mark.parametrize("bpm", [60.0, 97.0, 120.0, 174.0])
@pytest.mark.parametrize("swing", [50.0, 58.0, 66.67, 75.0])
def test_each_click_starts_on_its_exact_sample(bpm: float, swing: float) -> None:
    hits = [(s, "closed_hat", 0.8, 0.0) for s in range(16)]
    out = render(pattern(hits, bpm=bpm), click_voices(), dataclasses.replace(PLAIN, swing=swing))
    found = click_onsets(out[:, 0])
    want = np.array([round(expected_seconds(s, 0.0, bpm, swing) * SAMPLE_RATE) for s in range(16)])
    np.testing.assert_array_equal(found, want)
    # Within half a sample of the intended time, far inside the 1 ms requirement.
    exact = np.array([expected_seconds(s, 0.0, bpm, swing) * SAMPLE_RATE for s in range(16)])
    assert np.abs(found - exact).max() <= 0.5


def test_swing_delays_only_the_off_beat_sixteenths() -> None:
    hits = [(s, "kick", 1.0, 0.0) for s in range(16)]
    straight = click_onsets(render(pattern(hits), click_voices(), PLAIN)[:, 0])
    swung = click_onsets(render(pattern(hits), click_voices(), dataclasses.replace(PLAIN, swing=75.0))[:, 0])
    np.testing.assert_array_equal(swung[::2], straight[::2])
    # 75 % swing at 120 BPM: off-beats half a 16th (62.5 ms) late.
    np.testing.assert_array_equal(swung[1::2], [round((s * 0.125 + 0.0625) * SAMPLE_RATE) for s in range(1, 16, 2)])
    assert np.all(swung[1::2] > straight[1::2])


def test_micro_timing_offsets_move_hits_early_and_late_on_the_swung_grid() -> None:
    offsets = {0: 0.0, 3: 0.25, 5: -0.4, 8: 0.49, 13: -0.1}
    hits = [(s, "snare", 0.9, o) for s, o in offsets.items()]
    out = render(pattern(hits, bpm=110.0), click_voices(), dataclasses.replace(PLAIN, swing=60.0))
    want = [round(expected_seconds(s, o, 110.0, 60.0) * SAMPLE_RATE) for s, o in offsets.items()]
    np.testing.assert_array_equal(click_onsets(out[:, 0]), want)


def test_every_loop_repeats_on_time_and_length_is_exact() -> None:
    hits = [(0, "kick", 1.0, 0.0), (6, "snare", 0.7, 0.1), (17, "ride", 0.5, -0.2)]
    p = pattern(hits, bars=2, bpm=123.0)
    out = render(p, click_voices(), dataclasses.replace(PLAIN, loops=3, swing=55.0))
    assert out.shape == (round(3 * 32 * 15.0 / 123.0 * SAMPLE_RATE), 2) and out.dtype == np.float32
    want = sorted(
        round(expected_seconds(s, o, 123.0, 55.0, loop, steps=32) * SAMPLE_RATE)
        for loop in range(3) for s, _, _, o in hits
    )
    np.testing.assert_array_equal(click_onsets(out[:, 0]), want)


def test_a_hit_pushed_before_the_loop_start_wraps_to_the_end() -> None:
    # Step 0 played 40 % of a step early: in a loop it belongs at the end of the previous cycle.
    p = pattern([(0, "kick", 1.0, -0.4)], bpm=120.0)
    out = render(p, click_voices(), PLAIN)
    assert click_onsets(out[:, 0]).tolist() == [out.shape[0] - round(0.4 * 0.125 * SAMPLE_RATE)]


def test_settings_bpm_overrides_the_pattern_tempo() -> None:
    p = pattern([(4, "kick", 1.0, 0.0)], bpm=90.0)
    out = render(p, click_voices(), dataclasses.replace(PLAIN, bpm=150.0))
    assert out.shape[0] == round(16 * 15.0 / 150.0 * SAMPLE_RATE)
    assert click_onsets(out[:, 0]).tolist() == [round(4 * 15.0 / 150.0 * SAMPLE_RATE)]


def test_humanize_moves_hits_reproducibly_and_zero_is_exact() -> None:
    hits = [(s, "closed_hat", 0.8, 0.0) for s in range(0, 16, 2)]
    settings = dataclasses.replace(PLAIN, humanize_ms=5.0, seed=3)
    out = render(pattern(hits), click_voices(), settings)
    a = click_onsets(out[:, 0])
    b = click_onsets(render(pattern(hits), click_voices(), settings)[:, 0])
    np.testing.assert_array_equal(a, b)
    # Each click is near a grid point (circularly: a hit moved before sample 0 wraps to the end).
    grid = np.arange(0, 16, 2) * 0.125 * SAMPLE_RATE
    length = out.shape[0]
    dist = np.abs((a[:, None] - grid[None, :] + length / 2) % length - length / 2).min(axis=1)
    assert len(a) == 8 and np.any(dist > 0) and dist.max() < 0.025 * SAMPLE_RATE


def test_onset_detector_finds_real_drums_at_the_pattern_times(avl_layers: dict[int, np.ndarray]) -> None:
    librosa = pytest.importorskip("librosa")
    # Real one-shots, swing and micro-timing, hits 8th notes apart or more so each is its own onset.
    hits = [
        (1, "kick", 1.0, 0.0),
        (3, "closed_hat", 0.7, 0.12),
        (6, "snare", 0.9, -0.15),
        (9, "closed_hat", 0.8, 0.0),
        (12, "kick", 0.9, 0.2),
        (15, "snare", 1.0, -0.05),
    ]
    p = pattern(hits, bpm=100.0)
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    for name in ("kick", "snare", "closed_hat"):
        voices[V[name]] = VoiceSounds(avl_layers[V[name]])
    out = render(p, voices, RenderSettings(swing=62.0, tail="ring", variation=0.0))

    def detect(y: np.ndarray) -> np.ndarray:
        return np.asarray(librosa.onset.onset_detect(y=y, sr=SAMPLE_RATE, hop_length=32, units="time"))

    # The detector reports the rise of onset strength, a few ms into each sound's attack: measure
    # that latency on each one-shot alone (struck at 0.1 s), then compare the loop against the pattern.
    latency = {}
    for name in ("kick", "snare", "closed_hat"):
        alone = np.zeros(SAMPLE_RATE, dtype=np.float32)
        sound = avl_layers[V[name]][-1][: SAMPLE_RATE - 4410]
        alone[4410 : 4410 + sound.shape[0]] = sound
        latency[name] = detect(alone)[0] - 0.1
    found = detect(out.mean(axis=1))
    want = np.array([expected_seconds(s, o, 100.0, 62.0) + latency[name] for s, name, _, o in hits])
    assert len(found) == len(want), f"detector found {np.round(found, 4)}, expected {np.round(want, 4)}"
    assert np.abs(found - want).max() < 0.0025


def test_bad_settings_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match="swing"):
        RenderSettings(swing=80.0)
    with pytest.raises(ConfigError, match="loops"):
        RenderSettings(loops=0)
    with pytest.raises(ConfigError, match="9 voices"):
        render(pattern([(0, "kick", 1.0, 0.0)]), click_voices()[:8], PLAIN)
