"""Listening to a loop: onsets, tempo and the refusals a user sees for audio that is not a loop."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.errors import AudioError
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.onsets import N_FEATURES, analyse_loop


def click_loop(bpm: float = 100.0, bars: int = 2, every: int = 2, seconds_late: float = 0.0) -> tuple[np.ndarray,
                                                                                                       np.ndarray]:
    """A decaying noise burst every ``every`` 16ths; returns (audio, onset times)."""
    rng = np.random.default_rng(0)
    step = 60.0 / bpm / 4
    n = int((bars * 16 * step + 0.5) * SAMPLE_RATE)
    audio = np.zeros(n, dtype=np.float32)
    burst = (rng.standard_normal(2205) * np.exp(-np.arange(2205) / 300.0)).astype(np.float32)
    times = np.arange(0, bars * 16, every) * step + seconds_late
    for k, t in enumerate(times):
        s = round(t * SAMPLE_RATE)
        audio[s : s + len(burst)] += burst * (1.0 if k % 4 == 0 else 0.5)
    return audio, times


def test_onsets_land_within_a_few_ms_and_the_tempo_is_found() -> None:
    audio, times = click_loop(100.0, bars=4)
    a = analyse_loop(audio)
    assert len(a.onsets) == len(times)
    assert np.abs(a.onsets - times).max() < 0.006
    assert a.bpm_estimated is not None and abs(a.bpm_estimated / 100.0 - 1) < 0.04
    assert a.features.shape == (len(times), N_FEATURES)
    assert abs(a.downbeat - times[0]) < 0.01  # a loop starts on its bar


def test_a_given_tempo_is_used_as_is() -> None:
    audio, _ = click_loop(90.0)
    a = analyse_loop(audio, bpm=90.0)
    assert a.bpm == 90.0 and a.bpm_estimated is None


def test_a_silent_wav_is_refused() -> None:
    with pytest.raises(AudioError, match="silent"):
        analyse_loop(np.zeros(SAMPLE_RATE * 2, dtype=np.float32))


def test_a_single_hit_is_not_a_loop() -> None:
    audio, _ = click_loop(100.0, bars=1, every=64)
    with pytest.raises(AudioError, match="onsets"):
        analyse_loop(audio)


def test_noise_has_no_clear_tempo_unless_one_is_given() -> None:
    rng = np.random.default_rng(1)
    audio = np.zeros(SAMPLE_RATE * 6, dtype=np.float32)
    burst = (rng.standard_normal(1500) * np.exp(-np.arange(1500) / 200.0)).astype(np.float32)
    for t in np.sort(rng.uniform(0, 5.5, 40)):  # hits at random times: no beat to find
        s = int(t * SAMPLE_RATE)
        audio[s : s + 1500] += burst
    audio += 0.05 * rng.standard_normal(len(audio)).astype(np.float32)
    with pytest.raises(AudioError, match=r"no clear tempo.*--bpm"):
        analyse_loop(audio)
    assert analyse_loop(audio, bpm=120.0).bpm == 120.0
