"""Kit files: JSON round trip, clear errors for other models and malformed files, WAV export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from latentdrum.errors import KitError, KitModelMismatchError, LatentDrumError
from latentdrum.instrument.kit import Kit, KitVoice, export_one_shots
from latentdrum.instrument.render import RenderSettings
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import VOICES
from latentdrum.sounds.audio import SAMPLE_RATE


def make_kit(model_id: str = "sound-vae-test-1", dim: int = 8) -> Kit:
    rng = np.random.default_rng(0)
    voices = tuple(
        KitVoice(
            sound_class=name if name != "snare" else "rim",
            latent=tuple(float(x) for x in rng.standard_normal(dim)),
            knobs={"brightness": 0.25, "decay": -0.5},
            transpose=0.5 * i - 2.0,
            gain_db=-3.0 * i,
            pan=(i - 4) / 4,
            tune=float(i - 4),
            mute=i == 7,
        )
        for i, name in enumerate(VOICES)
    )
    return Kit(voices, model_id, name="test kit")


def test_kit_round_trips_through_json(tmp_path: Path) -> None:
    kit = make_kit()
    path = kit.save(tmp_path / "kit.json")
    loaded = Kit.load(path, expected_model_id="sound-vae-test-1")
    assert loaded == kit
    assert loaded.voices[0].knobs == {"brightness": 0.25, "decay": -0.5, "pitch": 0.0, "attack": 0.0}
    assert loaded.voices[1].sound_class == "rim" and loaded.voices[7].mute
    assert loaded.choke_group_indices() == RenderSettings().choke_groups
    # Small and human-readable: indented JSON naming each voice.
    text = path.read_text()
    assert '"voice": "open_hat"' in text and "\n  " in text and json.loads(text)["version"] == 1


def test_kits_written_before_the_retune_existed_open_unretuned(tmp_path: Path) -> None:
    data = make_kit().to_json()
    for v in data["voices"]:
        del v["transpose"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    assert all(v.transpose == 0.0 for v in Kit.load(path).voices)


def test_kit_made_by_another_sound_model_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = make_kit("sound-vae-old").save(tmp_path / "old.json")
    with pytest.raises(KitModelMismatchError) as info:
        Kit.load(path, expected_model_id="sound-vae-new")
    message = str(info.value)
    assert "sound-vae-old" in message and "sound-vae-new" in message and "new kit" in message
    assert isinstance(info.value, KitError) and isinstance(info.value, LatentDrumError)
    assert Kit.load(path).sound_model_id == "sound-vae-old"  # without a model to check against, it loads


def _edit(tmp_path: Path, change: Any) -> Path:
    data = make_kit().to_json()
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["voices"].pop(), "9 voices"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d.update(format="something"), "not a latentdrum kit"),
        (lambda d: d.pop("sound_model_id"), "which sound model"),
        (lambda d: d["voices"][2].update(latent="abc"), "voice 3 \\(closed_hat\\): latent"),
        (lambda d: d["voices"][0].update(latent=[1.0, "x"]), "latent\\[1\\] must be a number"),
        (lambda d: d["voices"][4].update(latent=[1.0]), "same length"),
        (lambda d: d["voices"][1].update(pan=3), "pan must lie in"),
        (lambda d: d["voices"][4].update(transpose=-30.0), "transpose must lie in"),
        (lambda d: d["voices"][1].update(gain_db=True), "gain_db must be a number"),
        (lambda d: d["voices"][5].update(knobs={"brigthness": 0.1}), "unknown knob"),
        (lambda d: d["voices"][5].update(knobs={"decay": 2}), "knob 'decay' must lie in"),
        (lambda d: d["voices"][6].update(mute="yes"), "mute must be true or false"),
        (lambda d: d["voices"][3].update(voice="ride"), "voices must be in order"),
        (lambda d: d["voices"][3].pop("sound_class"), "needs 'sound_class'"),
        (lambda d: d.update(choke_groups=[["closed_hat", "cowbell"]]), "unknown voice"),
        (lambda d: d.update(voices={"kick": 1}), "'voices' must be a list"),
    ],
)
def test_malformed_kits_raise_kit_errors_naming_the_problem(tmp_path: Path, change: Any, message: str) -> None:
    with pytest.raises(KitError, match=message):
        Kit.load(_edit(tmp_path, change))


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "not valid JSON \\(line 1"), ("[1, 2]", "one JSON object"), ("", "not valid JSON")],
)
def test_files_that_are_not_kits_raise_kit_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "kit.json"
    path.write_text(text)
    with pytest.raises(KitError, match=message):
        Kit.load(path)


def test_missing_kit_file_is_a_kit_error(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="does not exist"):
        Kit.load(tmp_path / "nope.json")
    with pytest.raises(KitError, match="not a file"):
        Kit.load(tmp_path)


def test_kit_voice_gives_the_renderer_its_mixer_settings() -> None:
    kit = make_kit()
    sounds = kit.voices[2].sounds(np.ones((3, 2, 100), dtype=np.float32))
    assert (sounds.gain_db, sounds.pan, sounds.tune, sounds.mute) == (-6.0, -0.5, -2.0, False)
    assert sounds.layers == 3 and sounds.variations == 2


def test_one_shots_export_as_24_bit_mono_wavs_a_sampler_loads(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    raw = [
        (rng.standard_normal(SAMPLE_RATE // 4) * 0.15 * np.exp(-np.arange(SAMPLE_RATE // 4) / 2000)).astype(np.float32)
        for _ in VOICES
    ]
    raw[0] = raw[0] * 10  # over full scale: scaled down, not clipped
    sounds: list[np.ndarray | VoiceSounds] = list(raw)
    layered = np.stack([np.stack([raw[8] * 0.5, raw[8] * 0.4]), np.stack([raw[8], raw[8] * 0.9])])
    sounds[8] = VoiceSounds(layered, tune=12.0)  # hardest layer, first variation, at its tune
    paths = export_one_shots(sounds, tmp_path / "kit one-shots")
    assert [p.name for p in paths] == [f"{i + 1:02d}_{name}.wav" for i, name in enumerate(VOICES)]
    for i, path in enumerate(paths):
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype, info.format) == (SAMPLE_RATE, 1, "PCM_24", "WAV")
        audio, _ = sf.read(str(path), dtype="float32")
        if i == 0:
            assert np.abs(audio).max() == pytest.approx(10 ** (-0.1 / 20), abs=1e-4)
            np.testing.assert_allclose(audio / np.abs(audio).max(), raw[0] / np.abs(raw[0]).max(), atol=1e-4)
        elif i == 8:
            assert audio.shape[0] == pytest.approx(SAMPLE_RATE // 8, abs=2)  # an octave up: half as long
        else:
            np.testing.assert_allclose(audio, raw[i], atol=1e-6)


def test_one_shots_export_at_48_and_96_khz_hold_the_same_sound(tmp_path: Path) -> None:
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    tone = (0.5 * np.sin(2 * np.pi * 220.0 * t) * np.exp(-t / 0.1)).astype(np.float32)  # a 220 Hz tom-like decay
    for rate in (48_000, 96_000):
        path = export_one_shots([tone] * len(VOICES), tmp_path / str(rate), sample_rate=rate)[0]
        audio, sr = sf.read(str(path), dtype="float32")
        assert sr == rate and sf.info(str(path)).subtype == "PCM_24"
        assert abs(len(audio) - len(tone) * rate / SAMPLE_RATE) <= 1  # same duration
        tr = np.arange(len(audio)) / rate
        expect = 0.5 * np.sin(2 * np.pi * 220.0 * tr) * np.exp(-tr / 0.1)
        np.testing.assert_allclose(audio[100:-100], expect[100:-100], atol=2e-3)  # the same 220 Hz decay


def test_export_refuses_the_wrong_number_of_sounds(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="one sound per voice"):
        export_one_shots([np.zeros(10)], tmp_path)


def test_velocity_layers_export_soft_to_hard_for_a_layered_sampler_patch(tmp_path: Path) -> None:
    layered = np.stack([np.full((2, 100), 0.2 * (k + 1), dtype=np.float32) for k in range(4)])  # (4, 2, 100)
    sounds: list[np.ndarray | VoiceSounds] = [np.full(100, 0.5, dtype=np.float32) for _ in VOICES]
    sounds[1] = VoiceSounds(layered * 2)  # hardest layer 1.6: the whole voice is scaled together
    paths = export_one_shots(sounds, tmp_path, layers=True)
    assert [p.name for p in paths[9:]] == [f"02_snare_v{k}.wav" for k in range(1, 5)]
    levels = [float(sf.read(str(p), dtype="float32")[0][0]) for p in paths[9:]]
    np.testing.assert_allclose(np.array(levels) / levels[-1], [0.25, 0.5, 0.75, 1.0], atol=1e-5)
    assert levels[-1] == pytest.approx(10 ** (-0.1 / 20), abs=1e-4)
