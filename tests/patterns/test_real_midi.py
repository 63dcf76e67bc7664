"""Round trips and reading on the real Groove MIDI Dataset (skipped when shared/data is absent)."""

from pathlib import Path

import numpy as np
import pytest

from latentdrum.patterns.midi import read_midi, write_midi

FILES = [
    "drummer1/session1/1_funk_80_beat_4-4.mid",
    "drummer1/session1/10_jazz-funk_116_fill_4-4.mid",
]


@pytest.mark.parametrize("rel", FILES)
def test_real_file_round_trip_and_second_reader(groove_dir: Path, tmp_path: Path, rel: str) -> None:
    pretty_midi = pytest.importorskip("pretty_midi")
    original = read_midi(groove_dir / rel, "roland")
    out = write_midi(original.pattern, tmp_path / "rt.mid")
    again = read_midi(out)  # written in General MIDI, read back with the default map
    assert again.pattern.equals(original.pattern, velocity_tol=1 / 127, offset_tol=1 / 120 + 1e-6)

    # An independent reader sees the same onsets (seconds) and velocities.
    pm = pretty_midi.PrettyMIDI(str(out))
    (drums,) = pm.instruments
    assert drums.is_drum
    got = sorted((round(n.start, 3), n.velocity) for n in drums.notes)
    want = sorted((round(t, 3), round(v * 127)) for t, _, v in original.pattern.onset_times())
    assert len(got) == len(want)
    starts = np.array([g[0] for g in got]) - np.array([w[0] for w in want])
    assert np.abs(starts).max() <= 60 / original.pattern.bpm / 480 + 1e-3  # one tick
    assert [g[1] for g in got] == [w[1] for w in want]
