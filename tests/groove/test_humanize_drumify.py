"""Humanize and drumify with the bundled models: what a producer relies on."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.errors import CheckpointError, ConfigError, PatternError
from latentdrum.patterns.pattern import Pattern
from latentdrum.spaces.groove import GrooveSpace, bundled_groove_checkpoint


@pytest.fixture(scope="module")
def humanizer() -> GrooveSpace:
    return GrooveSpace.load("humanize")


@pytest.fixture(scope="module")
def drumifier() -> GrooveSpace:
    return GrooveSpace.load("drumify")


def rock_beat(bars: int = 3, bpm: float = 100.0) -> Pattern:
    """A step-sequenced rock beat: every velocity 100, every hit on the grid."""
    p = Pattern.empty(bars, bpm)
    for b in range(bars):
        s = 16 * b
        p.hits[[s, s + 8, s + 10], 0] = 1  # kick
        p.hits[[s + 4, s + 12], 1] = 1  # snare
        p.hits[s : s + 16 : 2, 2] = 1  # 8th-note hats
    p.velocities[p.hits > 0] = 100 / 127
    return Pattern(p.hits, p.velocities, p.offsets, bpm)


def test_humanize_keeps_every_hit_and_adds_dynamics_and_timing(humanizer: GrooveSpace) -> None:
    beat = rock_beat()
    out = humanizer.humanize(beat, "rock")
    assert np.array_equal(out.hits, beat.hits)
    assert out.bars == 3 and out.bpm == 100.0
    hat = out.velocities[:, 2][beat.hits[:, 2] > 0]
    assert hat.std() > 0.02  # accents: the hats are no longer all alike
    assert np.abs(out.offsets[out.hits > 0]).mean() > 0.01  # off the grid, as drummers play
    assert np.abs(out.offsets).max() < 0.5


def test_humanize_amount_zero_leaves_the_clip_as_it_was(humanizer: GrooveSpace) -> None:
    beat = rock_beat(1)
    assert humanizer.humanize(beat, amount=0.0).equals(beat, velocity_tol=1e-6, offset_tol=1e-6)
    half, full = humanizer.humanize(beat, amount=0.5), humanizer.humanize(beat, amount=1.0)
    assert np.allclose(half.offsets, full.offsets / 2, atol=1e-6)


def test_humanize_refuses_what_it_cannot_do(humanizer: GrooveSpace) -> None:
    with pytest.raises(PatternError, match="no hits"):
        humanizer.humanize(Pattern.empty(2))
    with pytest.raises(ConfigError, match="amount"):
        humanizer.humanize(rock_beat(1), amount=1.5)
    with pytest.raises(ConfigError, match="unknown style"):
        humanizer.humanize(rock_beat(1), style="polka-metal")


def test_drumify_plays_a_kit_exactly_on_the_taps(drumifier: GrooveSpace) -> None:
    taps = Pattern.empty(2, 96.0)
    steps = [0, 2, 4, 6, 7, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
    taps.hits[steps, 0] = 1
    taps.velocities[steps, 0] = [0.9 if s % 8 == 0 else 0.6 for s in steps]
    taps.offsets[steps, 0] = np.linspace(-0.1, 0.1, len(steps))
    taps = Pattern(taps.hits, taps.velocities, taps.offsets, 96.0)
    out = drumifier.drumify(taps, "funk")
    played = out.hits.max(axis=1) > 0
    assert np.nonzero(played)[0].tolist() == steps  # every tap played, nothing elsewhere
    for s in steps:  # each hit at its tap's time, to the sample
        assert np.allclose(out.offsets[s][out.hits[s] > 0], taps.offsets[s, 0])
    assert int(out.hits.any(axis=0).sum()) >= 2  # a kit, not one drum


def test_drumify_refuses_an_empty_rhythm_and_the_wrong_model(drumifier: GrooveSpace) -> None:
    with pytest.raises(PatternError, match="no taps"):
        drumifier.drumify(Pattern.empty(1))
    with pytest.raises(CheckpointError, match="drumify"):
        GrooveSpace.load("humanize", bundled_groove_checkpoint("drumify"))
