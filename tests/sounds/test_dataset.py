"""Labelling a user's folder, skipping bad files with reasons, caching, and the real sample set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.errors import DatasetError
from latentdrum.sounds.audio import MAX_SAMPLES
from latentdrum.sounds.classes import CLASSES, class_from_name, normalise_label
from latentdrum.sounds.dataset import build_sound_dataset
from tests.sounds.factory import drum, write_kit


@pytest.mark.parametrize(("name", "cls"), [
    ("bd_808", "kick"), ("Kick 01", "kick"), ("drum_snare_hard", "snare"), ("sd-tight", "snare"),
    ("Hi-Hat Open", "open_hat"), ("hihat-closed", "closed_hat"), ("drum_cymbal_pedal", "pedal_hat"),
    ("LowTom", "low_tom"), ("tom_hi", "high_tom"), ("cowbell", "perc"), ("clap", "clap"), ("ride_bell", "ride"),
    ("crash-01", "crash"), ("rimshot", "rim"), ("blip", None), ("elec_beep", None),
])
def test_class_from_name(name: str, cls: str | None) -> None:
    assert class_from_name(name) == cls


def test_labels_accept_aliases() -> None:
    assert normalise_label("Closed Hat") == "closed_hat"
    assert normalise_label("banjo") is None


def test_folder_labels_and_skips(tmp_path: Path) -> None:
    root = write_kit(tmp_path / "s", kits=("kitA",), per_class=1)
    (root / "toms").mkdir()
    sf.write(root / "toms" / "deep.flac", drum("kick"), 48000)  # class from the folder name
    sf.write(root / "kitA" / "blip.wav", drum("hat"), 44100)  # no class in the name: the sound says a hat
    sf.write(root / "kitA" / "kick_silent.wav", np.zeros(4410, np.float32), 44100)
    (root / "kitA" / "snare_empty.wav").write_bytes(b"")
    (root / "kitA" / "snare_broken.wav").write_bytes(b"RIFF1234WAVEjunkjunk")
    click = np.zeros(4410, np.float32)
    click[100] = 0.9
    sf.write(root / "kitA" / "hat_click.wav", click, 44100)
    ds = build_sound_dataset(root, progress=False)
    assert sorted(ds.files) == ["kitA/blip.wav", "kitA/hat_00.wav", "kitA/kick_00.wav", "kitA/snare_00.wav",
                                "toms/deep.flac"]
    assert CLASSES[ds.class_index[ds.files.index("toms/deep.flac")]] == "mid_tom"
    assert CLASSES[ds.class_index[ds.files.index("kitA/blip.wav")]] == "closed_hat"
    assert [b["file"] for b in ds.summary()["labelled_by_sound"]] == ["kitA/blip.wav"]
    assert ds.summary()["labelled_by"] == {"name": 4, "sound": 1}
    reasons = dict(ds.skipped)
    assert "silent" in reasons["kitA/kick_silent.wav"]
    assert "empty" in reasons["kitA/snare_empty.wav"]
    assert "not a readable audio file" in reasons["kitA/snare_broken.wav"]
    assert "too short" in reasons["kitA/hat_click.wav"]
    assert ds.audio.shape == (5, MAX_SAMPLES) and ds.audio.dtype == np.float32
    assert set(ds.kits) == {"kitA", "toms"}


def test_labels_csv_wins_and_reports_unlisted(tmp_path: Path) -> None:
    root = write_kit(tmp_path / "s", kits=("k",), per_class=1)
    (root / "labels.csv").write_text("path,class,source,license\nk/kick_00.wav,kick,me,CC0-1.0\n"
                                     "k/hat_00.wav,Open Hat,me,CC0-1.0\nk/gone.wav,snare,me,CC0-1.0\n")
    ds = build_sound_dataset(root, progress=False)
    assert [CLASSES[c] for c in ds.class_index] == ["open_hat", "kick"]
    reasons = dict(ds.skipped)
    assert reasons["k/snare_00.wav"] == "not listed in labels.csv"
    assert reasons["k/gone.wav"] == "listed in labels.csv but missing"
    assert ds.summary()["licenses"] == {"CC0-1.0": 2}


def test_cache_is_reused_until_the_folder_changes(tmp_path: Path) -> None:
    root = write_kit(tmp_path / "s", kits=("k",), per_class=1)
    assert not build_sound_dataset(root, progress=False).cached
    assert build_sound_dataset(root, progress=False).cached
    sf.write(root / "k" / "snare_new.wav", drum("snare", seed=5), 44100)
    changed = build_sound_dataset(root, progress=False)
    assert not changed.cached and "k/snare_new.wav" in changed.files


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no audio files"):
        build_sound_dataset(tmp_path, progress=False)
    with pytest.raises(DatasetError, match="not a folder"):
        build_sound_dataset(tmp_path / "nope", progress=False)


def test_data_sounds_cli(tmp_path: Path) -> None:
    root = write_kit(tmp_path / "s", kits=("k",), per_class=1)
    (root / "k" / "snare_empty.wav").write_bytes(b"")
    out = subprocess.run([sys.executable, "-m", "latentdrum", "data", "sounds", str(root)],
                         capture_output=True, text=True, check=True).stdout
    assert "3 sounds from 4 files" in out and "snare_empty.wav: is empty" in out and "kick" in out


def test_real_sample_set(samples_dir: Path) -> None:
    ds = build_sound_dataset(samples_dir, progress=False)
    s = ds.summary()
    assert s["files_used"] >= 630  # of 633 labelled files; the rest are skipped with a reason
    assert set(s["per_class"]) == set(CLASSES)
    assert s["skip_reasons"].get("not listed in labels.csv", 0) >= 50  # tabla, bleeps: not drums
    assert "oramics/avl-drumkits" in ds.kits and "muldjordkit" in ds.kits
    assert np.max(np.abs(ds.audio)) <= 10 ** (-1 / 20) + 1e-6
