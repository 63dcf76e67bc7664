"""The web instrument's server: a FastAPI app over one :class:`~latentdrum.instrument.session.Session`.

- ``GET /``: the page; ``/static/...``: its CSS and JavaScript modules (Starlette's
  ``StaticFiles``, which refuses any path outside the static folder).
- ``WS /ws``: live controls, see :mod:`latentdrum.web.protocol`; after a change of a voice's
  sound (``voice`` with knobs or point, ``dice_voice``) the reply is followed by that voice's
  draft one-shot as a binary frame (:func:`~latentdrum.web.wire.encode_sounds`).
- ``GET /api/state``, ``/api/rhythm-map``, ``/api/sound-map/{voice}``, ``/api/drum-maps``: JSON.
- ``GET /api/sounds?voices=0,3&q=draft|full``: one-shots as binary (see :func:`encode_sounds`).
- ``GET /api/download/{pattern.mid|groove.mid|loop.wav|stems.zip|kit.json|scene.json}``, with
  ``?map=gm|roland|..&timing=played|straight&rate=44100|48000|96000`` (the page's selectors, see
  :class:`~latentdrum.instrument.session.export.DownloadOptions`); ``POST /api/scene``: load a scene.
- ``/api/import/...``: MIDI, loop and sample uploads, humanize and taps (:mod:`latentdrum.web.uploads`).

Every request passes :class:`~latentdrum.web.guard.Guard` first (Host, Origin, cross-site and
content-type checks); websocket work goes through the :class:`~latentdrum.web.hub.Hub` (one
worker thread, latest-wins, coalesced broadcasts). The app talks to the session's methods only.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from latentdrum.errors import LatentDrumError
from latentdrum.instrument.midi_clock import MidiClock
from latentdrum.instrument.session import Session
from latentdrum.instrument.session.export import DownloadOptions, drum_maps_view
from latentdrum.web.guard import LOOPBACK, MAX_BODY_BYTES, Guard
from latentdrum.web.hub import Busy, Client, Hub, Job
from latentdrum.web.protocol import MAX_MESSAGE_BYTES, OPS, ProtocolError, error_reply, lane, parse_message
from latentdrum.web.uploads import add_import_routes
from latentdrum.web.wire import BodyError, encode_sounds, parse_json, read_limited

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("latentdrum.web")

# Each protocol message and the session method it calls with its fields (``ping`` and ``play``
# are answered by the server itself). tests/web/test_protocol.py checks this table against protocol.OPS.
OP_METHODS: dict[str, Callable[..., dict[str, Any]]] = {
    "state": Session.state,
    "move": Session.move,
    "blend": Session.blend,
    "rhythm": Session.set_rhythm,
    "fill": Session.fill,
    "edit": Session.edit_cell,
    "dice": Session.dice,
    "transport": Session.set_transport,
    "coupling": Session.set_coupling,
    "voice": Session.set_voice,
    "dice_voice": Session.dice_voice,
    "corner_store": Session.store_corner,
    "corner_recall": Session.recall_corner,
    "undo": Session.undo,
    "redo": Session.redo,
}
READ_ONLY = frozenset({"state"})


def dispatch(session: Session, op: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Apply one validated message to the session; returns what changed (and the undo depth).
    The changes of one ``gesture`` (a field of every message) are one undo step."""
    if op == "ping":
        return {"pong": True}
    if op == "play":
        return {"playing": fields["playing"]}
    args = {k: v for k, v in fields.items() if k != "gesture"}
    with session.gesture(fields.get("gesture")):
        return OP_METHODS[op](session, **args) | session.history()


def pushes_sound(op: str, fields: dict[str, Any]) -> bool:
    """Whether the reply to this message is followed by the voice's new draft one-shot."""
    return op == "dice_voice" or (op == "voice" and ("knobs" in fields or "point" in fields))


