"""The server over HTTP and websocket (FastAPI TestClient): robust, safe, persistent."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from latentdrum.instrument.session import Session
from latentdrum.web.app import create_app

JSON = {"content-type": "application/json"}
BASE = "http://127.0.0.1:8000"  # the address the server prints; its Host is on the allow-list
WS = "ws://127.0.0.1:8000/ws"


@pytest.fixture()
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "session.json"


@pytest.fixture()
def client(spaces, state_file: Path):  # type: ignore[no-untyped-def]
    session = Session(*spaces, state_file, seed=0)
    with TestClient(create_app(session=session), base_url=BASE) as c:
        yield c


def _state(client: TestClient) -> dict:  # type: ignore[type-arg]
    r = client.get("/api/state")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def test_page_and_static_files_are_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<canvas id=\"pad\"" in r.text
    for path in ("/static/style.css", "/static/js/main.js", "/static/js/audio.js"):
        assert client.get(path).status_code == 200
    # Nothing is fetched from elsewhere: every src/href of the page is local.
    assert "http://" not in r.text and "https://" not in r.text


@pytest.mark.parametrize(
    "path",
    ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
     "/static//etc/passwd", "/static/js/../../protocol.py"],
)
def test_static_files_cannot_escape_their_folder(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "def create_app" not in r.text and "MAX_MESSAGE_BYTES" not in r.text and "root:" not in r.text


def test_maps_and_sounds(client: TestClient) -> None:
    m = client.get("/api/rhythm-map").json()
    assert len(m["points"]) == len(m["styles"]) > 0
    sm = client.get("/api/sound-map/1").json()
    assert sm["sound_class"] and len(sm["point"]) == 2
    assert client.get("/api/sound-map/12").status_code == 400
    body = client.get("/api/sounds?voices=0,2&q=draft").content
    n = struct.unpack("<I", body[:4])[0]
    header = json.loads(body[4 : 4 + n])
    assert [e["voice"] for e in header["voices"]] == [0, 2]
    e = header["voices"][1]
    count = e["layers"] * e["variations"] * e["samples"]
    data = np.frombuffer(body, dtype="<f4", offset=4 + n + e["offset"], count=count)
    assert e["layers"] == e["variations"] == 1 and np.abs(data).max() > 0.01
    assert client.get("/api/sounds?voices=0,x").status_code == 400
    assert client.get("/api/sounds?q=ultra").status_code == 400


def test_downloads_are_valid_files(client: TestClient) -> None:
    import pretty_midi
    import soundfile as sf

    from latentdrum.instrument.kit import Kit

    mid = client.get("/api/download/pattern.mid")
    assert mid.status_code == 200 and "attachment" in mid.headers["content-disposition"]
    pm = pretty_midi.PrettyMIDI(io.BytesIO(mid.content))
    hits = sum(sum(row) for row in _state(client)["pattern"]["hits"])
    assert sum(len(i.notes) for i in pm.instruments) == hits
    wav = client.get("/api/download/loop.wav")
    audio, sr = sf.read(io.BytesIO(wav.content))
    assert sr == 44100 and audio.ndim == 2 and np.abs(audio).max() <= 1.0
    kit = Kit.from_json(client.get("/api/download/kit.json").json())
    assert len(kit.voices) == 9
    assert client.get("/api/download/scene.json").json()["format"] == "latentdrum-scene"
    assert client.get("/api/download/secrets.txt").status_code == 404


def test_websocket_applies_valid_messages(client: TestClient) -> None:
    before = _state(client)
    with client.websocket_connect(WS) as ws:
        x, y = before["puck"]
        ws.send_text(json.dumps({"id": 1, "op": "move", "x": x + 0.5, "y": y}))
        reply = ws.receive_json()
        assert reply["ok"] and reply["id"] == 1 and reply["data"]["puck"] == pytest.approx([x + 0.5, y], abs=1e-3)
        assert reply["data"]["undo"] == 1 and reply["data"]["redo"] == 0
        ws.send_text(json.dumps({"id": 2, "op": "voice", "voice": 1, "knobs": {"brightness": 0.5}}))
        reply = ws.receive_json()
        assert reply["ok"] and reply["data"]["voices"][1]["knobs"]["brightness"] == 0.5
        pushed = ws.receive_bytes()  # the new sound follows at once, as a binary frame
        n = struct.unpack("<I", pushed[:4])[0]
        header = json.loads(pushed[4 : 4 + n])
        assert [e["voice"] for e in header["voices"]] == [1]
        assert header["voices"][0]["key"] == reply["data"]["voices"][1]["draft_key"]
    assert _state(client)["voices"][1]["knobs"]["brightness"] == 0.5


@pytest.mark.parametrize(
    "message",
    [
        "garbage{",
        json.dumps({"op": "move", "x": "far", "y": 0}),
        json.dumps({"op": "move", "x": 1e6, "y": 0}),
        json.dumps({"op": "edit", "step": 10_000, "voice": 0}),
        json.dumps({"op": "edit", "step": 200, "voice": 0}),  # valid in the protocol, outside this grid
        json.dumps({"op": "rhythm", "style": "polka-from-mars"}),
        json.dumps({"op": "voice", "voice": 0, "knobs": {"brightness": 7}}),
        json.dumps({"op": "ping", "pad": "x" * 10_000}),
    ],
)
def test_bad_websocket_message_gets_an_error_and_changes_nothing(client: TestClient, message: str) -> None:
    before = _state(client)
    with client.websocket_connect(WS) as ws:
        ws.send_text(message)
        reply = ws.receive_json()
        assert reply["ok"] is False and reply["error"]
        ws.send_text(json.dumps({"id": 5, "op": "ping"}))  # the connection keeps working
        assert ws.receive_json() == {"id": 5, "ok": True, "op": "ping", "data": {"pong": True},
                                     "server_ms": pytest.approx(0, abs=1000)}
    assert _state(client) == before


def test_binary_frame_is_refused_and_other_clients_keep_being_served(client: TestClient) -> None:
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        a.send_bytes(b"\x00\x01binary")
        assert a.receive_json()["ok"] is False
        b.send_text(json.dumps({"id": 9, "op": "dice", "kind": "pattern", "seed": 3}))
        reply = b.receive_json()
        assert reply["ok"] and reply["id"] == 9
        pushed = a.receive_json()  # the other page hears about the change
        assert pushed["broadcast"] and pushed["data"]["pattern"] == reply["data"]["pattern"]


def test_websockets_from_other_sites_are_refused(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
        WS, headers={"origin": "http://evil.example"}
    ) as ws:
        ws.receive_json()
    with client.websocket_connect(WS, headers={"origin": BASE}) as ws:
        ws.send_text(json.dumps({"id": 1, "op": "ping"}))
        assert ws.receive_json()["ok"]


def test_scene_survives_a_server_restart(spaces, state_file: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(session=Session(*spaces, state_file, seed=0))
    with TestClient(app, base_url=BASE) as c1, c1.websocket_connect(WS) as ws:
        x, y = _state(c1)["puck"]
        for i in range(5):  # a fast drag: saves are coalesced, the last one is flushed at shutdown
            ws.send_text(json.dumps({"id": i, "op": "move", "x": x + 0.1 * i, "y": y - 0.05 * i}))
            ws.receive_json()
        ws.send_text(json.dumps({"id": 9, "op": "transport", "bpm": 133, "swing": 61}))
        ws.receive_json()
        before = _state(c1)
    with TestClient(create_app(session=Session(*spaces, state_file, seed=123)), base_url=BASE) as c2:
        after = _state(c2)
    assert after["pattern"] == before["pattern"] and after["puck"] == before["puck"]
    assert after["transport"]["bpm"] == 133 and after["transport"]["swing"] == 61


def test_scene_upload(client: TestClient) -> None:
    scene = client.get("/api/download/scene.json").json()
    scene["bpm"] = 141.0
    r = client.post("/api/scene", json=scene)
    assert r.status_code == 200 and _state(client)["transport"]["bpm"] == 141.0
    assert client.post("/api/scene", content="{nope", headers=JSON).status_code == 400
    scene["sound_model_id"] = "other"
    r = client.post("/api/scene", json=scene)
    assert r.status_code == 400 and "other" in r.json()["error"]
    assert _state(client)["transport"]["bpm"] == 141.0


def test_one_gesture_is_one_undo_step_and_a_no_op_is_none(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        x, y = _state(client)["puck"]

        def send(mid: int, **msg: object) -> dict:  # type: ignore[type-arg]
            ws.send_text(json.dumps({"id": mid} | msg))
            while True:
                reply = ws.receive_json()
                if reply.get("id") == mid:
                    return reply  # type: ignore[no-any-return]

        start = send(1, op="state")["data"]["undo"]
        for i in range(4):  # one drag: four moves of gesture 77
            depth = send(10 + i, op="move", x=x + 0.1 * i, y=y, gesture=77)["data"]["undo"]
        assert depth == start + 1
        assert send(20, op="move", x=x - 0.3, y=y, gesture=78)["data"]["undo"] == start + 2
        assert send(21, op="voice", voice=0)["data"]["undo"] == start + 2  # changes nothing
        bad = send(22, op="move", x=x, y=y, gesture=-1)
        assert not bad["ok"] and "gesture" in bad["error"]
