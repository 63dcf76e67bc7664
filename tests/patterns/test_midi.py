from pathlib import Path

import mido
import numpy as np
import pytest

from latentdrum.errors import MidiError
from latentdrum.patterns.midi import NotFourFourError, read_midi, windows, write_midi
from latentdrum.patterns.pattern import Pattern
from tests.patterns.midi_factory import write_notes


def test_reads_hits_velocity_and_microtiming_on_the_grid(tmp_path: Path) -> None:
    # 480 tpb: a 16th is 120 ticks. Kick on beat 1, snare 30 ticks late on beat 2, hat early.
    f = write_notes(tmp_path / "a.mid", [(0, 36, 100), (480 + 30, 38, 64), (2 * 480 - 12, 42, 127)])
    d = read_midi(f)
    p = d.pattern
    assert p.bars == 1 and p.num_hits == 3 and p.bpm == pytest.approx(120.0)
    assert p.hits[0, 0] == 1 and p.velocities[0, 0] == pytest.approx(100 / 127)
    assert p.hits[4, 1] == 1 and p.offsets[4, 1] == pytest.approx(30 / 120)
    assert p.hits[8, 2] == 1 and p.offsets[8, 2] == pytest.approx(-12 / 120)


@pytest.mark.parametrize("tpb", [96, 220, 480, 960])
def test_any_ticks_per_beat_and_type_0(tmp_path: Path, tpb: int) -> None:
    f = write_notes(tmp_path / "a.mid", [(0, 36, 90), (tpb, 38, 90), (tpb * 5 // 4, 42, 90)], ticks_per_beat=tpb,
                    midi_type=0)
    p = read_midi(f).pattern
    assert p.hits[0, 0] and p.hits[4, 1] and p.hits[5, 2]


def test_tempo_changes_keep_the_grid_and_record_bar_tempo(tmp_path: Path) -> None:
    notes = [(bar * 1920, 36, 100) for bar in range(4)]
    f = write_notes(tmp_path / "t.mid", notes, bpm=100, tempo_changes=[(2 * 1920, 140.0)])
    d = read_midi(f)
    assert d.pattern.hits[::16, 0].tolist() == [1, 1, 1, 1]
    assert d.bar_bpm.round(1).tolist() == [100.0, 100.0, 140.0, 140.0]
    starts = [w.bpm for _, w in windows(d, bars=2, hop=1)]
    assert np.round(starts, 1).tolist() == [100.0, 100.0, 140.0]


def test_fill_shorter_than_window_is_padded_not_dropped(tmp_path: Path) -> None:
    f = write_notes(tmp_path / "fill.mid", [(i * 120, 38, 100) for i in range(6)])
    wins = windows(read_midi(f), bars=2)
    assert len(wins) == 1 and wins[0][1].bars == 2 and wins[0][1].num_hits == 6


def test_long_performance_is_cut_with_one_bar_hop(tmp_path: Path) -> None:
    f = write_notes(tmp_path / "long.mid", [(i * 480, 36, 100) for i in range(5 * 4)])
    wins = windows(read_midi(f), bars=2, hop=1)
    assert [s for s, _ in wins] == [0, 1, 2, 3]


def test_roland_map_differs_from_general_midi(tmp_path: Path) -> None:
    f = write_notes(tmp_path / "r.mid", [(0, 58, 100), (120, 22, 100)])  # TD-11 tom rim, hat edge
    roland = read_midi(f, "roland").pattern
    assert roland.hits[0, 4] == 1 and roland.hits[1, 2] == 1  # low tom, closed hat
    gm = read_midi(f, "gm").pattern
    assert gm.hits[0, 7] == 1  # General MIDI 58 (vibraslap) counts as a crash in note-seq's map


def test_not_four_four_is_refused_with_reason(tmp_path: Path) -> None:
    f = write_notes(tmp_path / "w.mid", [(0, 36, 100)], time_signature=(3, 4))
    with pytest.raises(NotFourFourError, match="3/4"):
        read_midi(f)


def test_drums_on_another_channel_need_a_choice(tmp_path: Path) -> None:
    f = write_notes(tmp_path / "c.mid", [(0, 36, 100)], channel=0)
    with pytest.raises(MidiError, match=r"channel 10.*channel\(s\) 1"):
        read_midi(f)
    assert read_midi(f, channel=None).pattern.num_hits == 1
    assert read_midi(f, channel=0).pattern.num_hits == 1


@pytest.mark.parametrize("content", [b"", b"not midi at all", b"MThd\x00\x00\x00\x06\x00\x01\x00\x01"])
def test_corrupt_file_gives_a_midi_error(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "bad.mid"
    f.write_bytes(content)
    with pytest.raises(MidiError):
        read_midi(f)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MidiError, match="does not exist"):
        read_midi(tmp_path / "nope.mid")


def test_written_clip_is_a_daw_drum_clip(tmp_path: Path) -> None:
    p = Pattern.empty(2, bpm=93.0)
    p.hits[[0, 8, 16], 0] = 1
    p.velocities[[0, 8, 16], 0] = [1.0, 0.5, 0.25]
    p.hits[3, 2], p.velocities[3, 2], p.offsets[3, 2] = 1, 0.4, 0.25
    f = write_midi(p, tmp_path / "clip.mid")
    mid = mido.MidiFile(f)
    msgs = list(mido.merge_tracks(mid.tracks))
    assert any(m.type == "time_signature" and (m.numerator, m.denominator) == (4, 4) for m in msgs)
    assert any(m.type == "set_tempo" and mido.tempo2bpm(m.tempo) == pytest.approx(93.0, abs=0.01) for m in msgs)
    ons = [m for m in msgs if m.type == "note_on"]
    offs = [m for m in msgs if m.type == "note_off"]
    assert len(ons) == len(offs) == 4 and all(m.channel == 9 for m in ons + offs)
    assert mid.length == pytest.approx(2 * 4 * 60 / 93.0, rel=1e-3)  # full two bars


def test_synthetic_round_trip_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    hits = (rng.random((64, 9)) < 0.25).astype(np.float32)
    vel = np.round(rng.uniform(1, 127, hits.shape)) / 127 * hits
    off = np.round((rng.random(hits.shape) - 0.5) * 0.98 * 120) / 120 * hits
    off[0] = np.abs(off[0])  # nothing can sound before the clip starts
    p = Pattern(hits, vel, off, 111.0)
    back = read_midi(write_midi(p, tmp_path / "rt.mid")).pattern
    assert back.equals(p, velocity_tol=0.5 / 127, offset_tol=1 / 120)
    assert back.bpm == pytest.approx(111.0, abs=0.01)


def test_a_hit_just_before_the_half_step_stays_on_its_step(tmp_path: Path) -> None:
    p = Pattern.empty(1)
    p.hits[5, 2], p.velocities[5, 2], p.offsets[5, 2] = 1.0, 0.7, 0.4999
    back = read_midi(write_midi(p, tmp_path / "late.mid")).pattern
    assert back.hits[5, 2] == 1 and back.hits[6, 2] == 0 and back.offsets[5, 2] > 0.49
