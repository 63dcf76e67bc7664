"""Phrases of 1-8 bars with fills where the player asks, through MIDI and the CLI (bundled model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.errors import ConfigError
from latentdrum.patterns.midi import read_midi, write_midi
from latentdrum.spaces.phrase import Phrase, decode_phrase, fill_bar, sample_phrases
from latentdrum.spaces.rhythm import RhythmSpace
from tests.rhythm.conftest import run_cli

TOMS = [4, 5, 6]


@pytest.fixture(scope="module")
def space() -> RhythmSpace:
    return RhythmSpace.load()


def test_phrase_settings_are_checked() -> None:
    assert Phrase(8, 4).fill_flags().tolist() == [0, 0, 0, 1, 0, 0, 0, 1]
    assert Phrase(4, 0).fill_flags().tolist() == [0, 0, 0, 0]
    for bars, every, match in ((3, 0, "1, 2, 4 or 8"), (2, 4, "4 bars or longer"), (8, 3, "2, 4 or 8")):
        with pytest.raises(ConfigError, match=match):
            Phrase(bars, every)


@pytest.mark.parametrize("bars", [1, 2, 4, 8])
def test_a_phrase_has_the_bars_asked_for_and_keeps_its_groove(space: RhythmSpace, bars: int) -> None:
    got = sample_phrases(space, 4, "rock", 0.6, seed=2, phrase=Phrase(bars))
    for p in got.patterns:
        assert p.bars == bars
        if bars >= 4:  # the windows vary a little around one groove: most hits repeat
            a, b = p.hits[:32], p.hits[32:64]
            assert (a == b).mean() > 0.9


def test_fills_land_in_the_bars_asked_for(space: RhythmSpace) -> None:
    got = sample_phrases(space, 24, "rock", 0.3, seed=4, phrase=Phrase(8, 4))
    hits = np.stack([p.hits for p in got.patterns]).reshape(24, 8, 16, 9)
    fill_bars, groove_bars = hits[:, [3, 7]], hits[:, [0, 1, 2, 4, 5, 6]]
    # A fill breaks the groove: toms (and snare runs) where the groove keeps time on the hats.
    assert fill_bars[..., TOMS].sum(axis=(2, 3)).mean() > 2 * groove_bars[..., TOMS].sum(axis=(2, 3)).mean() + 0.5
    changed = (fill_bars != hits[:, [2, 6]]).sum(axis=(2, 3)).mean()
    repeated = (groove_bars[:, [1, 4]] != groove_bars[:, [0, 3]]).sum(axis=(2, 3)).mean()
    assert changed > 2 * repeated


def test_the_fill_button_bar_is_the_groove_s_own_fill(space: RhythmSpace) -> None:
    z = space.sample_latent(1, "funk", 0.0)[0]
    bar = fill_bar(space, z, "funk", 0.0, seed=0)
    phrase = decode_phrase(space, z, "funk", Phrase(2, 2, variation=0.0), 0.0, seed=0)
    assert bar.bars == 1 and bar.equals(phrase.slice_bars(1, 1))


def test_a_phrase_survives_a_midi_round_trip(space: RhythmSpace, tmp_path: Path) -> None:
    p = sample_phrases(space, 1, "funk", 1.0, seed=9, phrase=Phrase(8, 4), bpm=97.0).patterns[0]
    back = read_midi(write_midi(p, tmp_path / "phrase.mid")).pattern
    assert back.bars == 8 and back.bpm == pytest.approx(97.0)
    early = p.offsets.copy()
    early[0] = np.maximum(early[0], 0.0)  # a clip starts at tick 0: an early first downbeat is written on it
    expected = type(p)(p.hits, p.velocities, early, p.bpm)
    assert back.equals(expected, velocity_tol=0.5 / 127, offset_tol=0.01)


def test_cli_samples_phrases_with_fills(tmp_path: Path) -> None:
    r = run_cli("rhythm", "sample", "--n", "2", "--style", "rock", "--bars", "8", "--fill-every", "4",
                "--temperature", "0.5", "--seed", "1", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    files = sorted(tmp_path.glob("*.mid"))
    assert len(files) == 2 and all(read_midi(f).pattern.bars == 8 for f in files)
    bad = run_cli("rhythm", "sample", "--bars", "2", "--fill-every", "4", "-o", str(tmp_path))
    assert bad.returncode == 2 and "4 bars or longer" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_interpolates_phrases(tmp_path: Path) -> None:
    a, b = tmp_path / "a.mid", tmp_path / "b.mid"
    space = RhythmSpace.load()
    for path, style in ((a, "rock"), (b, "funk")):
        write_midi(sample_phrases(space, 1, style, 0.5, seed=1, phrase=Phrase(4)).patterns[0], path)
    r = run_cli("rhythm", "interpolate", str(a), str(b), "--steps", "2", "--bars", "4", "-o", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    clips = sorted((tmp_path / "m").glob("*.mid"))
    assert len(clips) == 4 and all(read_midi(c).pattern.bars == 4 for c in clips)
