"""Only this machine's own page can play: DNS rebinding, other sites' pages and oversized or
overflowing uploads are refused before the session is touched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from latentdrum.instrument.session import Session
from latentdrum.web.app import create_app
from latentdrum.web.guard import allowed_hosts, host_name

BASE = "http://127.0.0.1:8000"
JSON = {"content-type": "application/json"}


@pytest.fixture()
def client(spaces, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(session=Session(*spaces, tmp_path / "s.json", seed=0)), base_url=BASE) as c:
        yield c


def _scene(client: TestClient, bpm: float = 141.0) -> dict:  # type: ignore[type-arg]
    scene = client.get("/api/download/scene.json").json()
    scene["bpm"] = bpm
    return scene  # type: ignore[no-any-return]


def _bpm(client: TestClient) -> float:
    return float(client.get("/api/state").json()["transport"]["bpm"])


@pytest.mark.parametrize("path", ["/api/state", "/api/download/loop.wav", "/"])
def test_dns_rebinding_is_refused_on_http(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"host": "evil.example:8000"})
    assert r.status_code == 421 and "evil.example" in r.json()["error"] and "127.0.0.1" in r.json()["error"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [("ws://evil.example:8000/ws", "http://evil.example:8000"),  # rebinding: Host and Origin both evil
     ("ws://127.0.0.1:8000/ws", "https://127.0.0.1:8000"),  # right host, wrong scheme
     ("ws://127.0.0.1:8000/ws", "http://127.0.0.1:9999"),  # right host, wrong port
     ("ws://127.0.0.1:8000/ws", "null")],  # a sandboxed frame or a file:// page
)
def test_websockets_from_anywhere_but_this_page_are_refused(client: TestClient, url: str, origin: str) -> None:
    with pytest.raises(WebSocketDisconnect) as exc, client.websocket_connect(url, headers={"origin": origin}) as ws:
        ws.receive_json()
    assert exc.value.code == 1008


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example", "content-type": "text/plain"},
     {"origin": "http://evil.example", "content-type": "application/x-www-form-urlencoded"},
     {"origin": "http://evil.example", "content-type": "application/json"},
     {"origin": "https://127.0.0.1:8000", "content-type": "application/json"},
     {"sec-fetch-site": "cross-site", "content-type": "application/json"},
     {"content-type": "text/plain"}],  # no Origin, but not JSON: a form or a "simple" fetch
    ids=["text-plain", "form", "json-other-origin", "https-origin", "sec-fetch-cross-site", "text-plain-no-origin"],
)
def test_cross_site_scene_posts_are_refused_and_change_nothing(client: TestClient, headers: dict[str, str]) -> None:
    before = _bpm(client)
    r = client.post("/api/scene", content=json.dumps(_scene(client)), headers=headers)
    assert r.status_code in (403, 415) and r.json()["ok"] is False and r.json()["error"]
    assert _bpm(client) == before


def test_the_page_itself_may_post_a_scene(client: TestClient) -> None:
    r = client.post("/api/scene", content=json.dumps(_scene(client)),
                    headers=JSON | {"origin": BASE, "sec-fetch-site": "same-origin"})
    assert r.status_code == 200 and _bpm(client) == 141.0


def test_a_link_from_another_site_opens_the_page_but_reads_nothing(client: TestClient) -> None:
    assert client.get("/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}).status_code == 200
    assert client.get("/api/download/scene.json", headers={"sec-fetch-site": "cross-site"}).status_code == 403


def test_bodies_are_limited_while_streaming(client: TestClient) -> None:
    declared = client.post("/api/scene", content=b"{" + b" " * 1_500_000 + b"}", headers=JSON)
    assert declared.status_code == 413 and "limit" in declared.json()["error"]
    def stream() -> Iterator[bytes]:  # no Content-Length: chunked, refused once past the limit
        for _ in range(1000):
            yield b" " * 100_000

    chunked = client.post("/api/scene", content=stream(), headers=JSON)
    assert chunked.status_code == 413 and "too large" in chunked.json()["error"]


@pytest.mark.parametrize(
    ("body", "words"),
    [("[" * 5000 + "]" * 5000, "nests too deep"),
     ('{"format": "latentdrum-scene", "bpm": 1' + "0" * 400 + "}", "out of any usable range"),
     ('{"format": "latentdrum-scene", "bpm": NaN}', "not valid JSON"),
     ("{nope", "not valid JSON")],
)
def test_uploads_with_unusable_numbers_or_nesting_are_a_clear_400(client: TestClient, body: str, words: str) -> None:
    r = client.post("/api/scene", content=body, headers=JSON)
    assert r.status_code == 400 and words in r.json()["error"]


def test_a_4000_digit_number_in_a_message_is_refused_by_name(client: TestClient) -> None:
    with client.websocket_connect("ws://127.0.0.1:8000/ws") as ws:
        ws.send_text('{"id": 1, "op": "move", "x": ' + "9" * 4000 + ', "y": 0}')
        reply = ws.receive_json()
        assert reply["ok"] is False and reply["id"] == 1 and "x must be a number" in reply["error"]
        ws.send_text('{"id": 2, "op": "ping"}')
        assert ws.receive_json()["ok"] is True


def test_allowed_hosts_are_loopback_and_the_host_given() -> None:
    assert {"127.0.0.1", "localhost", "::1"} <= allowed_hosts("127.0.0.1")
    assert "studio.local" in allowed_hosts("studio.local") and "evil.example" not in allowed_hosts("studio.local")
    assert "mixer" in allowed_hosts("127.0.0.1", ["Mixer"])
    assert [host_name(h) for h in ("127.0.0.1:8000", "[::1]:8000", "LocalHost")] == ["127.0.0.1", "::1", "localhost"]
