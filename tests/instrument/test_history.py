"""Undo the size of a gesture: one drag, one knob turn = one step; no-ops are no step; kept on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from latentdrum.instrument.session import Session


@pytest.fixture()
def session(tmp_path: Path, rhythm_space, sound_space) -> Session:  # type: ignore[no-untyped-def]
    return Session(rhythm_space, sound_space, tmp_path / "session.json", seed=0)


def _drag(session: Session, gesture: int, dx: float) -> None:
    x, y = session.puck()
    with session.gesture(gesture):
        for i in range(1, 6):
            session.move(x + dx * i / 5, y)


def test_each_drag_is_one_undo_step(session: Session) -> None:
    z = [session.scene.z.copy()]
    for g, dx in ((11, 0.3), (12, -0.5), (13, 0.2)):
        _drag(session, g, dx)
        z.append(session.scene.z.copy())
    assert session.history()["undo"] == 3
    for back in (2, 1, 0):
        session.undo()
        np.testing.assert_allclose(session.scene.z, z[back], atol=1e-6)


def test_a_knob_turn_is_one_step_and_a_no_op_is_none(session: Session) -> None:
    with session.gesture(7):
        for v in np.linspace(0.0, 0.8, 15):
            session.set_voice(1, knobs={"decay": float(v)})
    assert session.history()["undo"] == 1
    session.set_voice(0)  # changes nothing
    session.set_voice(1, knobs={"decay": 0.8})  # the value it already has
    session.set_transport(bpm=session.scene.bpm)
    assert session.history()["undo"] == 1
    session.undo()
    assert session.scene.kit.voices[1].knobs["decay"] != pytest.approx(0.8)


def test_changes_without_a_gesture_are_steps_of_their_own(session: Session) -> None:
    session.set_rhythm(density=0.2)
    session.set_rhythm(density=0.4)
    assert session.history()["undo"] == 2


def test_undo_history_survives_a_restart(tmp_path: Path, session: Session, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    z0 = session.scene.z.copy()
    _drag(session, 1, 0.4)
    session.set_voice(2, gain_db=-6.0)
    session.undo()  # one step to redo
    session.flush()
    again = Session(rhythm_space, sound_space, tmp_path / "session.json", seed=5)
    assert again.history() == {"undo": 1, "redo": 1}
    again.redo()
    assert again.scene.kit.voices[2].gain_db == pytest.approx(-6.0)
    again.undo()
    again.undo()
    np.testing.assert_allclose(again.scene.z, z0, atol=1e-5)


def test_a_damaged_history_loses_only_the_history(tmp_path: Path, session: Session, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    session.set_voice(2, gain_db=-6.0)
    session.flush()
    path = tmp_path / "session.json"
    doc = json.loads(path.read_text())
    doc["history"]["undo"][0]["bpm"] = "fast"
    path.write_text(json.dumps(doc))
    again = Session(rhythm_space, sound_space, path, seed=5)
    assert again.restored and again.state_notice() is None
    assert again.history() == {"undo": 0, "redo": 0}
    assert again.scene.kit.voices[2].gain_db == pytest.approx(-6.0)
