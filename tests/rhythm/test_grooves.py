"""Every control setting gives a playable groove (the bundled model, real groove statistics)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from latentdrum.models.hit_sampling import count_preserving_hits
from latentdrum.patterns.grooves import (
    GrooveStats,
    has_backbeat,
    has_pulse,
    hits_per_bar,
    is_degenerate,
    kick_on_downbeat,
    snare_on_backbeat,
)
from latentdrum.spaces.phrase import MAX_DRAWS, sample_phrases
from latentdrum.spaces.rhythm import RhythmKnobs, RhythmSpace


@pytest.fixture(scope="module")
def space() -> RhythmSpace:
    return RhythmSpace.load()


def test_count_preserving_hits_keep_each_voices_expected_count() -> None:
    torch.manual_seed(0)
    logits = torch.randn(4, 32, 9) * 2 - 1  # many steps each only somewhat likely
    expected = torch.sigmoid(logits).sum(1)  # (4, 9)
    cold = count_preserving_hits(logits, 0.0)
    assert torch.equal(cold.sum(1), torch.round(expected))
    # the hits of temperature 0 are each voice's likeliest steps
    probs = torch.sigmoid(logits)
    assert float((probs * cold).sum()) >= float((probs * count_preserving_hits(logits, 0.5)).sum())
    for t in (0.2, 0.6, 1.0, 2.0):
        gen = torch.Generator().manual_seed(1)
        mean = torch.stack([count_preserving_hits(logits, t, gen).sum(1) for _ in range(1000)]).mean(0)
        assert torch.allclose(mean, expected, atol=0.4), t  # 4 standard errors of 1000 draws


def test_groove_statistics_count_downbeats_backbeats_and_empty_bars() -> None:
    hits = np.zeros((2, 32, 9), np.float32)
    hits[0, [0, 16], 0] = 1  # kick on both downbeats
    hits[0, [4, 12, 20, 28], 1] = 1  # snare on 2 and 4 of both bars
    hits[0, ::2, 2] = 1  # 8th-note hats
    hits[1, 0:16:2, 2] = 1  # second pattern: hats in bar 1 only
    assert kick_on_downbeat(hits).tolist() == [[True, True], [False, False]]
    assert snare_on_backbeat(hits).tolist() == [[True, True], [False, False]]
    assert has_backbeat(hits).tolist() == [True, False] and has_pulse(hits).tolist() == [True, False]
    assert hits_per_bar(hits).tolist() == [11.0, 4.0]
    stats = GrooveStats(100, 6, 10, 16, 24, 0.8, 0.7)
    assert is_degenerate(hits, stats).tolist() == [False, True]  # an empty bar is never a groove
    sparse = np.zeros((1, 32, 9), np.float32)
    sparse[0, [0, 16, 24], 0] = 1
    assert is_degenerate(sparse, stats).tolist() == [True]
    assert is_degenerate(sparse, stats, density=-1.0).tolist() == [False]  # the player asked for sparse


def test_no_setting_writes_an_empty_or_near_empty_pattern(space: RhythmSpace) -> None:
    for style in (None, *space.styles):
        for t in (0.0, 0.3, 0.6, 1.0, 2.0):
            for density in (-1.0, 0.0, 1.0):
                for complexity in (-1.0, 1.0):
                    knobs = RhythmKnobs(density, complexity)
                    got = sample_phrases(space, 3, style, t, seed=7, knobs=knobs)
                    hits = np.stack([p.hits for p in got.patterns])
                    bars = hits.reshape(3, -1, 16, 9).sum(axis=(2, 3))
                    assert bars.min() > 0, (style, t, density, complexity)
                    assert not got.degenerate, (style, t, density, complexity)


def test_a_degenerate_sample_is_redrawn_and_flagged_when_it_cannot_be_helped(space: RhythmSpace) -> None:
    row = space.model.style_index("rock")
    real = space._groove_stats[row]
    try:
        # A floor no groove reaches: every draw is refused, the sampler says so.
        space._groove_stats[row] = dataclasses.replace(real, hits_p10=1000.0)
        got = sample_phrases(space, 2, "rock", 1.0, seed=3)
        assert got.degenerate == [0, 1] and got.redrawn == 2 * (MAX_DRAWS - 1)
    finally:
        space._groove_stats[row] = real
    got = sample_phrases(space, 2, "rock", 1.0, seed=3)
    assert got.degenerate == []
