"""The page's import paths over HTTP (TestClient): MIDI, humanize, taps, audio loops and samples.

Real files from ../shared/data: Groove MIDI performances, one-shots of a kit the models never
heard, and loops rendered from real performances with that kit. Every refused input must say
what was wrong and leave the scene and the undo history as they were.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import mido
import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from latentdrum.instrument.session import Session
from latentdrum.patterns.midi import read_midi
from latentdrum.sounds.audio import load_audio
from latentdrum.web.uploads import LIMITS

OCTET = {"content-type": "application/octet-stream"}
KIT = "oramics/pearl-master-studio"  # a held-out kit: neither sound model nor classifier trained on it


@pytest.fixture(scope="module")
def groove_file(groove_dir: Path) -> Path:
    return sorted((groove_dir / "drummer1" / "session1").glob("*.mid"))[0]


def _snapshot(client: TestClient) -> tuple[Any, ...]:
    s = client.get("/api/state").json()
    return s["pattern"], s["puck"], s["transport"], [v["key"] for v in s["voices"]], s["undo"], s["redo"]


def _upload(client: TestClient, kind: str, data: bytes, **params: Any) -> Any:
    return client.post(f"/api/import/{kind}", params=params, content=data, headers=OCTET)


def _wav(audio: np.ndarray, rate: int = 44100, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, subtype=subtype, format="WAV")
    return buf.getvalue()


# --- MIDI -------------------------------------------------------------------------------------------
def test_a_dropped_midi_file_becomes_the_pattern_with_its_drum_map(client: TestClient, session: Session,
                                                                   groove_file: Path) -> None:
    before = _snapshot(client)
    r = _upload(client, "midi", groove_file.read_bytes(), name=groove_file.name, map="roland")
    assert r.status_code == 200, r.text
    body = r.json()
    expected = read_midi(groove_file, "roland").pattern.slice_bars(0, 8)  # a long performance: its first 8 bars
    p = session.pattern
    assert p.bars == 8 and np.array_equal(p.hits, expected.hits)
    assert np.allclose(p.velocities, expected.velocities) and np.allclose(p.offsets, expected.offsets)
    assert session.scene.bpm == pytest.approx(expected.bpm)  # plays at the file's tempo
    assert body["data"]["pattern"]["pinned"]
    assert groove_file.name in body["message"] and "first 8 bars" in body["message"]
    assert body["data"]["undo"] == before[4] + 1
    # The puck sits where the imported groove lives in the rhythm space.
    z = session.rhythm.encode([expected.slice_bars(0, session.rhythm.bars)], session.scene.style)
    assert body["data"]["puck"] == pytest.approx(session.rhythm.to_map(z)[0].tolist(), abs=1e-3)
    # One undo step takes it all back.
    session.undo()
    assert _snapshot(client)[:4] == before[:4]


def test_the_drum_map_decides_which_notes_are_read(client: TestClient, session: Session, groove_file: Path) -> None:
    r = _upload(client, "midi", groove_file.read_bytes(), name=groove_file.name, map="gm")
    assert r.status_code == 200
    gm = read_midi(groove_file, "gm")
    assert np.array_equal(session.pattern.hits, gm.pattern.slice_bars(0, 8).hits)
    if gm.unmapped_notes:  # TD-11 pitches General MIDI does not list are said, not silently lost
        assert "Map" in r.json()["message"]
    bad = _upload(client, "midi", groove_file.read_bytes(), name=groove_file.name, map="nonsense")
    assert bad.status_code == 400 and "unknown drum map" in bad.json()["error"]


def _empty_midi() -> bytes:
    mid = mido.MidiFile(type=1)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)]))
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


@pytest.mark.parametrize(("data", "said"), [
    (b"", "empty"),
    (b"MThd\x00\x00\x00\x06garbage", "not a readable MIDI file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a readable MIDI file"),
    (_empty_midi(), "contains no drum notes"),
])
def test_bad_midi_is_refused_with_its_reason_and_nothing_changes(client: TestClient, data: bytes, said: str) -> None:
    before = _snapshot(client)
    r = _upload(client, "midi", data, name="my beat.mid")
    assert r.status_code == 400 and said in r.json()["error"] and "my beat.mid" in r.json()["error"]
    assert "/tmp" not in r.json()["error"]  # the user's own file name, not where the server kept it
    assert _snapshot(client) == before


def test_uploads_over_their_limit_are_refused_before_they_are_read(client: TestClient) -> None:
    before = _snapshot(client)
    r = _upload(client, "midi", bytes(LIMITS["midi"] + 1), name="huge.mid")
    assert r.status_code == 413 and "huge.mid is too large" in r.json()["error"]

    def chunks() -> Any:  # no Content-Length: refused while it streams
        for _ in range(20):
            yield bytes(100_000)
    r = client.post("/api/import/midi", params={"name": "stream.mid"}, content=chunks(), headers=OCTET)
    assert r.status_code == 413 and "at most 1 MB" in r.json()["error"]
    r = client.post("/api/import/loop", headers=OCTET | {"content-length": str(10**9)}, content=b"")
    assert r.status_code == 413  # the guard refuses a declared body past the largest upload limit
    assert _snapshot(client) == before


def test_uploads_keep_the_guard(client: TestClient, groove_file: Path) -> None:
    data = groove_file.read_bytes()
    before = _snapshot(client)

    def status(headers: dict[str, str], path: str = "/api/import/midi") -> int:
        return client.post(path, content=data, headers=headers).status_code

    assert status(OCTET | {"origin": "http://evil.example"}) == 403
    assert status(OCTET | {"host": "evil.example"}) == 421
    assert status(OCTET | {"sec-fetch-site": "cross-site"}) == 403
    for ctype in ("text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"):
        assert status({"content-type": ctype}) == 415
    assert status({"content-type": "application/json"}) == 415  # a file is sent as its bytes
    assert status(OCTET, "/api/scene") == 415  # raw bytes are taken on the import paths only
    assert _snapshot(client) == before


# --- humanize and taps ---------------------------------------------------------------------------------
def test_humanize_keeps_every_hit_of_the_edited_pattern(client: TestClient, session: Session) -> None:
    session.edit_cell(0, 0)  # a hand edit: the pattern is pinned
    edited = session.pattern.copy()
    depth = session.history()["undo"]
    r = client.post("/api/import/humanize", json={"amount": 1.0})
    assert r.status_code == 200, r.text
    out = session.pattern
    assert np.array_equal(out.hits, edited.hits)
    assert not np.allclose(out.velocities, edited.velocities) or not np.allclose(out.offsets, edited.offsets)
    assert r.json()["data"]["undo"] == depth + 1
    session.undo()
    assert np.array_equal(session.pattern.hits, edited.hits)
    assert np.allclose(session.pattern.velocities, edited.velocities)
    r = client.post("/api/import/humanize", json={"amount": 0.0})
    assert r.status_code == 200 and np.allclose(session.pattern.offsets, edited.offsets)
    for bad in ({"amount": 2}, {"amount": None}, [1]):
        assert client.post("/api/import/humanize", json=bad).status_code == 400


def test_tapped_quarter_notes_become_a_groove_on_the_taps(client: TestClient, session: Session) -> None:
    taps = [[s + d, 0.9 if s % 16 == 0 else 0.7] for s, d in zip(range(0, 32, 4), [0.0, 0.1, -0.1, 0.05] * 2,
                                                                  strict=True)]
    r = client.post("/api/import/taps", json={"taps": taps, "bars": 2})
    assert r.status_code == 200, r.text
    p = session.pattern
    played = set(np.nonzero(p.hits.any(axis=1))[0].tolist())
    assert played == set(range(0, 32, 4))  # every tap gets a drum, and nothing plays between taps
    for s, d in ((4, 0.1), (8, -0.1)):  # each hit exactly at its tap's time
        assert np.allclose(p.offsets[s][p.hits[s] > 0], d, atol=1e-4)


@pytest.mark.parametrize("body", [{"taps": [], "bars": 2}, {"taps": [[40, 0.8]], "bars": 2},
                                  {"taps": [["one", 0.8]]}, {"taps": [[0, 3]]}, {"taps": [[0, 0.8]], "bars": 3},
                                  {"taps": [[0, 0.8]] * 600}])
def test_bad_taps_are_refused(client: TestClient, body: dict[str, Any]) -> None:
    before = _snapshot(client)
    r = client.post("/api/import/taps", json=body)
    assert r.status_code == 400 and r.json()["error"]
    assert _snapshot(client) == before


# --- audio loops --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loop(groove_dir: Path, samples_dir: Path) -> tuple[bytes, Any]:
    """Bars 3-4 of a real funk performance played by a kit the transcriber never heard, as a WAV."""
    from tests.groove.test_listen import render_with_kit

    performance = read_midi(groove_dir / "drummer1" / "session1" / "102_funk_95_beat_4-4.mid", "roland")
    bars = performance.pattern.slice_bars(2, 2)
    return _wav(render_with_kit(bars, samples_dir, KIT)), bars


def test_a_dropped_loop_becomes_its_pattern_in_the_rhythm_space(client: TestClient, session: Session,
                                                                 loop: tuple[bytes, Any], tmp_path: Path) -> None:
    from latentdrum.evaluation.listen import match_hits
    from latentdrum.spaces.listen import LoopTranscriber

    wav, performance = loop
    depth = session.history()["undo"]
    r = _upload(client, "loop", wav, name="my loop.wav")
    assert r.status_code == 200, r.text
    p, body = session.pattern, r.json()
    assert "my loop.wav" in body["message"] and "BPM" in body["message"]
    # The pattern is what `latentdrum rhythm from-audio` makes of the same file ...
    (tmp_path / "loop.wav").write_bytes(wav)
    cli = LoopTranscriber.load().transcribe(load_audio(tmp_path / "loop.wav"))
    assert np.array_equal(p.hits, cli.pattern.slice_bars(0, p.bars).hits)
    assert session.scene.bpm == pytest.approx(cli.pattern.bpm) == pytest.approx(performance.bpm, rel=0.04)
    # ... which plays the performance back (hit F1 within +-30 ms, on a kit it never heard).
    pred = [(t + cli.start, v, vel) for t, v, vel in p.onset_times()]
    ref = performance.onset_times()
    assert 2 * len(match_hits(pred, ref)) / (len(pred) + len(ref)) >= 0.7
    # It sits where it lives in the rhythm space, one undo step away, and the pad morphs from it.
    z = session.rhythm.encode([p.slice_bars(0, session.rhythm.bars)], session.scene.style)
    assert body["data"]["puck"] == pytest.approx(session.rhythm.to_map(z)[0].tolist(), abs=1e-3)
    assert body["data"]["undo"] == depth + 1
    moved = session.move(body["data"]["puck"][0] + 0.3, body["data"]["puck"][1])
    assert not moved["pattern"]["pinned"]


def test_a_loop_with_no_clear_tempo_asks_for_it(client: TestClient) -> None:
    rng = np.random.default_rng(1)
    audio = np.zeros(44100 * 6, dtype=np.float32)
    burst = (rng.standard_normal(1500) * np.exp(-np.arange(1500) / 200.0)).astype(np.float32)
    for t in np.sort(rng.uniform(0, 5.5, 40)):  # hits at random times: no beat to find
        audio[int(t * 44100) : int(t * 44100) + 1500] += burst
    audio = 0.5 * audio / np.abs(audio).max()
    before = _snapshot(client)
    r = _upload(client, "loop", _wav(audio), name="free.wav")
    assert r.status_code == 422 and r.json()["ask"] == "bpm" and "no clear tempo" in r.json()["error"]
    assert "--bpm" not in r.json()["error"]  # page words, not the CLI's
    assert _snapshot(client) == before
    again = _upload(client, "loop", _wav(audio), name="free.wav", bpm="100")
    assert again.status_code != 422


@pytest.mark.parametrize(("data", "said"), [
    (_wav(np.zeros(44100 * 2, dtype=np.float32)), "silent"),
    (b"RIFF\x10\x00\x00\x00WAVEjunkjunk", "not a readable audio file"),
    (b"", "empty"),
    (_empty_midi(), "is a MIDI file, not audio"),
])
def test_bad_loops_are_refused_with_their_reason(client: TestClient, data: bytes, said: str) -> None:
    before = _snapshot(client)
    r = _upload(client, "loop", data, name="take 3.wav")
    assert r.status_code == 400 and said in r.json()["error"] and "take 3.wav" in r.json()["error"]
    assert _snapshot(client) == before
