"""The inverse transformations humanize and drumify learn to undo, and reading taps from MIDI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.errors import MidiError
from latentdrum.patterns.pattern import Pattern
from latentdrum.patterns.taps import read_taps
from latentdrum.patterns.transforms import FLAT_VELOCITY, quantize, tapify
from tests.patterns.midi_factory import write_notes


def _performance() -> Pattern:
    p = Pattern.empty(1)
    p.hits[0, [0, 2]] = 1  # kick + closed hat on the downbeat
    p.velocities[0, [0, 2]] = [0.9, 0.4]
    p.offsets[0, [0, 2]] = [0.1, -0.2]
    p.hits[4, 1], p.velocities[4, 1], p.offsets[4, 1] = 1, 0.7, 0.05
    return Pattern(p.hits, p.velocities, p.offsets)


def test_quantize_keeps_hits_and_flattens_the_feel() -> None:
    x = _performance().to_array()
    q = Pattern.from_array(quantize(x))
    assert np.array_equal(q.hits, _performance().hits)
    assert set(np.unique(q.velocities[q.hits > 0])) == {np.float32(FLAT_VELOCITY)}
    assert not q.offsets.any()


def test_tapify_takes_each_steps_loudest_hit() -> None:
    taps = tapify(_performance().to_array())  # (T, 3)
    assert taps.shape == (16, 3)
    assert np.nonzero(taps[:, 0])[0].tolist() == [0, 4]
    assert taps[0].tolist() == pytest.approx([1.0, 0.9, 0.1])  # the kick, not the softer hat
    assert taps[4].tolist() == pytest.approx([1.0, 0.7, 0.05])


def test_taps_come_from_any_pitch_on_any_channel(tmp_path: Path) -> None:
    # 120 BPM, 480 ticks per beat: a 16th is 120 ticks. A piano key on channel 1, slightly late.
    path = write_notes(tmp_path / "taps.mid", [(0, 60, 100), (250, 72, 50), (480, 61, 80)], channel=0)
    taps = read_taps(path)
    assert np.nonzero(taps.hits[:, 0])[0].tolist() == [0, 2, 4]
    assert taps.hits[:, 1:].sum() == 0
    assert taps.offsets[2, 0] == pytest.approx(10 / 120)
    assert taps.velocities[2, 0] == pytest.approx(50 / 127)


def test_an_empty_midi_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = write_notes(tmp_path / "empty.mid", [])
    with pytest.raises(MidiError, match="no notes to read as taps"):
        read_taps(path)
