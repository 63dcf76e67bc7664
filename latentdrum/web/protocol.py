"""The websocket protocol of the web instrument: validated messages in, plain replies out.

Every message from the page is one JSON object of at most :data:`MAX_MESSAGE_BYTES`::

    {"id": 12, "op": "move", "x": 0.4, "y": -1.2}

``id`` (optional, an integer) is echoed in the reply. ``gesture`` (optional, an integer in
[0, 2^31)) names the player's gesture the message belongs to: every change of one gesture (one
drag, one knob turn, one run of key nudges) is one undo step; a message without it is a step
of its own (a run of ``move`` or ``blend`` without gestures counts as one), and a message that
changes nothing is no step at all. The server answers each message with::

    {"id": 12, "ok": true, "op": "move", "data": {...what changed...}, "server_ms": 3.1}
    {"id": 12, "ok": false, "op": "move", "error": "move: x must lie in [-100, 100], got 500"}
    {"id": 12, "ok": true, "op": "move", "superseded": true}

A malformed, oversized or out-of-range message gets an ``ok: false`` reply and changes nothing.
Continuous controls (``move``, ``blend``, ``rhythm``, ``transport``, ``coupling``, ``voice``) are
latest-wins: a message still waiting when a newer one of the same control arrives (from any
page: the scene is shared) is answered ``superseded`` and never applied (:func:`lane`).
A ``voice`` message that changes knobs or the point, and ``dice_voice``, are followed by a binary
frame with the voice's new draft one-shot (:func:`latentdrum.web.wire.encode_sounds`).
After a change, the other connected pages get the new ``data`` with ``"broadcast": true``, at
most :data:`latentdrum.web.hub.BROADCAST_HZ` times a second (changes in between are merged).
A connection from a page of another site (its ``Origin`` is not this server) is refused.

Operations (fields; ranges are enforced here, before the session is touched):

=================  ==========================================================================
``state``          -- everything the page shows
``move``           x, y: the puck's position on the rhythm map (map units, |v| <= 100)
``blend``          x, y in [0, 1]: blend of the four corner scenes (0, 0 = top-left corner)
``rhythm``         style (name or null), temperature [0, 3], density, complexity [-1, 1],
                   bars (1, 2, 4, 8), fill_every (0 = none, 2, 4, 8)
``fill``           -- the current groove's fill (one bar), for the page to play once next bar
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
``ping``           -- (answers ``{"pong": true}`` at once, never queued behind other work)
``play``           playing (bool), lead_ms [0, 1000]: the page started (its first beat lead_ms
                   from now) or stopped playing; answered at once, for the server's MIDI clock
                   (``serve --clock``: Start/Stop), the scene is not changed
=================  ==========================================================================
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo

from latentdrum.errors import LatentDrumError
from latentdrum.instrument.documents import fail as _bad
from latentdrum.instrument.documents import short_repr as _short
from latentdrum.instrument.kit import KNOB_NAMES
from latentdrum.patterns.pattern import MAX_BPM, MIN_BPM

MAX_MESSAGE_BYTES = 4096
MAX_SEED = 2**31 - 1
KNOBS = KNOB_NAMES


class ProtocolError(LatentDrumError):
    """A websocket message that cannot be applied (malformed, oversized or out of range)."""


class _Named(Protocol):
    """What a check needs of pydantic's ValidationInfo: the name of the field."""

    @property
    def field_name(self) -> str | None: ...


def _number(lo: float, hi: float, whole: bool = False) -> Callable[[Any, _Named], float | int]:
    """A validator: a finite JSON number (no bool, no huge integer) in ``[lo, hi]``."""

    def check(v: Any, info: _Named) -> float | int:
        name = info.field_name
        # Huge integers are refused before any float() of them (4000 digits overflow a float).
        is_num = isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 2**53
        if not is_num or not math.isfinite(v) or (whole and v != int(v)):
            raise _bad(f"{name} must be {'a whole number' if whole else 'a number'}, got {_short(v)}")
        if not lo <= v <= hi:
            raise _bad(f"{name} must lie in [{lo:g}, {hi:g}], got {v}")
        return int(v) if whole else float(v)

    return check


