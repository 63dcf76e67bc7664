"""from-audio on a loop played by a real kit the transcriber never heard (needs ../shared/data/samples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.errors import AudioError
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


def test_the_given_tempo_sets_the_grid(transcriber: LoopTranscriber, samples_dir: Path) -> None:
    tr = transcriber.transcribe(render_with_kit(rock_beat(2, 100.0), samples_dir, "oramics/TR-505"), bpm=100.0)
    assert tr.pattern.bpm == 100.0
    assert tr.pattern.hits[[0, 8, 10, 16, 24, 26], 0].all()  # the kicks on their steps
    with pytest.raises(AudioError, match="bpm"):
        transcriber.transcribe(np.zeros(44100, dtype=np.float32), bpm=1000.0)
