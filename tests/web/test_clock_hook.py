"""``serve --clock``: the server's MIDI clock follows the session's tempo and the page's play/stop."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from latentdrum.instrument.midi_clock import CLOCK, START, STOP, MidiClock
from latentdrum.instrument.session import Session
from latentdrum.web.app import create_app


class Out:
    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def send_message(self, m: list[int]) -> None:
        self.sent.append(list(m))


def test_tempo_and_play_stop_from_the_page_reach_the_clock(spaces, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = Session(*spaces, tmp_path / "s.json", seed=0)
    out = Out()
    clock = MidiClock(out, bpm=120.0)
    with TestClient(create_app(session=session, clock=clock), base_url="http://127.0.0.1:8000") as c:
        assert clock.bpm == session.scene.bpm  # the session's tempo from the start
        with c.websocket_connect("ws://127.0.0.1:8000/ws") as ws:
            ws.send_text(json.dumps({"id": 1, "op": "transport", "bpm": 93.5}))
            assert ws.receive_json()["ok"]
            assert clock.bpm == 93.5
            ws.send_text(json.dumps({"id": 2, "op": "play", "playing": True, "lead_ms": 0}))
            assert ws.receive_json() == {"id": 2, "ok": True, "op": "play", "data": {"playing": True},
                                         "server_ms": 0.0}
            assert clock.playing and [START] in out.sent
            ws.send_text(json.dumps({"id": 3, "op": "play", "playing": False}))
            assert ws.receive_json()["ok"] and not clock.playing and out.sent.count([STOP]) == 1
            ws.send_text(json.dumps({"id": 4, "op": "play", "playing": "yes"}))
            reply = ws.receive_json()
            assert reply["ok"] is False and "playing" in reply["error"]
    assert out.sent.count([START]) == 1 and [CLOCK] in out.sent
