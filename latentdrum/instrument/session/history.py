"""Undo and redo of scenes, one step per gesture.

A *gesture* is what the player did in one go: one drag of the pad, one turn of a knob, one drag
of a slider, one run of key nudges, one dice roll. The page numbers its gestures and sends the
number with every message (``gesture`` in :mod:`latentdrum.web.protocol`); all the changes of
one gesture make one undo step. A change sent without a gesture number is a step of its own,
except that a run of pad moves (``move``/``blend``) counts as one, as before gestures existed.
Nothing that leaves the scene as it was is recorded (the session checks, see
:meth:`latentdrum.instrument.session.Session._apply`).

The stacks are kept in the session's state file (:meth:`History.json_text`, :meth:`History.restore`)
so they survive a page reload and a server restart; each stored scene's JSON is made once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from latentdrum.instrument.scene import Scene

MAX_UNDO = 100
KEPT = 30  # steps each way written to the state file (about 10 kB a step)
_RUNS = ("move", "blend")  # ops whose gesture-less repeats merge into one undo step
_TRAVEL = ("travel",)  # the key after an undo or redo: the next change always starts a step


@dataclass
class _Step:
    """One scene on a stack, with its JSON text made at most once (scenes are immutable)."""

    scene: Scene
    text: str | None = None

    def json_text(self) -> str:
        if self.text is None:
            self.text = json.dumps(self.scene.to_json())
        return self.text


class History:
    """Two stacks of immutable scenes (the previous ones and the undone ones)."""

    def __init__(self, limit: int = MAX_UNDO) -> None:
        self.limit = limit
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._last_key: tuple[object, ...] | None = None

    def record(self, previous: Scene, op: str, gesture: int | None = None) -> None:
        """``previous`` is being replaced by op ``op`` of ``gesture``: push it, unless the change
        continues the last one's gesture (or, without a gesture, its run of pad moves)."""
        key = ("gesture", gesture) if gesture is not None else ("run", op) if op in _RUNS else None
        if key is None or key != self._last_key:
            self._undo.append(_Step(previous))
            del self._undo[: -self.limit]
            self._redo.clear()
        self._last_key = key

    def undo(self, current: Scene) -> Scene | None:
        """The scene before ``current`` (which becomes redoable), or None when there is none."""
        return self._step(self._undo, self._redo, current)

    def redo(self, current: Scene) -> Scene | None:
        return self._step(self._redo, self._undo, current)

    def _step(self, src: list[_Step], dst: list[_Step], current: Scene) -> Scene | None:
        if not src:
            return None
        dst.append(_Step(current))
        self._last_key = _TRAVEL
        return src.pop().scene

    def depth(self) -> dict[str, int]:
        """How many steps undo and redo can go."""
        return {"undo": len(self._undo), "redo": len(self._redo)}

    # --- kept in the state file ------------------------------------------------------------------
    def json_text(self) -> str:
        """``{"undo": [scene, ...], "redo": [...]}`` as JSON text, the last :data:`KEPT` steps each way
        (oldest first), for the state file."""
        undo = ",".join(s.json_text() for s in self._undo[-KEPT:])
        redo = ",".join(s.json_text() for s in self._redo[-KEPT:])
        return f'{{"undo": [{undo}], "redo": [{redo}]}}'

    def restore(self, undo: list[Scene], redo: list[Scene]) -> None:
        """Start from stacks read back from the state file (oldest first)."""
        self._undo = [_Step(s) for s in undo[-self.limit:]]
        self._redo = [_Step(s) for s in redo[-self.limit:]]
        self._last_key = _TRAVEL
