"""The page's rhythm controls act live over the websocket: temperature, density and complexity
re-decode the current groove (same latent point, same seed); only dice draw a new one; phrases and
the fill button reach the page. Real models (tests/models.py), the real FastAPI app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from latentdrum.instrument.session import Session
from latentdrum.patterns.grooves import has_backbeat
from latentdrum.web.app import create_app
from tests.models import rhythm_model, sound_model

BASE = "http://127.0.0.1:8000"  # the address the server prints (its Host is on the allow-list)
WS = "ws://127.0.0.1:8000/ws"


@pytest.fixture()
def session(tmp_path: Path) -> Session:
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

    r, s = rhythm_model(), sound_model()
    if r is None or s is None:
        pytest.skip("no models: none bundled and no shared/data to train tiny ones")
    return Session(RhythmSpace.load(r), SoundSpace.load(s), tmp_path / "session.json", seed=3)


def _ask(ws: WebSocketTestSession, op: str, **fields: Any) -> dict[str, Any]:
    ws.send_text(json.dumps({"op": op, **fields}))
    reply = ws.receive_json()
    assert reply["ok"], reply
    return reply["data"]  # type: ignore[no-any-return]


def test_controls_redecode_the_current_groove_and_only_dice_draw_anew(session: Session) -> None:
    with TestClient(create_app(session=session), base_url=BASE) as client, client.websocket_connect(WS) as ws:
        start = _ask(ws, "state")
        z0, seed0 = session.scene.z.copy(), session.scene.seed
        hot = _ask(ws, "rhythm", temperature=1.5)
        assert hot["pattern"] != start["pattern"]  # heard at once, not at the next dice roll
        assert np.array_equal(session.scene.z, z0) and session.scene.seed == seed0
        assert hot["puck"] == start["puck"]  # the same point of the map
        busy = _ask(ws, "rhythm", density=1.0)
        assert sum(map(sum, busy["pattern"]["hits"])) > sum(map(sum, hot["pattern"]["hits"]))
        twisted = _ask(ws, "rhythm", complexity=-1.0)
        assert twisted["pattern"] != busy["pattern"]
        back = _ask(ws, "rhythm", temperature=start["rhythm"]["temperature"], density=0.0, complexity=0.0)
        assert back["pattern"] == start["pattern"]  # the same groove again, exactly
        assert np.array_equal(session.scene.z, z0)
        _ask(ws, "dice", kind="pattern", seed=11)
        assert not np.array_equal(session.scene.z, z0)


def test_the_first_groove_and_dice_rolls_are_strong(session: Session) -> None:
    style = session.scene.style
    assert style in ("rock", "funk", "pop", "hiphop")  # a backbeat style greets a newcomer
    assert has_backbeat(session.pattern.hits[None])[0]
    with TestClient(create_app(session=session), base_url=BASE) as client, client.websocket_connect(WS) as ws:
        strong = 0
        for k in range(8):
            data = _ask(ws, "dice", kind="pattern", seed=100 + k)
            hits = np.array(data["pattern"]["hits"], dtype=np.float32).T[None]  # (1, T, V)
            strong += bool(has_backbeat(hits)[0])
        assert strong >= 7


def test_phrases_and_the_fill_button_reach_the_page(session: Session) -> None:
    with TestClient(create_app(session=session), base_url=BASE) as client, client.websocket_connect(WS) as ws:
        data = _ask(ws, "rhythm", bars=8, fill_every=4)
        assert data["pattern"]["steps"] == 128 and data["rhythm"]["bars"] == 8
        assert data["rhythm"]["fill_every"] == 4
        fill = _ask(ws, "fill")["fill"]
        assert fill["steps"] == 16 and sum(map(sum, fill["hits"])) > 0
        ws.send_text(json.dumps({"op": "rhythm", "bars": 2, "fill_every": 4}))
        reply = ws.receive_json()
        assert not reply["ok"] and "4 bars or longer" in reply["error"]
        shorter = _ask(ws, "rhythm", bars=4)  # the fill moves with the phrase: still in its last bar
        assert shorter["pattern"]["steps"] == 64 and shorter["rhythm"]["fill_every"] == 4
        mid = client.get("/api/download/pattern.mid").content
    import io

    import mido

    clip = mido.MidiFile(file=io.BytesIO(mid))
    assert clip.length == pytest.approx(4 * 4 * 60 / session.scene.bpm, abs=0.01)  # the 4 bars are exported
