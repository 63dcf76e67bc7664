import numpy as np
import pytest
import torch

from latentdrum.errors import PatternError
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.patterns.pattern import Pattern, from_tensor, to_tensor


def _random_pattern(rng: np.random.Generator, bars: int = 2) -> Pattern:
    shape = (16 * bars, NUM_VOICES)
    hits = (rng.random(shape) < 0.3).astype(np.float32)
    return Pattern(hits, rng.random(shape) * hits, (rng.random(shape) - 0.5) * 0.99 * hits, 97.0)


def test_tensor_round_trip_keeps_every_value() -> None:
    rng = np.random.default_rng(0)
    pats = [_random_pattern(rng) for _ in range(4)]
    t = to_tensor(pats)
    assert t.shape == (4, 32, 3 * NUM_VOICES) and t.dtype == torch.float32
    back = from_tensor(t, bpm=97.0)
    assert all(a.equals(b) for a, b in zip(pats, back, strict=True))


def test_from_tensor_thresholds_probabilities_and_clips_ranges() -> None:
    arr = np.zeros((1, 16, 3 * NUM_VOICES), dtype=np.float32)
    arr[0, 0, 0] = 0.7  # kick probability -> hit
    arr[0, 1, 1] = 0.2  # snare probability -> no hit
    arr[0, 0, NUM_VOICES] = 1.4  # velocity out of range -> 1
    arr[0, 0, 2 * NUM_VOICES] = 0.9  # offset out of range -> just under 0.5
    arr[0, 1, NUM_VOICES + 1] = 0.8  # velocity without a hit -> dropped
    (p,) = from_tensor(torch.from_numpy(arr))
    assert p.num_hits == 1 and p.velocities[0, 0] == 1.0 and p.offsets[0, 0] < 0.5
    assert p.velocities[1, 1] == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": 20}, "whole number of 4/4 bars"),
        ({"voices": 8}, "shape"),
        ({"velocity": 1.5}, "velocities"),
        ({"offset": 0.5}, "offsets"),
        ({"hit": 0.5}, "hits must be 0 or 1"),
    ],
)
def test_invalid_patterns_raise_the_package_error(kwargs: dict, message: str) -> None:
    steps, voices = kwargs.get("steps", 16), kwargs.get("voices", NUM_VOICES)
    hits = np.zeros((steps, voices))
    hits[0, 0] = kwargs.get("hit", 1.0)
    vel = np.zeros_like(hits)
    vel[0, 0] = kwargs.get("velocity", 0.5)
    off = np.zeros_like(hits)
    off[0, 0] = kwargs.get("offset", 0.0)
    with pytest.raises(PatternError, match=message):
        Pattern(hits, vel, off)


def test_slice_pads_with_silence_past_the_end() -> None:
    p = _random_pattern(np.random.default_rng(1), bars=1)
    s = p.slice_bars(0, 2)
    assert s.bars == 2 and s.hits[16:].sum() == 0 and np.array_equal(s.hits[:16], p.hits)


def test_onset_times_follow_tempo_and_offsets() -> None:
    p = Pattern.empty(1, bpm=120.0)
    p.hits[4, 1], p.velocities[4, 1], p.offsets[4, 1] = 1, 0.5, 0.2
    ((t, voice, vel),) = p.onset_times()
    assert voice == 1 and vel == 0.5
    assert t == pytest.approx((4 + 0.2) * 0.125)


def test_a_pattern_neither_changes_nor_shares_its_callers_arrays() -> None:
    hits = np.zeros((16, NUM_VOICES), np.float32)
    hits[0, 0] = 1.0
    velocities = np.full((16, NUM_VOICES), 0.5, np.float32)  # velocity where nothing is struck
    offsets = np.full((16, NUM_VOICES), 0.1, np.float32)
    p = Pattern(hits, velocities, offsets)
    assert p.velocities[1, 0] == 0.0 and p.offsets[1, 0] == 0.0  # the pattern is canonical ...
    assert np.all(velocities == 0.5) and np.all(offsets == np.float32(0.1))  # ... the caller's arrays are not touched
    hits[4, 1] = 1.0
    velocities[0, 0] = 1.0
    assert p.num_hits == 1 and p.velocities[0, 0] == 0.5  # later changes to them do not reach the pattern
