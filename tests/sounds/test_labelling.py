"""The sound classifier and the one labelling rule: --class, else the name, else the sound, else unknown."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.cli import main
from latentdrum.errors import CheckpointError, ConfigError, DatasetError
from latentdrum.sounds.audio import load_audio, prepare_one_shot
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.classifier import SoundClassifier, bundled_classifier
from latentdrum.sounds.classifier_fit import fit_classifier
from latentdrum.sounds.dataset import build_sound_dataset
from latentdrum.sounds.labelling import label_file, require_class
from tests.sounds.factory import drum, write_kit

KINDS = {"kick": "kick", "snare": "snare", "hat": "closed_hat"}


@pytest.fixture(scope="module")
def small() -> SoundClassifier:
    """A classifier really fitted on three synthetic kits of kicks, snares and hats."""
    audio, labels, kits = [], [], []
    for k, kit in enumerate("ABC"):
        for kind, cls in KINDS.items():
            for i in range(3):
                audio.append(prepare_one_shot(drum(kind, seconds=0.2 + 0.1 * i, seed=10 * k + i)).audio)
                labels.append(cls)
                kits.append(kit)
    return fit_classifier(np.stack(audio), labels, kits, augment=False)


def test_fitted_classifier_hears_the_class_and_reports_its_calibration(small: SoundClassifier) -> None:
    assert small.classes == ("kick", "snare", "closed_hat")
    shots = np.stack([prepare_one_shot(drum(kind, seed=99)).audio for kind in KINDS])
    p = small.classify(shots)
    assert p.shape == (3, 3) and np.allclose(p.sum(axis=1), 1.0)
    assert list(p.argmax(axis=1)) == [0, 1, 2]
    loko = small.info["leave_one_kit_out"]
    assert loko["accuracy"] > 0.9 and small.temperature > 0 and 0.3 <= small.threshold <= 0.9
    assert small.info["trained_on"]["kits"] == ["A", "B", "C"]


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_classifier_file_round_trip(small: SoundClassifier, tmp_path: Path, suffix: str) -> None:
    back = SoundClassifier.load(small.save(tmp_path / f"c{suffix}"))
    x = np.stack([prepare_one_shot(drum("snare", seed=5)).audio])
    assert np.allclose(back.classify(x), small.classify(x), atol=1e-5)
    assert back.threshold == small.threshold and back.info == json.loads(json.dumps(small.info))
    assert SoundClassifier.from_dict(small.to_dict()).classes == small.classes


def test_classifier_file_errors(tmp_path: Path, small: SoundClassifier) -> None:
    with pytest.raises(CheckpointError, match="train-classifier"):
        SoundClassifier.load(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="not a readable sound classifier"):
        SoundClassifier.load(tmp_path / "junk.npz")
    d = small.to_dict() | {"feature_version": 99}
    with pytest.raises(CheckpointError, match="feature version 99"):
        SoundClassifier.from_dict(d)


def test_fit_needs_two_kits_and_known_classes() -> None:
    x = np.stack([prepare_one_shot(drum("kick")).audio] * 2)
    with pytest.raises(DatasetError, match="at least two kits"):
        fit_classifier(x, ["kick", "kick"], ["A", "A"])
    with pytest.raises(DatasetError, match="unknown classes"):
        fit_classifier(x, ["kick", "banjo"], ["A", "B"])


def _write(path: Path, kind: str, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, drum(kind, seed=seed), 44100)
    return path


def test_override_then_name_then_sound(small: SoundClassifier, tmp_path: Path) -> None:
    f = _write(tmp_path / "k" / "thing.wav", "kick")
    assert label_file(f, load_audio(f), override="snare").source == "override"
    with pytest.raises(ConfigError, match="unknown sound class 'banjo'"):
        label_file(f, load_audio(f), override="banjo")
    named = _write(tmp_path / "k" / "HatOpen-Soft.wav", "kick")  # the name wins whatever the sound
    lab = label_file(named, load_audio(named), classifier=small)
    assert (lab.cls, lab.source, lab.confidence) == ("open_hat", "name", 1.0)
    lab = label_file(f, load_audio(f), classifier=small)
    assert (lab.cls, lab.source) == ("kick", "sound") and lab.confidence >= small.threshold
    assert lab.alternatives[0][0] == "kick" and "says nothing" in lab.why and "sure" in lab.describe()


def test_disagreeing_keywords_are_settled_by_the_sound(small: SoundClassifier, tmp_path: Path) -> None:
    f = _write(tmp_path / "kick_snare.wav", "snare", seed=3)
    lab = label_file(f, load_audio(f), classifier=small)
    assert (lab.cls, lab.source) == ("snare", "sound")
    assert {c for c, _ in lab.alternatives} <= {"kick", "snare"} and "disagree" in lab.why


def test_unknown_below_the_threshold_is_listed_with_guesses_never_guessed(tmp_path: Path) -> None:
    """The bundled classifier is not sure of the synthetic snare (a sine plus noise, half hat-like)."""
    clf = bundled_classifier()
    f = _write(tmp_path / "kit" / "sample 07.wav", "snare", seed=4)
    lab = label_file(f, load_audio(f))
    assert lab.unknown and lab.source == "sound" and lab.confidence < clf.threshold and len(lab.alternatives) == 3
    assert lab.describe().startswith("unknown") and lab.alternatives[0][0] in lab.guesses()
    with pytest.raises(ConfigError, match=r"pass --class, e\.g\. --class "):
        require_class(f, lab)
    _write(tmp_path / "kit" / "kick_01.wav", "kick")
    ds = build_sound_dataset(tmp_path, progress=False)  # no labels.csv: the same rule, the file left out
    assert ds.files == ["kit/kick_01.wav"]
    reason = dict(ds.skipped)["kit/sample 07.wav"]
    assert reason.startswith("class unknown (the name says nothing") and lab.guesses() in reason


def test_numbered_toms_read_with_their_folder(tmp_path: Path) -> None:
    files = [_write(tmp_path / "kit" / f"Tom{i}.wav", "kick", seed=i) for i in (1, 2, 3)]
    got = [label_file(f, load_audio(f)) for f in files]
    assert [g.cls for g in got] == ["high_tom", "mid_tom", "low_tom"] and {g.source for g in got} == {"name"}
    alone = label_file("Tom2.wav", load_audio(files[1]), siblings=[])  # a dropped file: no kit to read
    assert alone.source == "sound" and {c for c, _ in alone.alternatives} <= {"high_tom", "mid_tom", "low_tom"}


def test_bundled_classifier_loads_and_says_what_it_was_measured_on() -> None:
    clf = bundled_classifier()
    assert clf.classes == CLASSES
    held = clf.info["heldout"]
    assert held["kits"] == ["oramics/CR-78", "oramics/MRK-2", "oramics/TR-505", "oramics/pearl-master-studio"]
    assert not set(held["kits"]) & set(clf.info["trained_on"]["kits"])
    assert {"name_alone", "sound_alone", "together"} <= set(held)


def test_train_classifier_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_kit(tmp_path / "d", kits=("kitA", "kitB", "kitC"), per_class=2)
    out = tmp_path / "c.npz"
    assert main(["sound", "train-classifier", "--data", str(data), "--out", str(out), "--holdout", "kitC",
                 "--no-augment", "--report", str(tmp_path / "r.json")]) == 0
    text = capsys.readouterr().out
    assert "name rule alone 1.000" in text and "sound alone" in text and f"wrote {out}" in text
    clf = SoundClassifier.load(out)
    assert clf.info["heldout"]["kits"] == ["kitC"] and clf.info["trained_on"]["kits"] == ["kitA", "kitB"]
    assert json.loads((tmp_path / "r.json").read_text())["sounds"] == 6
    assert main(["sound", "train-classifier", "--data", str(data), "--out", str(out), "--holdout", "nokit"]) == 2
    assert "not folders of" in capsys.readouterr().err
