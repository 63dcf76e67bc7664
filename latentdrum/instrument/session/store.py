"""The session's state file: the current scene, the four corners and the blend position.

Written atomically (a temporary file, then a rename) after every change, at most every
:data:`SAVE_INTERVAL` seconds during a fast run of changes, and read back at start, so a page
reload or a server restart resumes where the player was, undo history included (``history``:
the last steps each way, see :mod:`.history`; a file without it, or with a damaged one, resumes
with no history).

Nothing the player made is lost without a word: a state file that cannot be read (truncated,
not JSON, another format version, made by other models) is moved aside as
``session.json.corrupt-<time>`` and :attr:`StateFile.notice` says so (the page shows it, the log
warns). A state path that cannot be written is a :class:`~latentdrum.errors.ConfigError` when the
session starts, not a silent loss later; a save that fails afterwards (disk full) is logged.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from latentdrum.errors import ConfigError, LatentDrumError
from latentdrum.files import atomic_write_text
from latentdrum.instrument.scene import Scene

STATE_FORMAT = "latentdrum-session"
STATE_VERSION = 1
SAVE_INTERVAL = 0.5  # s: the state file is written at most this often (and always within it)
MAX_STATE_BYTES = 16_000_000  # a state file is ~50 kB; anything far larger is not one of ours

# scene, 4 corners, blend position, the undo and redo stacks (oldest first)
Saved = tuple[Scene, list[Scene], tuple[float, float], tuple[list[Scene], list[Scene]]]
log = logging.getLogger("latentdrum.session")


def default_state_path() -> Path:
    """``$LATENTDRUM_STATE`` if set, else ``$XDG_STATE_HOME/latentdrum/session.json`` (~/.local/state)."""
    if os.environ.get("LATENTDRUM_STATE"):
        return Path(os.environ["LATENTDRUM_STATE"])
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "latentdrum" / "session.json"


def state_document(scene: Scene, corners: list[Scene], blend: tuple[float, float]) -> dict[str, Any]:
    return {"format": STATE_FORMAT, "version": STATE_VERSION, "scene": scene.to_json(),
            "corners": [c.to_json() for c in corners], "blend": list(blend)}


def state_text(scene: Scene, corners: list[Scene], blend: tuple[float, float], history_json: str) -> str:
    """The state file's text: :func:`state_document` plus ``"history"``, given as JSON text
    (its scenes' JSON is made once and kept, so a save during a drag stays cheap)."""
    doc = json.dumps(state_document(scene, corners, blend))
    return f'{doc[:-1]}, "history": {history_json}}}'


def _history(data: Any, rhythm_id: str, sound_id: str) -> tuple[list[Scene], list[Scene]]:
    """The saved undo and redo stacks; empty when absent or damaged (the scene itself still loads)."""
    if not isinstance(data, dict):
        return [], []
    try:
        undo, redo = ([Scene.from_json(s, rhythm_id, sound_id, source="a saved undo step") for s in data.get(k) or []]
                      for k in ("undo", "redo"))
        return undo, redo
    except Exception as exc:  # a convenience, not the player's work: start without it
        log.warning("latentdrum: the saved undo history could not be read (%s); starting without it", exc)
        return [], []


class UnreadableState(Exception):
    """Why a state file could not be used (internal: turned into a notice, never raised out)."""


def check_writable(path: Path) -> None:
    """Raise :class:`ConfigError` unless a state file can be written at ``path`` (creating its folder)."""
    hint = "pass --state FILE somewhere writable, or --no-state to play without saving"
    if path.is_dir():
        raise ConfigError(f"the state path {path} is a folder; it must be a file path ({hint})")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.with_name(f".{path.name}.probe-{os.getpid()}")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"cannot write the session state to {path} ({exc.strerror or exc}): {hint}") from None


def _parse(text: str, rhythm_id: str, sound_id: str) -> Saved:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnreadableState(f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise UnreadableState("it is not a latentdrum session file")
    if data.get("version") != STATE_VERSION:
        raise UnreadableState(f"it is session format version {data.get('version')!r}; this latentdrum reads "
                              f"version {STATE_VERSION}")
    try:
        scene = Scene.from_json(data["scene"], rhythm_id, sound_id, source="the saved scene")
        corners = [Scene.from_json(c, rhythm_id, sound_id, source="a saved corner") for c in data["corners"]]
        if len(corners) != 4:
            raise UnreadableState(f"it holds {len(corners)} corners, not 4")
        bx, by = (float(v) for v in data.get("blend", (0.0, 0.0)))
    except UnreadableState:
        raise
    except Exception as exc:  # any damage inside (overflowing numbers included) makes the file unusable
        if isinstance(exc, LatentDrumError):
            raise UnreadableState(str(exc)) from None
        raise UnreadableState(f"the saved scene holds a value it cannot use: {exc or type(exc).__name__}") from None
    history = _history(data.get("history"), rhythm_id, sound_id)
    return scene, corners, (min(max(bx, 0.0), 1.0), min(max(by, 0.0), 1.0)), history


class StateFile:
    """Loads and (throttled, atomically) saves the session state at ``path``.

    ``snapshot`` returns the document to write (a dict, or its JSON text); it is called holding ``lock`` (the session's:
    a consistent snapshot), from the caller's thread or the save timer; the file is written
    outside it. Raises :class:`ConfigError` at once when ``path`` cannot be written.
    """

    def __init__(self, path: Path, snapshot: Callable[[], dict[str, Any] | str], lock: threading.RLock) -> None:
        check_writable(path)
        self.path = path
        self.notice: str | None = None  # what the player must be told about the saved state
        self._snapshot = snapshot
        self._lock = lock
        self._write_lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._saved_at = 0.0
        self._failing = False

    def load(self, rhythm_id: str, sound_id: str) -> Saved | None:
        """The saved state, or None when there is none. A file that cannot be used is moved aside
        (see the module docstring) and None is returned, with :attr:`notice` set."""
        if not self.path.exists():
            return None
        try:
            if self.path.stat().st_size > MAX_STATE_BYTES:
                raise UnreadableState(f"it is {self.path.stat().st_size} bytes, far larger than a session file")
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UnreadableState(str(exc)) from None
            return _parse(text, rhythm_id, sound_id)
        except UnreadableState as exc:
            self._move_aside(str(exc))
            return None

    def _move_aside(self, reason: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        n = 1
        while aside.exists():
            aside = aside.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
            n += 1
        self.path.replace(aside)
        self.notice = (f"the saved session {self.path} could not be used ({reason}); it was moved to {aside} "
                       "and a fresh scene started")
        log.warning("latentdrum: %s", self.notice)

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
            doc = self._snapshot()
            text = doc if isinstance(doc, str) else json.dumps(doc)
        with self._write_lock:
            try:
                atomic_write_text(self.path, text)
            except OSError as exc:  # the instrument keeps playing; the player is told once
                if not self._failing:
                    self.notice = f"the session could not be saved to {self.path} ({exc.strerror or exc})"
                    log.warning("latentdrum: %s", self.notice)
                self._failing = True
            else:
                self._failing = False