def _num(lo: float, hi: float) -> Any:
    return BeforeValidator(_number(lo, hi))


def _int(lo: float, hi: float) -> Any:
    return BeforeValidator(_number(lo, hi, whole=True))


# The field types of the messages, each with its range (see the table in the module docstring).
MapCoord = Annotated[float, _num(-100, 100)]
Unit = Annotated[float, _num(0, 1)]
Signed = Annotated[float, _num(-1, 1)]
Temperature = Annotated[float, _num(0, 3)]
Bpm = Annotated[float, _num(MIN_BPM, MAX_BPM)]
Swing = Annotated[float, _num(50, 75)]
GainDb = Annotated[float, _num(-60, 12)]
Tune = Annotated[float, _num(-24, 24)]
LeadMs = Annotated[float, _num(0, 1000)]
Step = Annotated[int, _int(0, 255)]
VoiceIndex = Annotated[int, _int(0, 8)]
Corner = Annotated[int, _int(0, 3)]
Seed = Annotated[int, _int(0, MAX_SEED)]
Bars = Annotated[int, _int(1, 8)]
FillEvery = Annotated[int, _int(0, 8)]


def _bool(v: Any, info: ValidationInfo) -> bool:
    if not isinstance(v, bool):
        raise _bad(f"{info.field_name} must be true or false, got {_short(v)}")
    return v


def _kind(v: Any, info: ValidationInfo) -> str:
    choices = ("pattern", "kit", "everything")
    if v not in choices:
        raise _bad(f"{info.field_name} must be one of {', '.join(choices)}, got {_short(v)}")
    return str(v)


def _style(v: Any, info: ValidationInfo) -> str | None:
    if v is not None and (not isinstance(v, str) or len(v) > 64):
        raise _bad(f"{info.field_name} must be a style name or null, got {_short(v)}")
    return v


def _knobs(v: Any, info: ValidationInfo) -> dict[str, float]:
    if not isinstance(v, dict) or not v:
        raise _bad(f"{info.field_name} must be an object of knob -> number")
    out = {}
    for k, x in v.items():
        if k not in KNOBS:
            raise _bad(f"unknown knob {_short(k)}; knobs are {', '.join(KNOBS)}")
        out[k] = float(_number(-1, 1)(x, _Nested(f"knob {k}")))
    return out


def _point(v: Any, info: ValidationInfo) -> tuple[float, float]:
    if not isinstance(v, list) or len(v) != 2:
        raise _bad(f"{info.field_name} must be [x, y], got {_short(v)}")
    check = _number(-100, 100)
    return float(check(v[0], _Nested(f"{info.field_name}[0]"))), float(check(v[1], _Nested(f"{info.field_name}[1]")))


class _Nested:
    """Stands in for ValidationInfo where a nested value is checked under its own name."""

    def __init__(self, name: str) -> None:
        self.field_name = name


