"""The player's session, one concept a file: session.py (the state the UI drives), history.py
(undo), store.py (the state file), sounds.py (the kit's one-shots, cached), views.py (what the
page draws), export.py (downloads)."""

from latentdrum.instrument.scene import SceneError
from latentdrum.instrument.session.session import Session
from latentdrum.instrument.session.store import default_state_path

__all__ = ["SceneError", "Session", "default_state_path"]
