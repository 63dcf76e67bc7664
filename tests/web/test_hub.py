"""Overload degrades gracefully: latest-wins for continuous controls, order for edits, merged broadcasts."""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from latentdrum.instrument.session import Session
from latentdrum.web import protocol
from latentdrum.web.app import OP_METHODS, create_app
from latentdrum.web.hub import MAX_OUTBOX, MAX_WAITING_PER_CLIENT, Busy, Client, Hub, Job


def test_every_protocol_message_has_its_session_method_with_matching_fields() -> None:
    assert set(OP_METHODS) | {"ping", "play"} == set(protocol.OPS)
    for op, method in OP_METHODS.items():
        params = set(inspect.signature(method).parameters) - {"self"}
        fields = set(protocol.OPS[op].model_fields) - {"op", "gesture"}  # gesture: taken by dispatch
        assert fields == params, f"{op}: message fields {fields} vs {method.__name__}{params}"


class _Socket:
    """Stands in for a page's websocket in queue tests (nothing is sent: the hub is not started)."""


def _job(client: Client, mid: int, op: str, **fields: Any) -> Job:
    return Job(lambda: ({}, None), op, client, mid, protocol.lane(op, fields))


def test_a_waiting_move_is_superseded_by_a_newer_one_but_never_jumps_an_edit() -> None:
    async def scenario() -> tuple[list[int | None], list[dict[str, Any]], list[dict[str, Any]]]:
        hub, a, b = Hub(), Client(_Socket()), Client(_Socket())  # type: ignore[arg-type]
        hub.submit(_job(a, 1, "move", x=0.1, y=0.0))
        hub.submit(_job(b, 2, "move", x=0.2, y=0.0))  # another page's move: the scene is shared
        hub.submit(_job(a, 3, "voice", voice=1, knobs={"decay": 0.2}))  # another control: kept
        hub.submit(_job(a, 4, "move", x=0.3, y=0.0))
        hub.submit(_job(a, 5, "edit", step=1, voice=0))
        hub.submit(_job(a, 6, "move", x=0.4, y=0.0))  # after the edit: must not replace move 4
        hub._executor.shutdown()
        return ([j.mid for j in hub._jobs], [json.loads(str(f)) for f in a.outbox],
                [json.loads(str(f)) for f in b.outbox])

    queue, to_a, to_b = asyncio.run(scenario())
    assert queue == [4, 3, 5, 6]
    assert to_a == [{"id": 1, "ok": True, "op": "move", "superseded": True}]
    assert to_b == [{"id": 2, "ok": True, "op": "move", "superseded": True}]


def test_knob_lanes_name_the_knobs_so_no_knob_turn_is_lost() -> None:
    assert protocol.lane("voice", {"voice": 1, "knobs": {"decay": 0.1}}) != \
        protocol.lane("voice", {"voice": 1, "knobs": {"pitch": 0.1}})
    assert protocol.lane("voice", {"voice": 1, "knobs": {"decay": 0.1}}) != \
        protocol.lane("voice", {"voice": 2, "knobs": {"decay": 0.1}})
    assert protocol.lane("edit", {"step": 1, "voice": 0}) is None and protocol.lane("dice", {"kind": "kit"}) is None


def test_a_page_flooding_edits_is_told_to_slow_down_and_a_page_that_never_reads_is_let_go() -> None:
    async def scenario() -> tuple[str, bool]:
        hub, a = Hub(), Client(_Socket())  # type: ignore[arg-type]
        for i in range(MAX_WAITING_PER_CLIENT):
            hub.submit(_job(a, i, "edit", step=1, voice=0))
        with pytest.raises(Busy) as exc:
            hub.submit(_job(a, 99, "edit", step=1, voice=0))
        slow = Client(_Socket())  # type: ignore[arg-type]
        for _ in range(MAX_OUTBOX + 1):
            slow.post({"ok": True})
        hub._executor.shutdown()
        return str(exc.value), slow.closed

    message, closed = asyncio.run(scenario())
    assert "wait for replies" in message and closed


def test_fast_moves_are_all_answered_and_every_page_converges(spaces, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = Session(*spaces, tmp_path / "s.json", seed=0)
    with TestClient(create_app(session=session), base_url="http://127.0.0.1:8000") as c, \
            c.websocket_connect("ws://127.0.0.1:8000/ws") as a, c.websocket_connect("ws://127.0.0.1:8000/ws") as b:
        x, y = c.get("/api/state").json()["puck"]
        n = 40
        for i in range(n):  # sent without waiting: a fast controller
            a.send_text(json.dumps({"id": i, "op": "move", "x": x + 0.05 * i, "y": y}))
        answered: dict[int, dict[str, Any]] = {}
        while len(answered) < n:
            reply = a.receive_json()
            if not reply.get("broadcast"):
                answered[reply["id"]] = reply
        assert all(r["ok"] for r in answered.values())
        assert not answered[n - 1].get("superseded")  # the latest move is always applied
        final = answered[n - 1]["data"]["puck"]
        assert final == pytest.approx([x + 0.05 * (n - 1), y], abs=1e-3)
        assert c.get("/api/state").json()["puck"] == final
        seen = None
        for _ in range(n):  # the other page hears the merged changes, ending at the final puck
            pushed = b.receive_json()
            assert pushed["broadcast"]
            seen = pushed["data"].get("puck", seen)
            if seen == final:
                break
        assert seen == final


def test_the_page_is_told_when_its_saved_session_was_moved_aside(spaces, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "session.json"
    path.write_text('{"format": "latentdrum-session", "version": 1, "scene": {"truncat')
    with TestClient(create_app(session=Session(*spaces, path, seed=0)), base_url="http://127.0.0.1:8000") as c:
        notice = c.get("/api/state").json()["notice"]
    assert "moved to" in notice and ".corrupt-" in notice and list(tmp_path.glob("session.json.corrupt-*"))
