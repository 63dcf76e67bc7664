"""``latentdrum sound ...`` end to end on a tiny synthetic folder and a tiny model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.cli import main
from latentdrum.models.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from latentdrum.spaces.sound import SoundSpace
from tests.sounds.factory import drum, write_kit


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    data = write_kit(root / "data", kits=("kitA", "kitB"), per_class=2)
    run = root / "run"
    cmd = [sys.executable, "-m", "latentdrum", "sound", "train", "--data", str(data), "--out", str(run),
           "--holdout", "kitB", "--epochs", "3", "--latent-dim", "4", "--hidden", "32", "--batch-size", "4",
           "--threads", "1", "--no-progress", "--seed", "3"]
    env = os.environ | {"LATENTDRUM_CACHE": str(root / "cache")}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "wrote" in res.stdout and (run / "sound.ckpt").is_file()
    return data, run / "sound.ckpt"


def test_train_writes_a_self_describing_checkpoint(trained: tuple[Path, Path]) -> None:
    _, path = trained
    ckpt = load_checkpoint(path, "sound")  # the file alone: format, type, config, data, metrics
    assert ckpt.config["latent_dim"] == 4 and ckpt.config["hidden"] == 32
    assert ckpt.data_summary["heldout_kits"] == ["kitB"] and ckpt.data_summary["train_kits"] == ["kitA"]
    assert ckpt.metrics["epochs"] >= 1 and ckpt.metrics["seed"] == 3
    assert ckpt.metrics["train_config"]["batch_size"] == 4
    space = SoundSpace.load(path)  # and it loads as a space with no other file beside it
    assert space.latent_dim == 4 and {"kick", "snare"} <= set(space.classes)
    summary = json.loads((path.parent / "train_summary.json").read_text())
    assert summary == {"data": ckpt.data_summary, "metrics": ckpt.metrics}


def test_sample_reconstruct_morph(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, ckpt = trained
    assert main(["sound", "sample", "--class", "kick", "--n", "3", "--seed", "1", "--pitch", "0.5",
                 "--decay", "-0.5", "--model", str(ckpt), "-o", str(tmp_path / "s")]) == 0
    files = sorted((tmp_path / "s").glob("kick_*.wav"))
    assert len(files) == 3
    info = sf.info(files[0])
    assert (info.samplerate, info.channels, info.subtype) == (44100, 1, "PCM_24")
    assert 0 < info.frames <= 3 * 44100  # as long as the sound rings, up to 3 s
    audio, _ = sf.read(files[0])
    assert np.abs(audio[-64:]).max() > 0  # ends where the sound ends: not padded with silence
    assert main(["sound", "reconstruct", str(data / "kitB" / "snare_00.wav"), "--model", str(ckpt),
                 "-o", str(tmp_path / "r.wav")]) == 0
    assert 0 < sf.info(tmp_path / "r.wav").frames <= 3 * 44100
    assert main(["sound", "morph", str(data / "kitB" / "kick_00.wav"), str(data / "kitA" / "kick_01.wav"),
                 "--steps", "4", "--model", str(ckpt), "-o", str(tmp_path / "m")]) == 0
    assert len(list((tmp_path / "m").glob("morph_*.wav"))) == 4


def test_evaluate_writes_metrics_and_pictures(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, ckpt = trained
    out = tmp_path / "report"
    assert main(["sound", "evaluate", "--data", str(data), "--out", str(out), "--model", str(ckpt),
                 "--n-samples", "3", "--sweep-latents", "1"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["heldout_kits"] == ["kitB"] and m["heldout_sounds"] == 6
    assert {"model", "class_average", "nearest_training_sound"} <= set(m["reconstruction"])
    assert set(m["knobs"]) == {"kick", "snare", "closed_hat"}
    assert m["cleanliness"]["max_peak_dbfs"] <= -0.1
    assert "| **overall** |" in (out / "realism.md").read_text()
    for name in ("spectrograms.png", "latent_map.png", "knob_sweeps.png", "realism_kick.png", "realism_snare.png"):
        assert (out / name).stat().st_size > 1000
    realism = m["realism"]
    assert set(realism["classes"]) == {"kick", "snare", "closed_hat"}
    for block in (realism["overall"], *realism["classes"].values()):
        assert {"ceiling", "reconstruction", "samples", "real"} <= set(block)
        assert {"partial_ratio", "jitter", "level_3ms_db", "t20_s", "t60_s"} <= set(block["real"])
    # the representation alone is closer to the real sounds than a model trained for seconds
    assert realism["overall"]["ceiling"]["paired_distance"] < realism["overall"]["reconstruction"]["paired_distance"]
    assert realism["kick_t20_relative_error"]["n"] == 2


def test_bad_inputs_exit_2_with_a_message(trained: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _, ckpt = trained
    assert main(["sound", "sample", "--class", "banjo", "--model", str(ckpt), "-o", str(tmp_path)]) == 2
    assert "unknown sound class 'banjo'" in capsys.readouterr().err
    rhythm = save_checkpoint(tmp_path / "rhythm.ckpt", Checkpoint("rhythm", {}, {}))
    assert main(["sound", "sample", "--class", "kick", "--model", str(rhythm), "-o", str(tmp_path)]) == 2
    assert "holds a 'rhythm' model" in capsys.readouterr().err
    (tmp_path / "snare_empty.wav").write_bytes(b"")
    assert main(["sound", "reconstruct", str(tmp_path / "snare_empty.wav"), "--model", str(ckpt),
                 "-o", str(tmp_path / "x.wav")]) == 2
    assert "empty (0 bytes)" in capsys.readouterr().err
    sf.write(tmp_path / "snare_silent.wav", 0 * drum("snare"), 44100)
    assert main(["sound", "reconstruct", str(tmp_path / "snare_silent.wav"), "--model", str(ckpt),
                 "-o", str(tmp_path / "x.wav")]) == 2
    assert "silent" in capsys.readouterr().err
    sf.write(tmp_path / "mystery.wav", drum("snare"), 96000, subtype="PCM_24")
    assert main(["sound", "reconstruct", str(tmp_path / "mystery.wav"), "--model", str(ckpt),
                 "-o", str(tmp_path / "x.wav")]) == 2
    assert "pass --class" in capsys.readouterr().err
    hires = tmp_path / "snare_96k.wav"  # 96 kHz 24-bit stereo: read, resampled, reconstructed
    sf.write(hires, drum("snare")[:, None].repeat(2, axis=1), 96000, subtype="PCM_24")
    assert main(["sound", "reconstruct", str(hires), "--model", str(ckpt), "-o", str(tmp_path / "x.wav")]) == 0


@pytest.mark.parametrize("rate", [48000, 96000])
def test_one_shots_are_written_at_the_sample_rate_asked_for(trained: tuple[Path, Path], tmp_path: Path,
                                                            rate: int) -> None:
    from scipy.signal import butter, resample_poly, sosfiltfilt

    _, ckpt = trained
    for r in (44100, rate):
        assert main(["sound", "sample", "--class", "snare", "--n", "1", "--seed", "4", "--model", str(ckpt),
                     "--sample-rate", str(r), "-o", str(tmp_path / str(r))]) == 0
    ref, sr_ref = sf.read(tmp_path / "44100" / "snare_000.wav")
    audio, sr = sf.read(tmp_path / str(rate) / "snare_000.wav")
    assert (sr_ref, sr, sf.info(tmp_path / str(rate) / "snare_000.wav").subtype) == (44100, rate, "PCM_24")
    assert abs(len(audio) - len(ref) * rate / 44100) <= 1  # same duration, more samples
    back = resample_poly(audio, 44100 // 300, rate // 300)[: len(ref)]  # the same sound, resampled
    audible = butter(8, 16000, fs=44100, output="sos")  # the resamplers' own filters differ near 22 kHz
    a, b = sosfiltfilt(audible, back), sosfiltfilt(audible, ref[: len(back)])
    assert np.sqrt(np.mean((a - b) ** 2)) < 0.01 * np.sqrt(np.mean(b**2))  # within -40 dB
    assert main(["sound", "morph", str(trained[0] / "kitB" / "kick_00.wav"), str(trained[0] / "kitA" / "kick_01.wav"),
                 "--steps", "2", "--model", str(ckpt), "--sample-rate", str(rate), "-o", str(tmp_path / "m")]) == 0
    assert {sf.info(f).samplerate for f in (tmp_path / "m").glob("morph_*.wav")} == {rate}
