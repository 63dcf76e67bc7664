"""The session's state file: the current scene, the four corners and the blend position.

Written atomically (a temporary file, then a rename) after every change, at most every
:data:`SAVE_INTERVAL` seconds during a fast run of changes, and read back at start, so a page
reload or a server restart resumes where the player was.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from latentdrum.errors import LatentDrumError
from latentdrum.instrument.scene import Scene

STATE_FORMAT = "latentdrum-session"
STATE_VERSION = 1
SAVE_INTERVAL = 0.5  # s: the state file is written at most this often (and always within it)

Saved = tuple[Scene, list[Scene], tuple[float, float]]  # scene, 4 corners, blend position


def default_state_path() -> Path:
    """``$LATENTDRUM_STATE`` if set, else ``$XDG_STATE_HOME/latentdrum/session.json`` (~/.local/state)."""
    if os.environ.get("LATENTDRUM_STATE"):
        return Path(os.environ["LATENTDRUM_STATE"])
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "latentdrum" / "session.json"


def state_document(scene: Scene, corners: list[Scene], blend: tuple[float, float]) -> dict[str, Any]:
    return {"format": STATE_FORMAT, "version": STATE_VERSION, "scene": scene.to_json(),
            "corners": [c.to_json() for c in corners], "blend": list(blend)}


class StateFile:
    """Loads and (throttled, atomically) saves the session state at ``path``.

    ``snapshot`` returns the document to write; it is called holding ``lock`` (the session's:
    a consistent snapshot), from the caller's thread or the save timer; the file is written
    outside it.
    """

    def __init__(self, path: Path, snapshot: Callable[[], dict[str, Any]], lock: threading.RLock) -> None:
        self.path = path
        self._snapshot = snapshot
        self._lock = lock
        self._write_lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._saved_at = 0.0

    def load(self, rhythm_id: str, sound_id: str) -> Saved | None:
        """The saved state, or None when there is none or it belongs to other models or is damaged."""
        if not self.path.is_file():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT or data.get("version") != STATE_VERSION:
                return None
            scene = Scene.from_json(data["scene"], rhythm_id, sound_id, source="saved scene")
            corners = [Scene.from_json(c, rhythm_id, sound_id, source="saved corner") for c in data["corners"]]
            if len(corners) != 4:
                return None
            bx, by = (float(v) for v in data.get("blend", (0.0, 0.0)))
        except (OSError, ValueError, KeyError, TypeError, LatentDrumError):
            return None  # another model's or a damaged state: start fresh (the file is overwritten)
        return scene, corners, (min(max(bx, 0.0), 1.0), min(max(by, 0.0), 1.0))

    def save(self) -> None:
        """Write the state now, or (during a fast run of changes) within SAVE_INTERVAL s."""
        if time.monotonic() - self._saved_at >= SAVE_INTERVAL:
            self.flush()
        elif self._timer is None:
            self._timer = threading.Timer(SAVE_INTERVAL, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Write the current state to the file (atomically)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._saved_at = time.monotonic()
            text = json.dumps(self._snapshot())
        with self._write_lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(self.path)
            except OSError:
                pass  # a read-only state folder must not stop the instrument