def _job_call(session: Session, op: str, fields: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """What the worker thread runs for one message: the change, then the pushed one-shot if any."""
    data = dispatch(session, op, fields)
    extra = encode_sounds(session.sounds([fields["voice"]], "draft")) if pushes_sound(op, fields) else None
    return data, extra


def create_app(
    rhythm_model: str | Path | None = None,
    sound_model: str | Path | None = None,
    state_path: str | Path | None = None,
    seed: int | None = None,
    session: Session | None = None,
    hosts: Iterable[str] = LOOPBACK,
    persist: bool = True,
    clock: MidiClock | None = None,
) -> FastAPI:
    """The app (behind the :class:`Guard` middleware), around ``session`` or a new one
    loading the models (bundled by default). ``hosts``: the names the server answers to (see
    :func:`latentdrum.web.guard.allowed_hosts`); ``persist=False``: no state file; ``clock``: a
    MIDI clock that follows the session's tempo and the pages' play/stop while the app runs."""
    if session is None:
        session = Session.open(rhythm_model, sound_model, state_path, seed, persist=persist)
    hub = Hub()
    live = session
    if clock is not None:
        clock.set_tempo(float(session.scene.bpm))
        hub.listeners.append(clock.follow)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub.start()
        if clock is not None:
            clock.run_thread()
        yield
        if clock is not None:
            clock.close()
        await hub.stop()
        live.flush()  # the last moves of a drag reach the state file before the server stops

    app = FastAPI(title="latentdrum", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.session = session
    app.state.hub = hub
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _page_routes(app, session, hub)
    _download_routes(app, session)
    _scene_route(app, session, hub)
    add_import_routes(app, session, hub)
    _websocket_route(app, session, hub)
    app.add_middleware(Guard, hosts=hosts)
    return app


def _page_routes(app: FastAPI, session: Session, hub: Hub) -> None:
    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/api/state")
    async def state() -> dict[str, Any]:
        return await hub.run_blocking(session.state)

    @app.get("/api/rhythm-map")
    def rhythm_map() -> dict[str, Any]:
        return session.rhythm_map()

    @app.get("/api/sound-map/{voice}")
    def sound_map(voice: int) -> dict[str, Any]:
        try:
            return session.sound_map(voice)
        except LatentDrumError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.get("/api/sounds")
    def sounds(voices: str = "", q: str = "draft") -> Response:
        try:
            chosen = [int(v) for v in voices.split(",") if v.strip()] if voices else None
            if chosen is not None and len(chosen) > 9:
                raise HTTPException(400, "at most 9 voices")
            body = encode_sounds(session.sounds(chosen, q))
        except ValueError:
            raise HTTPException(400, "voices must be a comma-separated list of voice numbers 0-8") from None
        except LatentDrumError as exc:
            raise HTTPException(400, str(exc)) from None
        return Response(body, media_type="application/octet-stream", headers={"Cache-Control": "no-store"})


# Each download: its media type and how the session makes it, given the page's options.
DOWNLOADS: dict[str, tuple[str, Callable[[Session, DownloadOptions], bytes]]] = {
    "pattern.mid": ("audio/midi", Session.midi_bytes),
    "groove.mid": ("audio/midi", Session.groove_bytes),
    "loop.wav": ("audio/wav", lambda s, o: s.wav_bytes(loops=2, options=o)),
    "stems.zip": ("application/zip", lambda s, o: s.stems_zip(loops=2, options=o)),
    "kit.json": ("application/json", lambda s, o: json.dumps(s.kit_json(), indent=2).encode()),
    "scene.json": ("application/json", lambda s, o: json.dumps(s.scene_json(), indent=1).encode()),
}


def _download_routes(app: FastAPI, session: Session) -> None:
    @app.get("/api/drum-maps")
    def drum_maps() -> dict[str, list[int]]:
        return drum_maps_view()

    @app.get("/api/download/{name}")
    def download(name: str, map: str | None = None, timing: str | None = None, rate: str | None = None) -> Response:
        if name not in DOWNLOADS:
            raise HTTPException(404, f"no download named {name[:40]!r}; downloads are {', '.join(DOWNLOADS)}")
        try:
            options = DownloadOptions.from_query(map, timing, rate)
        except LatentDrumError as exc:
            raise HTTPException(400, str(exc)) from None
        media, make = DOWNLOADS[name]
        return Response(make(session, options), media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="latentdrum-{name}"'})


def _scene_route(app: FastAPI, session: Session, hub: Hub) -> None:
    @app.post("/api/scene")
    async def load_scene(request: Request) -> JSONResponse:
        try:
            data = parse_json(await read_limited(request.stream(), MAX_BODY_BYTES))
        except BodyError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=exc.status)
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        job = Job(lambda: (session.load_scene(data) | session.history(), None), "load", done=done)
        try:
            hub.submit(job)
            state = await done
        except Busy as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=503)
        except LatentDrumError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "data": state})


def _websocket_route(app: FastAPI, session: Session, hub: Hub) -> None:
    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()  # Host and Origin were checked by the Guard
        client = Client(socket)
        hub.clients.add(client)
        sender = asyncio.create_task(hub.serve(client))
        try:
            while not client.closed:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                _receive(session, hub, client, raw if raw is not None else message.get("bytes") or b"")
        except WebSocketDisconnect:
            pass
        finally:
            hub.clients.discard(client)
            client.closed = True
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender


def _receive(session: Session, hub: Hub, client: Client, raw: str | bytes) -> None:
    """One message from a page: answered at once (errors, ping) or queued on the hub."""
    op = None
    try:
        mid, op, fields = parse_message(raw)
        if op == "ping":
            client.post({"id": mid, "ok": True, "op": "ping", "data": {"pong": True}, "server_ms": 0.0})
            return
        if op == "play":  # the page's own transport: at once, never behind a decode
            hub.notify(fields)
            client.post({"id": mid, "ok": True, "op": "play", "data": {"playing": fields["playing"]},
                         "server_ms": 0.0})
            return
        hub.submit(Job(functools.partial(_job_call, session, op, fields), op, client, mid, lane(op, fields),
                       broadcast=op not in READ_ONLY))
    except ProtocolError as exc:
        client.post(error_reply(exc, op))
    except Busy as exc:
        client.post({"id": mid, "ok": False, "op": op, "error": str(exc)})


__all__ = ["MAX_MESSAGE_BYTES", "OPS", "OP_METHODS", "create_app", "dispatch", "encode_sounds"]
