"""The page's import paths over HTTP: a MIDI clip, an audio loop, a one-shot, humanize and taps.

- ``POST /api/import/midi?name=F&map=gm``: a MIDI file's bytes -> the pattern (read as
  ``latentdrum rhythm humanize`` reads it, with the page's drum map).
- ``POST /api/import/loop?name=F[&bpm=B]``: an audio loop -> its pattern, placed in the rhythm
  space (``latentdrum rhythm from-audio``); no clear tempo -> 422 with ``"ask": "bpm"``.
- ``POST /api/import/sample?voice=V&name=F[&class=C]``: a one-shot -> voice ``V``'s sound, its class
  by the rule of ``latentdrum sound reconstruct`` (``class`` overrides); a class the name does not
  give and the sound is not sure of -> 422 with ``"ask": "class"``, the best ``guesses`` and the
  ``classes`` to choose from, and nothing changes.
- ``POST /api/import/humanize`` ``{"amount": 0..1}``, ``POST /api/import/taps``
  ``{"taps": [[step, velocity], ...], "bars": 1|2|4|8}`` (JSON): humanize the current pattern,
  drumify a tapped rhythm.
- ``GET /api/import/limits``: the byte limits below, for the page to check before sending.

Files travel as ``application/octet-stream`` (a content type no cross-site form can send; a
cross-site script would need a CORS preflight the server never grants), behind the same
:class:`~latentdrum.web.guard.Guard` as everything else, and are refused as soon as they pass
their limit. Replies are ``{"ok": true, "data": what changed, "message": summary}`` or
``{"ok": false, "error": what was wrong and what to do}``; a refused import changes nothing.
Reading and transcribing run off the session's thread; the change itself is one hub job.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from latentdrum.errors import LatentDrumError
from latentdrum.instrument.session import Session
from latentdrum.instrument.session.imports import MAX_TAPS, Imports
from latentdrum.instrument.session.uploaded import MAX_LOOP_SECONDS, NeedsTempo, display_name
from latentdrum.web.guard import MAX_BODY_BYTES, MAX_UPLOAD_BYTES
from latentdrum.web.hub import Busy, Hub, Job
from latentdrum.web.wire import BodyError, parse_json, read_limited

# Bytes accepted per kind of file (MAX_UPLOAD_BYTES, the guard's, is the largest).
LIMITS = {"midi": MAX_BODY_BYTES, "loop": MAX_UPLOAD_BYTES, "sample": 16_000_000}
_KIND_WORDS = {"midi": "a MIDI clip", "loop": "an audio loop", "sample": "a one-shot sample"}


def _error(message: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message} | extra, status_code=status)


async def _file_body(request: Request, kind: str, name: str) -> bytes:
    """The uploaded file's bytes, refused past its kind's limit (:class:`BodyError`, 413)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/octet-stream":
        raise BodyError(f"send the file's bytes as application/octet-stream (got {ctype or 'none'!r})", 415)
    limit = LIMITS[kind]
    too_big = f"{name} is too large: {_KIND_WORDS[kind]} may be at most {limit / 1e6:g} MB"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyError(too_big, 413)
    try:
        return await read_limited(request.stream(), limit)
    except BodyError as exc:
        raise BodyError(too_big, exc.status) from None


async def _json_body(request: Request, what: str) -> dict[str, Any]:
    data = parse_json(await read_limited(request.stream(), MAX_BODY_BYTES), what)
    if not isinstance(data, dict):
        raise BodyError(f"{what} must be a JSON object")
    return data


def _unit(data: dict[str, Any], key: str, default: float) -> float:
    v = data.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
        raise BodyError(f"{key} must be a number from 0 to 1, got {str(v)[:20]}")
    return float(v)


def _taps(data: dict[str, Any]) -> tuple[list[tuple[float, float]], int]:
    taps, bars = data.get("taps"), data.get("bars", 2)
    if not isinstance(taps, list) or len(taps) > MAX_TAPS:
        raise BodyError(f"taps must be a list of at most {MAX_TAPS} [step, velocity] pairs")
    out = []
    for t in taps:
        if (not isinstance(t, list) or len(t) != 2
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in t)):
            raise BodyError("each tap must be [step, velocity], two numbers")
        out.append((float(t[0]), float(t[1])))
    if isinstance(bars, bool) or not isinstance(bars, int):
        raise BodyError("bars must be 1, 2, 4 or 8")
    return out, bars


