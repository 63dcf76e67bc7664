import json
from pathlib import Path

import mido

from latentdrum.patterns.midi import read_midi
from tests.rhythm.conftest import run_cli


def test_sample_writes_n_midi_clips(tiny_rhythm_ckpt: Path, tmp_path: Path) -> None:
    r = run_cli("rhythm", "sample", "--n", "3", "--style", "rock", "--seed", "1", "--bpm", "100",
                "--model", str(tiny_rhythm_ckpt), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    files = sorted(tmp_path.glob("*.mid"))
    assert len(files) == 3
    for f in files:
        mido.MidiFile(f)
        assert read_midi(f).pattern.bpm == 100.0


def test_interpolate_writes_k_plus_2_sorted_clips(tiny_rhythm_ckpt: Path, midi_folder: Path, tmp_path: Path) -> None:
    a, b = midi_folder / "funk" / "funk_0.mid", midi_folder / "rock" / "rock_0.mid"
    r = run_cli("rhythm", "interpolate", str(a), str(b), "--steps", "10", "--model", str(tiny_rhythm_ckpt),
                "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    names = [f.name for f in sorted(tmp_path.glob("*.mid"))]
    assert names[0] == "interp_00.mid" and names[-1] == "interp_11.mid" and len(names) == 12


def test_reconstruct_on_the_inputs_timeline(tiny_rhythm_ckpt: Path, midi_folder: Path, tmp_path: Path) -> None:
    src = midi_folder / "funk" / "funk_4.mid"
    r = run_cli("rhythm", "reconstruct", str(src), "--model", str(tiny_rhythm_ckpt), "-o", str(tmp_path / "o.mid"))
    assert r.returncode == 0, r.stderr
    a, b = mido.MidiFile(src), mido.MidiFile(tmp_path / "o.mid")
    assert abs(a.length - b.length) < 60 / 110 / 4  # same length, within one 16th
    assert read_midi(tmp_path / "o.mid").pattern.bpm == read_midi(src).pattern.bpm


def test_evaluate_writes_metrics_and_plots(tiny_rhythm_ckpt: Path, midi_folder: Path, tmp_path: Path) -> None:
    r = run_cli("rhythm", "evaluate", "--data", str(midi_folder), "--split", "train", "--samples", "200",
                "--model", str(tiny_rhythm_ckpt), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert 0 <= m["reconstruction"]["hit_f1"] <= 1 and len(m["samples"]["descriptor_overlap"]) >= 12
    assert {"latent_map.png", "descriptors.png", "per_voice.png"} <= {p.name for p in tmp_path.iterdir()}


def test_cli_bad_inputs_exit_2_with_one_line(tiny_rhythm_ckpt: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ckpt"
    bad.write_text("not a checkpoint")
    for args in (["rhythm", "sample", "--model", str(bad), "-o", str(tmp_path)],
                 ["rhythm", "sample", "--style", "polka", "--model", str(tiny_rhythm_ckpt), "-o", str(tmp_path)],
                 ["rhythm", "reconstruct", str(tmp_path / "no.mid"), "--model", str(tiny_rhythm_ckpt), "-o", "x.mid"]):
        r = run_cli(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("latentdrum: error:"), r.stderr
