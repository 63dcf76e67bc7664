"""from-audio on a loop played by a real kit the transcriber never heard (needs ../shared/data/samples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.errors import AudioError
from latentdrum.evaluation.listen import match_hits
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.kits import kit_files, load_one_shot, pick_kit
from latentdrum.spaces.listen import LoopTranscriber
from tests.groove.test_humanize_drumify import rock_beat


def render_with_kit(pattern: Pattern, samples: Path, kit: str, seed: int = 0) -> np.ndarray:
    """``pattern`` played by ``kit``'s one-shots (TR-505's where it lacks a voice): (N,) mono."""
    kits = kit_files(samples)
    files = pick_kit(kits[kit], np.random.default_rng(seed), fallback=kits["oramics/TR-505"])
    voices = [VoiceSounds(load_one_shot(f)[None, None]) for f in files]
    return render(pattern, voices, RenderSettings(tail="ring", layer_mode="nearest", variation=0.0)).mean(axis=1)


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


def test_the_given_tempo_sets_the_grid(transcriber: LoopTranscriber, samples_dir: Path) -> None:
    tr = transcriber.transcribe(render_with_kit(rock_beat(2, 100.0), samples_dir, "oramics/TR-505"), bpm=100.0)
    assert tr.pattern.bpm == 100.0
    assert tr.pattern.hits[[0, 8, 10, 16, 24, 26], 0].all()  # the kicks on their steps
    with pytest.raises(AudioError, match="bpm"):
        transcriber.transcribe(np.zeros(44100, dtype=np.float32), bpm=1000.0)
