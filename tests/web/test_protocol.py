"""The websocket protocol: every malformed, oversized or out-of-range message is refused by name."""

from __future__ import annotations

import json

import pytest

from latentdrum.web.protocol import MAX_MESSAGE_BYTES, OPS, ProtocolError, error_reply, parse_message


def test_valid_messages_parse_to_typed_fields() -> None:
    assert parse_message('{"id": 3, "op": "move", "x": 0.5, "y": -1}') == (3, "move", {"x": 0.5, "y": -1.0})
    mid, op, f = parse_message(json.dumps({"op": "voice", "voice": 2, "knobs": {"decay": -0.3}, "point": [1, 2]}))
    assert (mid, op) == (None, "voice") and f == {"voice": 2, "knobs": {"decay": -0.3}, "point": (1.0, 2.0)}
    assert parse_message('{"op": "rhythm", "style": null}')[2] == {"style": None}
    assert parse_message('{"op": "edit", "step": 4, "voice": 8}')[2] == {"step": 4, "voice": 8}


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"x": 1}', "unknown op"),
        ('{"op": "explode"}', "unknown op"),
        ('{"op": "move", "x": 1}', "missing field 'y'"),
        ('{"op": "move", "x": "left", "y": 0}', "must be a number"),
        ('{"op": "move", "x": true, "y": 0}', "must be a number"),
        ('{"op": "move", "x": 1e400, "y": 0}', "must be a number"),
        ('{"op": "blend", "x": 2, "y": 0}', "[0, 1]"),
        ('{"op": "edit", "step": 1.5, "voice": 0}', "whole number"),
        ('{"op": "edit", "step": 1, "voice": 9}', "[0, 8]"),
        ('{"op": "dice", "kind": "drums"}', "pattern, kit, everything"),
        ('{"op": "voice", "voice": 0, "knobs": {"loudness": 1}}', "unknown knob"),
        ('{"op": "voice", "voice": 0, "knobs": {"pitch": 2}}', "[-1, 1]"),
        ('{"op": "voice", "voice": 0, "mute": "yes"}', "true or false"),
        ('{"op": "transport", "bpm": 1000}', "[20, 400]"),
        ('{"op": "move", "x": 0, "y": 0, "z": 0}', "unknown field"),
        ('{"id": "seven", "op": "ping"}', "id must be"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(raw: str, words: str) -> None:
    with pytest.raises(ProtocolError) as exc:
        parse_message(raw)
    assert words in str(exc.value.args[0])


def test_oversized_and_binary_messages_are_refused() -> None:
    big = json.dumps({"op": "ping", "pad": "x" * MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolError, match="too large"):
        parse_message(big)
    with pytest.raises(ProtocolError, match="binary"):
        parse_message(b'{"op": "ping"}')


def test_error_reply_carries_the_id_when_readable() -> None:
    with pytest.raises(ProtocolError) as exc:
        parse_message('{"id": 41, "op": "move", "x": 500, "y": 0}')
    reply = error_reply(exc.value, "move")
    assert reply["id"] == 41 and reply["ok"] is False and "x" in reply["error"]


def test_every_op_is_documented() -> None:
    from latentdrum.web import protocol

    assert protocol.__doc__ is not None
    for op in OPS:
        assert f"``{op}``" in protocol.__doc__ or op in ("undo", "redo")
