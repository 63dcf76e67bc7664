"""The player's session, one concept a file: session.py (the state the UI drives), history.py
(undo), store.py (the state file), sounds.py (the kit's one-shots, cached), output.py (the session's
sounds, rendered loop and downloads), views.py (what the page draws), export.py (download files)."""

from latentdrum.instrument.scene import SceneError
from latentdrum.instrument.session.session import Session
from latentdrum.instrument.session.store import default_state_path

__all__ = ["SceneError", "Session", "default_state_path"]
