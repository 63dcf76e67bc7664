""""Drop your sample" over HTTP (TestClient): the class by the rule of ``sound reconstruct``, the
sample encoded into the sound space for that voice, and the unknown case asked, never guessed.

Real one-shots of a kit neither the sound model nor the classifier was trained on.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from latentdrum.instrument.session import Session
from latentdrum.sounds.audio import load_audio, resample
from latentdrum.sounds.labelling import label_file
from latentdrum.web.uploads import LIMITS

OCTET = {"content-type": "application/octet-stream"}
KIT = "oramics/pearl-master-studio"


@pytest.fixture(scope="module")
def kit(samples_dir: Path) -> Path:
    return samples_dir / KIT


def _drop(client: TestClient, data: bytes, voice: int, name: str, cls: str | None = None) -> Any:
    params: dict[str, Any] = {"voice": voice, "name": name}
    if cls:
        params["class"] = cls
    return client.post("/api/import/sample", params=params, content=data, headers=OCTET)


def _wav(audio: np.ndarray, rate: int = 44100, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, subtype=subtype, format="WAV")
    return buf.getvalue()


def _kit_state(client: TestClient) -> tuple[Any, ...]:
    s = client.get("/api/state").json()
    return tuple((v["sound_class"], v["key"]) for v in s["voices"]), s["undo"]


def test_a_named_sample_becomes_the_voice_sound(client: TestClient, session: Session, kit: Path) -> None:
    path = kit / "hihat-open.wav"
    session.set_voice(3, knobs={"brightness": 0.7})
    before = session.scene.kit
    depth = session.history()["undo"]
    r = _drop(client, path.read_bytes(), 3, path.name)
    assert r.status_code == 200, r.text
    v = session.scene.kit.voices[3]
    assert v.sound_class == "open_hat" and "from name" in r.json()["message"]
    expected = session.sound.encode(load_audio(path), "open_hat")  # what `sound reconstruct` encodes
    assert np.allclose(v.latent, expected, atol=1e-4)
    assert all(k == 0.0 for k in v.knobs.values())  # it sounds like the sample: knobs back to neutral
    assert v.gain_db == before.voices[3].gain_db and v.pan == before.voices[3].pan  # the mix is kept
    assert session.scene.kit.voices[:3] == before.voices[:3]  # no other voice changes
    assert r.json()["data"]["undo"] == depth + 1
    session.undo()
    assert session.scene.kit.voices[3] == before.voices[3]


def test_a_dropped_tom_plays_at_its_own_pitch(client: TestClient, session: Session, samples_dir: Path) -> None:
    # A tom of a kit the model never heard: its latent alone comes back 4.5 semitones low; the
    # voice keeps the retune that puts it back, in what the page plays and in the kit file.
    from latentdrum.instrument.coupling import decode_voices
    from latentdrum.instrument.kit import Kit
    from latentdrum.sounds.audio import prepare_one_shot
    from latentdrum.sounds.descriptors import fundamental

    path = samples_dir / "oramics/MRK-2/tom.wav"
    r = _drop(client, path.read_bytes(), 5, "tom.wav", "mid_tom")
    assert r.status_code == 200, r.text
    v = session.scene.kit.voices[5]
    assert v.sound_class == "mid_tom" and abs(v.transpose) > 1.0 and "kept at its pitch" in r.json()["message"]
    played = decode_voices(session.sound, session.scene.kit, voices=[5])[5][-1, 0]  # the kit sound
    real = prepare_one_shot(load_audio(path)).audio
    assert abs(12 * np.log2(fundamental(played)[0] / fundamental(real)[0])) < 1.0
    assert Kit.from_json(session.scene.kit.to_json()).voices[5].transpose == v.transpose
    session.dice_voice(5, amount=1.0, seed=3)  # a fresh sample is at the model's own tuning
    assert session.scene.kit.voices[5].transpose == 0.0


def test_a_sample_dropped_on_another_voice_keeps_its_own_class(client: TestClient, session: Session, kit: Path) -> None:
    r = _drop(client, (kit / "snare-01.wav").read_bytes(), 0, "snare-01.wav")
    assert r.status_code == 200 and session.scene.kit.voices[0].sound_class == "snare"


def _by_sound(kit: Path, sure: bool) -> Path | None:
    """A file of the kit whose sound alone the classifier is (sure) / is not (not sure) about."""
    for path in sorted(kit.glob("*.wav")):
        label = label_file("sample.wav", load_audio(path), siblings=["sample.wav"])
        if label.unknown != sure:
            return path
    return None


def test_an_unnamed_sample_the_sound_is_not_sure_of_is_asked_not_guessed(client: TestClient, session: Session,
                                                                           kit: Path) -> None:
    path = _by_sound(kit, sure=False)
    if path is None:
        pytest.skip(f"the classifier is sure of every sound of {KIT}")
    before = _kit_state(client)
    r = _drop(client, path.read_bytes(), 1, "sample.wav")
    body = r.json()
    assert r.status_code == 422 and body["ask"] == "class" and "choose its class" in body["error"]
    assert body["guesses"] and all(c in body["classes"] for c, _ in body["guesses"])
    assert body["guesses"] == sorted(body["guesses"], key=lambda g: -g[1])
    assert _kit_state(client) == before  # nothing changed while it asks
    chosen = body["guesses"][0][0]
    r = _drop(client, path.read_bytes(), 1, "sample.wav", chosen)
    assert r.status_code == 200 and session.scene.kit.voices[1].sound_class == chosen
    assert "chosen by you" in r.json()["message"]


def test_an_unnamed_sample_the_sound_is_sure_of_says_so(client: TestClient, session: Session, kit: Path) -> None:
    path = _by_sound(kit, sure=True)
    if path is None:
        pytest.skip(f"the classifier is unsure of every sound of {KIT}")
    r = _drop(client, path.read_bytes(), 2, "sample.wav")
    assert r.status_code == 200 and "from the sound" in r.json()["message"] and "sure" in r.json()["message"]


@pytest.mark.parametrize(("rate", "subtype"), [(44100, "PCM_U8"), (96000, "PCM_24"), (22050, "FLOAT")])
def test_eight_bit_and_other_rates_are_read(client: TestClient, session: Session, kit: Path, rate: int,
                                            subtype: str) -> None:
    audio = resample(load_audio(kit / "kick-01.wav"), 44100, rate)
    r = _drop(client, _wav(audio, rate, subtype), 0, "kick-01.wav")
    assert r.status_code == 200, r.text
    assert session.scene.kit.voices[0].sound_class == "kick"


@pytest.mark.parametrize(("data", "name", "said"), [
    (_wav(np.zeros(22050, dtype=np.float32)), "kick.wav", "silent"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt garbage", "kick.wav", "not a readable audio file"),
    (b"", "kick.wav", "empty"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0", "kick.wav", "is a MIDI file"),
    (b"%PDF-1.4 not audio at all", "kick.pdf", "not a readable audio file"),
])
def test_bad_samples_are_refused_and_the_kit_is_kept(client: TestClient, data: bytes, name: str, said: str) -> None:
    before = _kit_state(client)
    r = _drop(client, data, 0, name)
    assert r.status_code == 400 and said in r.json()["error"] and name in r.json()["error"], r.text
    assert _kit_state(client) == before


def test_bad_voice_class_and_size_are_refused(client: TestClient, kit: Path) -> None:
    data = (kit / "kick-01.wav").read_bytes()
    before = _kit_state(client)
    assert _drop(client, data, 9, "kick-01.wav").status_code == 400
    r = _drop(client, data, 0, "kick-01.wav", "cowbell")
    assert r.status_code == 400 and "cowbell" in r.json()["error"]
    r = _drop(client, bytes(LIMITS["sample"] + 1), 0, "long.wav")
    assert r.status_code == 413 and "long.wav is too large" in r.json()["error"]
    assert _kit_state(client) == before
