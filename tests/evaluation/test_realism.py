"""Realism metrics on synthetic signals whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.evaluation.realism import (
    FEATURE_NAMES,
    decay_times,
    level_after_onset_db,
    partial_jitter,
    partial_ratio,
    realism_table,
    sound_features,
)
from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE


def _t(seconds: float) -> np.ndarray:
    return np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE


def _one_shot(body: np.ndarray) -> np.ndarray:
    """Put ``body`` at the onset (PRE_ROLL samples of silence before it)."""
    return np.concatenate([np.zeros(PRE_ROLL), body])


def _decaying_sine(freq: float = 440.0, tau: float = 0.3, seconds: float = 2.0) -> np.ndarray:
    t = _t(seconds)
    return _one_shot(np.exp(-t / tau) * np.sin(2 * np.pi * freq * t))


def test_decaying_sine_is_tonal_and_steady() -> None:
    x = _decaying_sine()
    assert partial_ratio(x) > 100
    assert partial_jitter(x) < 0.01


def test_gliding_sine_has_no_jitter() -> None:
    t = _t(1.0)
    f = 50.0 + 100.0 * np.exp(-t / 0.08)  # an 808-style falling kick tone
    x = _one_shot(np.exp(-t / 0.4) * np.sin(2 * np.pi * np.cumsum(f) / SAMPLE_RATE))
    assert partial_jitter(x) < 0.02


def test_warbled_sine_has_jitter() -> None:
    rng = np.random.default_rng(0)
    t = _t(1.0)
    f = 440.0 + 40.0 * np.repeat(rng.standard_normal(len(t) // 256 + 1), 256)[: len(t)]
    x = _one_shot(np.exp(-t / 0.3) * np.sin(2 * np.pi * np.cumsum(f) / SAMPLE_RATE))
    assert partial_jitter(x) > 0.1


def test_white_noise_ratio_is_about_one() -> None:
    x = _one_shot(np.random.default_rng(1).standard_normal(2 * SAMPLE_RATE))
    assert 0.9 < partial_ratio(x) < 2.0


@pytest.mark.parametrize("noise", [False, True])
def test_exponential_decay_times(noise: bool) -> None:
    tau = 0.2
    t = _t(3.0)
    carrier = np.random.default_rng(2).standard_normal(len(t)) if noise else np.sin(2 * np.pi * 1000 * t)
    t20, t60 = decay_times(_one_shot(np.exp(-t / tau) * carrier))
    # amplitude exp(-t/tau) is at -L dB after L / (20 log10 e) * tau seconds
    assert t20 == pytest.approx(20 / 8.6859 * tau, rel=0.05)
    assert t60 == pytest.approx(60 / 8.6859 * tau, rel=0.05)


def test_decay_never_reached_reads_full_length() -> None:
    t = _t(1.0)
    x = _one_shot(np.exp(-t / 5.0) * np.sin(2 * np.pi * 300 * t))  # -1.7 dB in 1 s
    t20, t60 = decay_times(x)
    assert t60 == pytest.approx(1.0, abs=0.02) and t20 == t60


def test_attack_level() -> None:
    t = _t(0.5)
    sharp = _one_shot(np.exp(-t / 0.2) * np.sin(2 * np.pi * 2000 * t))
    assert level_after_onset_db(sharp) > -1.0
    fade = np.minimum(1.0, t / 0.02)
    soft = _one_shot(fade * np.exp(-t / 0.2) * np.sin(2 * np.pi * 2000 * t))
    assert level_after_onset_db(soft) < -12.0


def test_features_and_table() -> None:
    rng = np.random.default_rng(3)
    real = [_decaying_sine(f, tau) for f, tau in [(60, 0.3), (80, 0.2), (70, 0.25)]]
    real += [_one_shot(np.exp(-_t(0.5) / tau) * rng.standard_normal(round(0.5 * SAMPLE_RATE)))
             for tau in (0.03, 0.05, 0.04)]
    classes = ["kick"] * 3 + ["closed_hat"] * 3
    f = sound_features(real[0])
    assert f.shape == (len(FEATURE_NAMES),) and np.all(np.isfinite(f))
    table = realism_table(real, {"same": real, "swapped": real[::-1]}, classes)
    assert table["overall"]["same"]["paired_distance"] == pytest.approx(0.0, abs=1e-9)
    assert table["overall"]["swapped"]["paired_distance"] > 1.0  # a kick against a hat
    assert table["classes"]["kick"]["real"]["partial_ratio"] > 100
    assert table["classes"]["closed_hat"]["n"] == 3


def test_a_tail_that_fades_to_nothing_moves_its_features_little() -> None:
    # A 30 ms hat (nothing after the first 50 ms), and the same hat with a faint 50 ms tail
    # (-100 dB): the tail's octave bands are measured re the whole sound, so they stay near the
    # floor instead of flipping to the shares of a tail nobody hears.
    rng = np.random.default_rng(5)
    hat = np.exp(-_t(0.03) / 0.005) * rng.standard_normal(round(0.03 * SAMPLE_RATE))
    longer = np.concatenate([hat, 1e-5 * rng.standard_normal(round(0.05 * SAMPLE_RATE))])
    a, b = sound_features(_one_shot(hat)), sound_features(_one_shot(longer))
    tail = [i for i, name in enumerate(FEATURE_NAMES) if name.startswith("tail_band")]
    assert a[tail].max() == pytest.approx(-80.0)  # no tail at all
    assert b[tail].max() < -40.0  # the faint tail is far under the whole sound
