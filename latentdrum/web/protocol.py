"""The websocket protocol of the web instrument: validated messages in, plain replies out.

Every message from the page is one JSON object of at most :data:`MAX_MESSAGE_BYTES`::

    {"id": 12, "op": "move", "x": 0.4, "y": -1.2}

``id`` (optional, an integer) is echoed in the reply. The server answers each message with::

    {"id": 12, "ok": true, "op": "move", "data": {...what changed...}, "server_ms": 3.1}
    {"id": 12, "ok": false, "op": "move", "error": "x must be a number in [-100, 100], got 'a'"}

A malformed, oversized or out-of-range message gets an ``ok: false`` reply and changes nothing.
A ``voice`` message that changes knobs or the point, and ``dice_voice``, are followed by a binary
frame with the voice's new draft one-shot (:func:`latentdrum.web.app.encode_sounds`).
After a change, the other connected pages get the same ``data`` with ``"broadcast": true``.
A connection from a page of another site (its ``Origin`` is not this server) is refused.

Operations (fields; ranges are enforced here, before the session is touched):

=================  ==========================================================================
``state``          -- everything the page shows
``move``           x, y: the puck's position on the rhythm map (map units, |v| <= 100)
``blend``          x, y in [0, 1]: blend of the four corner scenes (0, 0 = top-left corner)
``rhythm``         style (name or null), temperature [0, 3], density, complexity [-1, 1],
                   bars (1, 2, 4, 8), fill_every (0, 2, 4, 8): re-decodes the current groove
``fill``           -- the current groove's fill, one bar (``{"fill": grid}``), to play next bar
``edit``           step [0, steps), voice [0, 8], velocity [0, 1] (absent: toggle the cell)
``dice``           kind: pattern | kit | everything, amount [0, 1], seed (optional int)
``transport``      bpm [20, 400], swing [50, 75]
``coupling``       dynamics, variation in [0, 1]
``voice``          voice [0, 8]; knobs {brightness|decay|pitch|attack: [-1, 1]}, point [x, y],
                   gain_db [-60, 12], pan [-1, 1], tune [-24, 24], mute (bool)
``dice_voice``     voice [0, 8], amount [0, 1], seed (optional)
``corner_store``   corner [0, 3]: the current scene becomes that corner
``corner_recall``  corner [0, 3]
``undo``/``redo``  --
``ping``           -- (answers ``{"pong": true}``)
=================  ==========================================================================
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from latentdrum.errors import LatentDrumError

MAX_MESSAGE_BYTES = 4096
KNOBS = ("brightness", "decay", "pitch", "attack")


class ProtocolError(LatentDrumError):
    """A websocket message that cannot be applied (malformed, oversized or out of range)."""


@dataclass(frozen=True)
class Field:
    kind: str  # "num", "int", "bool", "str", "style", "knobs", "point", "enum"
    lo: float = -math.inf
    hi: float = math.inf
    required: bool = True
    choices: tuple[str, ...] = ()


def _num(lo: float, hi: float, required: bool = True) -> Field:
    return Field("num", lo, hi, required)


def _int(lo: float, hi: float, required: bool = True) -> Field:
    return Field("int", lo, hi, required)


OPS: dict[str, dict[str, Field]] = {
    "state": {},
    "ping": {},
    "undo": {},
    "redo": {},
    "move": {"x": _num(-100, 100), "y": _num(-100, 100)},
    "blend": {"x": _num(0, 1), "y": _num(0, 1)},
    "rhythm": {
        "style": Field("style", required=False),
        "temperature": _num(0, 3, False),
        "density": _num(-1, 1, False),
        "complexity": _num(-1, 1, False),
        "bars": _int(1, 8, False),
        "fill_every": _int(0, 8, False),
    },
    "fill": {},
    "edit": {"step": _int(0, 255), "voice": _int(0, 8), "velocity": _num(0, 1, False)},
    "dice": {"kind": Field("enum", choices=("pattern", "kit", "everything")), "amount": _num(0, 1, False),
             "seed": _int(0, 2**31 - 1, False)},
    "transport": {"bpm": _num(20, 400, False), "swing": _num(50, 75, False)},
    "coupling": {"dynamics": _num(0, 1, False), "variation": _num(0, 1, False)},
    "voice": {
        "voice": _int(0, 8),
        "knobs": Field("knobs", required=False),
        "point": Field("point", required=False),
        "gain_db": _num(-60, 12, False),
        "pan": _num(-1, 1, False),
        "tune": _num(-24, 24, False),
        "mute": Field("bool", required=False),
    },
    "dice_voice": {"voice": _int(0, 8), "amount": _num(0, 1, False), "seed": _int(0, 2**31 - 1, False)},
    "corner_store": {"corner": _int(0, 3)},
    "corner_recall": {"corner": _int(0, 3)},
}


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check(name: str, f: Field, v: Any) -> Any:
    if f.kind in ("num", "int"):
        if not _is_num(v) or (f.kind == "int" and float(v) != int(v)):
            raise ProtocolError(f"{name} must be {'a whole number' if f.kind == 'int' else 'a number'}, got {v!r}")
        if not f.lo <= v <= f.hi:
            raise ProtocolError(f"{name} must lie in [{f.lo:g}, {f.hi:g}], got {v}")
        return int(v) if f.kind == "int" else float(v)
    if f.kind == "bool":
        if not isinstance(v, bool):
            raise ProtocolError(f"{name} must be true or false, got {v!r}")
        return v
    if f.kind == "enum":
        if v not in f.choices:
            raise ProtocolError(f"{name} must be one of {', '.join(f.choices)}, got {v!r}")
        return v
    if f.kind == "style":
        if v is not None and (not isinstance(v, str) or len(v) > 64):
            raise ProtocolError(f"{name} must be a style name or null, got {v!r}")
        return v
    if f.kind == "knobs":
        if not isinstance(v, dict) or not v:
            raise ProtocolError(f"{name} must be an object of knob -> number")
        out = {}
        for k, x in v.items():
            if k not in KNOBS:
                raise ProtocolError(f"unknown knob {k!r}; knobs are {', '.join(KNOBS)}")
            out[k] = _check(f"knob {k}", _num(-1, 1), x)
        return out
    if f.kind == "point":
        if not isinstance(v, list) or len(v) != 2:
            raise ProtocolError(f"{name} must be [x, y], got {v!r}")
        return tuple(_check(f"{name}[{i}]", _num(-100, 100), x) for i, x in enumerate(v))
    raise AssertionError(f"unknown field kind {f.kind}")


def parse_message(raw: str | bytes) -> tuple[Any, str, dict[str, Any]]:
    """``raw`` websocket text -> ``(id, op, validated fields)``.

    Raises :class:`ProtocolError` naming what is wrong; the id (if one was readable) is in
    ``exc.args[1]`` so the error reply can carry it.
    """
    if isinstance(raw, bytes):
        raise ProtocolError("messages must be JSON text, not binary")
    if len(raw.encode("utf-8", "replace")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large ({len(raw)} characters; the limit is {MAX_MESSAGE_BYTES} bytes)")
    try:
        msg = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"message is not valid JSON ({exc})") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object with an 'op'")
    mid = msg.get("id")
    if mid is not None and not (isinstance(mid, int) and not isinstance(mid, bool) and 0 <= mid < 2**53):
        raise ProtocolError("id must be a non-negative whole number", None)
    op = msg.get("op")
    if not isinstance(op, str) or op not in OPS:
        raise ProtocolError(f"unknown op {op!r}; ops are {', '.join(OPS)}", mid)
    spec = OPS[op]
    unknown = sorted(set(msg) - set(spec) - {"id", "op"})
    if unknown:
        raise ProtocolError(f"{op}: unknown field(s) {unknown}; fields are {sorted(spec)}", mid)
    fields: dict[str, Any] = {}
    for name, f in spec.items():
        if name not in msg:
            if f.required:
                raise ProtocolError(f"{op}: missing field {name!r}", mid)
            continue
        try:
            fields[name] = _check(name, f, msg[name])
        except ProtocolError as exc:
            raise ProtocolError(f"{op}: {exc.args[0]}", mid) from None
    return mid, op, fields


def error_reply(exc: Exception, op: str | None = None) -> dict[str, Any]:
    mid = exc.args[1] if len(exc.args) > 1 else None
    return {"id": mid, "ok": False, "op": op, "error": str(exc.args[0]) if exc.args else str(exc)}