def _bpm(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    try:
        bpm = float(text)
    except ValueError:
        raise BodyError(f"the loop's tempo must be a number of BPM, got {text[:20]!r}") from None
    if not math.isfinite(bpm) or not 20.0 <= bpm <= 400.0:
        raise BodyError(f"the loop's tempo must lie in 20-400 BPM, got {text[:20]}")
    return bpm


def add_import_routes(app: FastAPI, session: Session, hub: Hub) -> Imports:
    """Add the routes of the module docstring for ``session`` (work on ``hub``); returns the importer."""
    imports = Imports(session)

    async def commit(change: Callable[[], dict[str, Any]], op: str) -> JSONResponse:
        """Run ``change`` as one hub job (broadcast to the other pages); the reply for the page."""
        said: list[str] = []

        def call() -> tuple[dict[str, Any], bytes | None]:
            data = change()
            said.append(str(data.pop("message", "")))
            return data | session.history(), None

        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        try:
            hub.submit(Job(call, op, done=done))
            data = await done
        except Busy as exc:
            return _error(str(exc), 503)
        except LatentDrumError as exc:
            return _error(str(exc))
        return JSONResponse({"ok": True, "data": data, "message": said[0] if said else ""})

    async def guarded(work: Callable[[], Any]) -> JSONResponse:
        """Run an upload's work; a refused body or file is a clear error and changes nothing."""
        try:
            return await work()
        except BodyError as exc:
            return _error(str(exc), exc.status)
        except NeedsTempo as exc:
            return _error(str(exc), 422, ask="bpm")
        except LatentDrumError as exc:
            return _error(str(exc))

    @app.get("/api/import/limits")
    def limits() -> dict[str, Any]:
        return {"bytes": LIMITS, "loop_seconds": MAX_LOOP_SECONDS, "max_taps": MAX_TAPS}

    @app.post("/api/import/midi")
    async def import_midi(request: Request, name: str = "", map: str = "gm") -> JSONResponse:
        shown = display_name(name, "the dropped file")

        async def work() -> JSONResponse:
            body = await _file_body(request, "midi", shown)
            read = await asyncio.to_thread(imports.read_midi, body, shown, map)
            return await commit(lambda: imports.apply_pattern(read, "import-midi", shown, read.pattern.bpm),
                                "import-midi")

        return await guarded(work)

    @app.post("/api/import/loop")
    async def import_loop(request: Request, name: str = "", bpm: str | None = None) -> JSONResponse:
        shown = display_name(name, "the dropped loop")

        async def work() -> JSONResponse:
            given = _bpm(bpm)
            body = await _file_body(request, "loop", shown)
            read = await asyncio.to_thread(imports.read_loop, body, shown, given)
            return await commit(lambda: imports.apply_pattern(read, "import-loop", shown, read.pattern.bpm),
                                "import-loop")

        return await guarded(work)

    @app.post("/api/import/sample")
    async def import_sample(request: Request, voice: int, name: str = "") -> JSONResponse:
        shown = display_name(name, "the dropped sample")
        cls = request.query_params.get("class") or None  # "class": the user's choice, as --class

        async def work() -> JSONResponse:
            if not 0 <= voice < len(session.scene.kit.voices):
                raise BodyError(f"voice must be 0-{len(session.scene.kit.voices) - 1}, got {voice}")
            body = await _file_body(request, "sample", shown)
            audio, label = await asyncio.to_thread(imports.label_sample, body, shown, cls)
            if label.unknown:
                return _error(f"cannot tell what {shown} is: {label.why}, and its sound is not clear enough "
                              f"(best guesses {label.guesses()}); choose its class", 422, ask="class",
                              guesses=[list(g) for g in label.alternatives], classes=list(session.sound.classes))
            return await commit(lambda: imports.apply_sample(voice, audio, label, shown), "import-sample")

        return await guarded(work)

    @app.post("/api/import/humanize")
    async def humanize(request: Request) -> JSONResponse:
        async def work() -> JSONResponse:
            amount = _unit(await _json_body(request, "the humanize request"), "amount", 1.0)
            return await commit(lambda: imports.humanize(amount), "humanize")

        return await guarded(work)

    @app.post("/api/import/taps")
    async def taps(request: Request) -> JSONResponse:
        async def work() -> JSONResponse:
            tapped, bars = _taps(await _json_body(request, "the taps"))
            return await commit(lambda: imports.drumify(tapped, bars), "drumify")

        return await guarded(work)

    return imports


__all__ = ["LIMITS", "add_import_routes"]
