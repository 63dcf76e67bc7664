"""Undo and redo of scenes: each discrete edit is one step; a run of pad moves counts as one."""

from __future__ import annotations

from latentdrum.instrument.scene import Scene

MAX_UNDO = 100
_RUNS = ("move", "blend")  # ops whose consecutive repeats merge into one undo step


class History:
    """Two stacks of immutable scenes (the previous ones and the undone ones)."""

    def __init__(self, limit: int = MAX_UNDO) -> None:
        self.limit = limit
        self._undo: list[Scene] = []
        self._redo: list[Scene] = []
        self._last_op = ""

    def record(self, previous: Scene, op: str) -> None:
        """``previous`` is being replaced by op ``op``: push it, unless ``op`` continues a run."""
        if op != self._last_op or op not in _RUNS:
            self._undo.append(previous)
            del self._undo[: -self.limit]
            self._redo.clear()
        self._last_op = op

    def undo(self, current: Scene) -> Scene | None:
        """The scene before ``current`` (which becomes redoable), or None when there is none."""
        return self._step(self._undo, self._redo, current)

    def redo(self, current: Scene) -> Scene | None:
        return self._step(self._redo, self._undo, current)

    def _step(self, src: list[Scene], dst: list[Scene], current: Scene) -> Scene | None:
        if not src:
            return None
        dst.append(current)
        self._last_op = "history"
        return src.pop()

    def depth(self) -> dict[str, int]:
        """How many steps undo and redo can go."""
        return {"undo": len(self._undo), "redo": len(self._redo)}
