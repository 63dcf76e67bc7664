"""Loop -> pattern with the bundled transcriber on real kits it never heard (needs ../shared/data/samples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.evaluation.listen import match_hits
from latentdrum.patterns.pattern import Pattern
from latentdrum.spaces.listen import LoopTranscriber
from tests.groove.test_humanize_drumify import rock_beat
from tests.groove.test_listen import render_with_kit


@pytest.fixture(scope="module")
def transcriber() -> LoopTranscriber:
    return LoopTranscriber.load()


@pytest.mark.parametrize("kit", ["oramics/TR-505", "oramics/pearl-master-studio"])
def test_a_rock_beat_comes_back_hit_for_hit(transcriber: LoopTranscriber, samples_dir: Path, kit: str) -> None:
    beat = rock_beat(2, 100.0)
    beat.offsets[beat.hits > 0] = np.random.default_rng(1).uniform(-0.15, 0.15, int(beat.hits.sum()))
    beat = Pattern(beat.hits, beat.velocities, beat.offsets, 100.0)
    tr = transcriber.transcribe(render_with_kit(beat, samples_dir, kit))
    assert tr.analysis.bpm_estimated == pytest.approx(100.0, rel=0.04)
    pred = [(t + tr.start, v, vel) for t, v, vel in tr.pattern.onset_times()]
    ref = beat.onset_times()
    pairs = match_hits(pred, ref)
    assert 2 * len(pairs) / (len(pred) + len(ref)) >= 0.85  # hit F1, +-30 ms per voice
    assert np.mean([abs(a[0] - b[0]) for a, b in pairs]) < 0.01  # timing kept within 10 ms
    assert tr.pattern.bars == 2 and tr.start == pytest.approx(0.0, abs=0.03)
