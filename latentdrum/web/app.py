"""The web instrument's server: a FastAPI app over one :class:`~latentdrum.instrument.session.Session`.

- ``GET /``: the page; ``/static/...``: its CSS and JavaScript modules (Starlette's
  ``StaticFiles``, which refuses any path outside the static folder).
- ``WS /ws``: live controls, see :mod:`latentdrum.web.protocol`; after a change of a voice's
  sound (``voice`` with knobs or point, ``dice_voice``) the reply is followed by that voice's
  draft one-shot as a binary frame (:func:`encode_sounds`).
- ``GET /api/state``, ``/api/rhythm-map``, ``/api/sound-map/{voice}``: JSON.
- ``GET /api/sounds?voices=0,3&q=draft|full``: one-shots as binary (see :func:`encode_sounds`).
- ``GET /api/download/{pattern.mid|loop.wav|kit.json|scene.json}``; ``POST /api/scene``: load a scene.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from latentdrum.errors import LatentDrumError
from latentdrum.instrument.session import Session
from latentdrum.web.protocol import MAX_MESSAGE_BYTES, ProtocolError, error_reply, parse_message

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("latentdrum.web")


def dispatch(session: Session, op: str, f: dict[str, Any]) -> dict[str, Any]:
    """Apply one validated message to the session; returns what changed (and the undo depth)."""
    if op == "ping":
        return {"pong": True}
    return _apply(session, op, f) | session.history()


def _apply(session: Session, op: str, f: dict[str, Any]) -> dict[str, Any]:
    if op == "state":
        return session.state()
    if op == "move":
        return session.move(f["x"], f["y"])
    if op == "blend":
        return session.blend(f["x"], f["y"])
    if op == "rhythm":
        return session.set_rhythm(f.get("style", False), f.get("temperature"), f.get("density"), f.get("complexity"),
                                  f.get("bars"), f.get("fill_every"))
    if op == "fill":
        return session.fill()
    if op == "edit":
        return session.edit_cell(f["step"], f["voice"], f.get("velocity"))
    if op == "dice":
        return session.dice(f["kind"], f.get("amount", 1.0), f.get("seed"))
    if op == "transport":
        return session.set_transport(f.get("bpm"), f.get("swing"))
    if op == "coupling":
        return session.set_coupling(f.get("dynamics"), f.get("variation"))
    if op == "voice":
        return session.set_voice(f["voice"], f.get("knobs"), f.get("point"), f.get("gain_db"), f.get("pan"),
                                 f.get("tune"), f.get("mute"))
    if op == "dice_voice":
        return session.dice_voice(f["voice"], f.get("amount", 1.0), f.get("seed"))
    if op == "corner_store":
        return session.store_corner(f["corner"])
    if op == "corner_recall":
        return session.recall_corner(f["corner"])
    if op == "undo":
        return session.undo()
    if op == "redo":
        return session.redo()
    raise ProtocolError(f"unknown op {op!r}")


def encode_sounds(sounds: dict[int, tuple[str, np.ndarray]]) -> bytes:
    """Binary one-shots: ``uint32 LE header length | JSON header (space-padded to 4 bytes) | float32 LE``.

    The header is ``{"sample_rate": 44100, "voices": [{"voice", "key", "layers", "variations",
    "samples", "offset"}]}``; voice ``v``'s ``(L, R, N)`` float32 samples start ``offset`` bytes
    into the data part, layer-major.
    """
    entries, chunks, offset = [], [], 0
    for v, (key, audio) in sorted(sounds.items()):
        data = np.ascontiguousarray(audio, dtype="<f4").tobytes()
        layers, variations, samples = audio.shape
        entries.append({"voice": v, "key": key, "layers": layers, "variations": variations, "samples": samples,
                        "offset": offset})
        chunks.append(data)
        offset += len(data)
    header = json.dumps({"sample_rate": 44100, "voices": entries}).encode()
    header += b" " * (-len(header) % 4)
    return struct.pack("<I", len(header)) + header + b"".join(chunks)


def create_app(
    rhythm_model: str | Path | None = None,
    sound_model: str | Path | None = None,
    state_path: str | Path | None = None,
    seed: int | None = None,
    session: Session | None = None,
) -> FastAPI:
    """The app, around ``session`` or a new one loading the models (bundled by default)."""
    if session is None:
        session = Session.open(rhythm_model, sound_model, state_path, seed)
    live = session

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        live.flush()  # the last moves of a drag reach the state file before the server stops

    app = FastAPI(title="latentdrum", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.session = session
    clients: set[WebSocket] = set()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/api/state")
    def state() -> dict[str, Any]:
        return session.state()

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

    @app.get("/api/download/{name}")
    def download(name: str) -> Response:
        disp = {"Content-Disposition": f'attachment; filename="latentdrum-{name}"'}
        if name == "pattern.mid":
            return Response(session.midi_bytes(), media_type="audio/midi", headers=disp)
        if name == "loop.wav":
            return Response(session.wav_bytes(loops=2), media_type="audio/wav", headers=disp)
        if name == "kit.json":
            return Response(json.dumps(session.scene.kit.to_json(), indent=2), media_type="application/json",
                            headers=disp)
        if name == "scene.json":
            return Response(json.dumps(session.scene.to_json(), indent=1), media_type="application/json",
                            headers=disp)
        raise HTTPException(404, f"no download named {name!r}")

    @app.post("/api/scene")
    async def load_scene(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > 1_000_000:
            return JSONResponse({"ok": False, "error": "scene file too large"}, status_code=413)
        try:
            data = session.load_scene(json.loads(body))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return JSONResponse({"ok": False, "error": "the scene file is not valid JSON"}, status_code=400)
        except LatentDrumError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        await _broadcast(clients, None, {"ok": True, "op": "state", "data": data, "broadcast": True})
        return JSONResponse({"ok": True, "data": data})

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        # Browsers let any page open a websocket to localhost: only this server's own page plays.
        origin = socket.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != socket.headers.get("host"):
            await socket.close(code=1008)
            return
        await socket.accept()
        clients.add(socket)
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                op = None
                try:
                    mid, op, fields = parse_message(raw)
                    t0 = time.perf_counter()
                    try:
                        data = dispatch(session, op, fields)
                    except LatentDrumError as exc:
                        raise ProtocolError(str(exc), mid) from None
                    reply = {"id": mid, "ok": True, "op": op, "data": data,
                             "server_ms": round((time.perf_counter() - t0) * 1e3, 2)}
                except ProtocolError as exc:
                    await socket.send_json(error_reply(exc, op))
                    continue
                except Exception:  # a bug must not take the instrument down for everyone
                    log.exception("websocket message failed")
                    await socket.send_json({"id": None, "ok": False, "op": op, "error": "internal error"})
                    continue
                await socket.send_json(reply)
                if op == "dice_voice" or (op == "voice" and ("knobs" in fields or "point" in fields)):
                    # The changed voice's draft one-shot follows at once, as a binary frame: the
                    # page can play the new sound without another request.
                    await socket.send_bytes(encode_sounds(session.sounds([fields["voice"]], "draft")))
                if op not in ("state", "ping"):
                    await _broadcast(clients, socket, {"ok": True, "op": op, "data": data, "broadcast": True})
        except WebSocketDisconnect:
            pass
        finally:
            clients.discard(socket)

    return app


async def _broadcast(clients: set[WebSocket], sender: WebSocket | None, message: dict[str, Any]) -> None:
    others = [c for c in clients if c is not sender]
    if not others:
        return
    results = await asyncio.gather(*(c.send_json(message) for c in others), return_exceptions=True)
    for c, r in zip(others, results, strict=True):
        if isinstance(r, Exception):
            clients.discard(c)


__all__ = ["MAX_MESSAGE_BYTES", "create_app", "dispatch", "encode_sounds"]