class Message(BaseModel):
    """Fields common to every message; each op is a subclass with its own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: str
    gesture: Seed | None = None  # the player's gesture this message belongs to (one undo step)

    def fields(self) -> dict[str, Any]:
        """The fields the message set (not ``op``), ready to pass to the session method."""
        return {k: getattr(self, k) for k in self.model_fields_set if k != "op"}


class State(Message):
    op: Literal["state"]


class Ping(Message):
    op: Literal["ping"]


class Play(Message):
    op: Literal["play"]
    playing: Annotated[bool, BeforeValidator(_bool)]
    lead_ms: LeadMs = 0.0


class Undo(Message):
    op: Literal["undo"]


class Redo(Message):
    op: Literal["redo"]


class Move(Message):
    op: Literal["move"]
    x: MapCoord
    y: MapCoord


class Blend(Message):
    op: Literal["blend"]
    x: Unit
    y: Unit


class Rhythm(Message):
    op: Literal["rhythm"]
    style: Annotated[str | None, BeforeValidator(_style)] = None
    temperature: Temperature | None = None
    density: Signed | None = None
    complexity: Signed | None = None
    bars: Bars | None = None
    fill_every: FillEvery | None = None


class Fill(Message):
    op: Literal["fill"]


class Edit(Message):
    op: Literal["edit"]
    step: Step
    voice: VoiceIndex
    velocity: Unit | None = None


class Dice(Message):
    op: Literal["dice"]
    kind: Annotated[str, BeforeValidator(_kind)]
    amount: Unit = 1.0
    seed: Seed | None = None


class Transport(Message):
    op: Literal["transport"]
    bpm: Bpm | None = None
    swing: Swing | None = None


class Coupling(Message):
    op: Literal["coupling"]
    dynamics: Unit | None = None
    variation: Unit | None = None


class Voice(Message):
    op: Literal["voice"]
    voice: VoiceIndex
    knobs: Annotated[dict[str, float], BeforeValidator(_knobs)] | None = None
    point: Annotated[tuple[float, float], BeforeValidator(_point)] | None = None
    gain_db: GainDb | None = None
    pan: Signed | None = None
    tune: Tune | None = None
    mute: Annotated[bool, BeforeValidator(_bool)] | None = None


class DiceVoice(Message):
    op: Literal["dice_voice"]
    voice: VoiceIndex
    amount: Unit = 1.0
    seed: Seed | None = None


class CornerStore(Message):
    op: Literal["corner_store"]
    corner: Corner


class CornerRecall(Message):
    op: Literal["corner_recall"]
    corner: Corner


MESSAGES: tuple[type[Message], ...] = (State, Ping, Play, Undo, Redo, Move, Blend, Rhythm, Fill, Edit, Dice, Transport,
                                       Coupling, Voice, DiceVoice, CornerStore, CornerRecall)
OPS: dict[str, type[Message]] = {m.model_fields["op"].annotation.__args__[0]: m for m in MESSAGES}  # type: ignore[union-attr]
CONTINUOUS = frozenset({"move", "blend", "rhythm", "transport", "coupling", "voice"})


def lane(op: str, fields: dict[str, Any]) -> tuple[Any, ...] | None:
    """The control a continuous message sets (None for discrete ones): a waiting message of the
    same lane is superseded by a newer one. Every field is an absolute value, so the newer
    message alone leaves the scene as both would; the lane names the fields (and knobs) set."""
    if op not in CONTINUOUS:
        return None
    return op, fields.get("voice"), tuple(sorted(fields)), tuple(sorted(fields.get("knobs") or ()))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _explain(op: str, exc: ValidationError) -> str:
    errors = exc.errors()
    extra = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if extra:
        return f"{op}: unknown field(s) {extra}; fields are {sorted(set(OPS[op].model_fields) - {'op'})}"
    e = errors[0]
    if e["type"] == "missing":
        return f"{op}: missing field {e['loc'][0]!r}"
    if e["type"] == "latentdrum":
        return f"{op}: {e['msg']}"
    return f"{op}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"


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
        msg = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"message is not valid JSON ({_short(str(exc))[1:-1]})") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object with an 'op'")
    mid = msg.pop("id", None)
    if mid is not None and not (isinstance(mid, int) and not isinstance(mid, bool) and 0 <= mid < 2**53):
        raise ProtocolError("id must be a non-negative whole number", None)
    op = msg.get("op")
    if not isinstance(op, str) or op not in OPS:
        raise ProtocolError(f"unknown op {_short(op)}; ops are {', '.join(OPS)}", mid)
    try:
        message = OPS[op].model_validate(msg)
    except ValidationError as exc:
        raise ProtocolError(_explain(op, exc), mid) from None
    return mid, op, message.fields()


def error_reply(exc: Exception, op: str | None = None) -> dict[str, Any]:
    mid = exc.args[1] if len(exc.args) > 1 else None
    return {"id": mid, "ok": False, "op": op, "error": str(exc.args[0]) if exc.args else str(exc)}
