"""``latentdrum rhythm humanize | drumify | from-audio | train-groove | evaluate-input`` end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.patterns.midi import read_midi, write_midi
from tests.groove.test_humanize_drumify import rock_beat
from tests.patterns.midi_factory import write_notes
from tests.rhythm.conftest import run_cli


def test_humanize_writes_the_same_hits_played_by_a_drummer(tmp_path: Path) -> None:
    src = write_midi(rock_beat(2, 110.0), tmp_path / "beat.mid")
    r = run_cli("rhythm", "humanize", str(src), "--style", "funk", "--amount", "0.8", "-o", str(tmp_path / "h.mid"))
    assert r.returncode == 0, r.stderr
    a, b = read_midi(src).pattern, read_midi(tmp_path / "h.mid").pattern
    assert np.array_equal(a.hits, b.hits) and b.bpm == pytest.approx(110.0)
    assert not np.allclose(a.velocities, b.velocities)


def test_humanize_an_empty_midi_file_says_so(tmp_path: Path) -> None:
    empty = write_notes(tmp_path / "empty.mid", [])
    r = run_cli("rhythm", "humanize", str(empty), "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2
    assert "contains no drum notes" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("rhythm", "humanize", str(empty), "--amount", "2", "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2 and "--amount" in r.stderr


def test_drumify_turns_piano_taps_into_a_kit(tmp_path: Path) -> None:
    # Middle C on MIDI channel 1, 8th notes for two bars at 120 BPM (480 ticks per beat).
    taps = write_notes(tmp_path / "taps.mid", [(240 * k, 60, 90 if k % 2 == 0 else 60) for k in range(16)], channel=0)
    r = run_cli("rhythm", "drumify", str(taps), "--style", "rock", "-o", str(tmp_path / "d.mid"))
    assert r.returncode == 0, r.stderr
    out = read_midi(tmp_path / "d.mid").pattern
    assert np.nonzero(out.hits.max(axis=1))[0].tolist() == list(range(0, 32, 2))


def test_drumify_an_empty_midi_file_says_what_to_record(tmp_path: Path) -> None:
    r = run_cli("rhythm", "drumify", str(write_notes(tmp_path / "e.mid", [])), "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2 and "no notes to read as taps" in r.stderr


def test_from_audio_refuses_a_silent_wav_and_noise(tmp_path: Path) -> None:
    sf.write(tmp_path / "silence.wav", np.zeros(44100 * 2, dtype=np.float32), 44100)
    r = run_cli("rhythm", "from-audio", str(tmp_path / "silence.wav"), "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2 and "silent" in r.stderr
    rng = np.random.default_rng(0)
    noise = np.zeros(44100 * 6, dtype=np.float32)
    for t in np.sort(rng.uniform(0, 5.5, 40)):
        s = int(t * 44100)
        noise[s : s + 1500] += rng.standard_normal(1500).astype(np.float32) * np.exp(-np.arange(1500) / 200)
    noise += 0.05 * rng.standard_normal(len(noise)).astype(np.float32)
    sf.write(tmp_path / "noise.wav", noise, 44100)
    r = run_cli("rhythm", "from-audio", str(tmp_path / "noise.wav"), "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2 and "no clear tempo" in r.stderr and "--bpm" in r.stderr
    r = run_cli("rhythm", "from-audio", str(tmp_path / "noise.wav"), "--bpm", "999", "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 2 and "20-400" in r.stderr


def test_from_audio_writes_the_loops_pattern_and_places_it(tmp_path: Path, samples_dir: Path) -> None:
    from tests.groove.test_listen import render_with_kit

    beat = rock_beat(2, 100.0)
    audio = render_with_kit(beat, samples_dir, "oramics/TR-505")
    sf.write(tmp_path / "loop.wav", audio, 44100, subtype="PCM_24")
    r = run_cli("rhythm", "from-audio", str(tmp_path / "loop.wav"), "-o", str(tmp_path / "loop.mid"))
    assert r.returncode == 0, r.stderr
    assert "rhythm map" in r.stdout
    out = read_midi(tmp_path / "loop.mid").pattern
    assert out.bpm == pytest.approx(100.0, rel=0.04)
    assert out.hits[[0, 8, 10, 16, 24, 26], 0].all()  # every kick on its step
    assert out.hits[0:32:2, 2].sum() >= 14  # and the 8th-note hats


def test_train_groove_then_humanize_with_the_new_model(tmp_path: Path) -> None:
    from tests.rhythm.conftest import make_midi_folder

    data = make_midi_folder(tmp_path / "midi")
    r = run_cli("rhythm", "train-groove", "--task", "humanize", "--data", str(data), "--out", str(tmp_path / "run"),
                "--epochs", "1", "--width", "16", "--blocks", "2", "--no-progress", "--threads", "1")
    assert r.returncode == 0, r.stderr[-2000:]
    src = write_midi(rock_beat(1), tmp_path / "beat.mid")
    r = run_cli("rhythm", "humanize", str(src), "--model", str(tmp_path / "run" / "humanize.ckpt"),
                "-o", str(tmp_path / "h.mid"))
    assert r.returncode == 0, r.stderr
    r = run_cli("rhythm", "drumify", str(src), "--model", str(tmp_path / "run" / "humanize.ckpt"),
                "-o", str(tmp_path / "d.mid"))
    assert r.returncode == 2 and "drumify" in r.stderr


def test_evaluate_input_writes_the_drumify_table(tmp_path: Path) -> None:
    import json

    from tests.rhythm.conftest import make_midi_folder

    data = make_midi_folder(tmp_path / "midi")
    r = run_cli("rhythm", "evaluate-input", "--task", "drumify", "--data", str(data), "--split", "train",
                "--out", str(tmp_path / "report"))
    assert r.returncode == 0, r.stderr[-2000:]
    table = json.loads((tmp_path / "report" / "drumify.json").read_text())
    assert table["strongest_voice_onsets"]["delivered"] == {"precision": 1.0, "recall": 1.0}
    assert 0.0 <= table["descriptor_overlap_mean"] <= 1.0
