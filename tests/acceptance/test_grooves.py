"""Grooves of the bundled rhythm model against the real styles' statistics."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.patterns.grooves import has_backbeat, has_pulse, hits_per_bar
from latentdrum.spaces.phrase import sample_phrases
from latentdrum.spaces.rhythm import RhythmSpace

ISSUE_STYLES = ("rock", "funk", "jazz", "hiphop", "latin", "pop", "reggae")


@pytest.fixture(scope="module")
def space() -> RhythmSpace:
    return RhythmSpace.load()


@pytest.mark.parametrize("style", ISSUE_STYLES)
def test_temperature_zero_plays_the_styles_typical_density_with_a_pulse(space: RhythmSpace, style: str) -> None:
    stats = space.groove_stats(style)
    got = sample_phrases(space, 3, style, 0.0, seed=1)
    hits = np.stack([p.hits for p in got.patterns])
    assert all(p.equals(got.patterns[0]) for p in got.patterns)  # temperature 0 is one groove
    density = float(hits_per_bar(hits[:1])[0])
    assert stats.hits_p10 <= density <= stats.hits_p90, (style, density, stats)
    assert abs(density - stats.hits_p50) <= 0.25 * stats.hits_p50
    assert has_pulse(hits[:1])[0], f"{style}: no hat or ride pulse at temperature 0"
    # A backbeat wherever the real style has one (the real statistics say which do).
    assert has_backbeat(hits[:1])[0] or not stats.backbeat, f"{style}: no backbeat at temperature 0"


def test_dice_grooves_of_backbeat_styles_have_their_backbeat(space: RhythmSpace) -> None:
    for style in ("rock", "funk", "hiphop"):
        assert space.groove_stats(style).backbeat
        got = sample_phrases(space, 20, style, 1.0, seed=5, strong=True)
        hits = np.stack([p.hits for p in got.patterns])
        assert has_backbeat(hits).mean() >= 0.9, style
