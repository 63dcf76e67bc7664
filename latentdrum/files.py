"""Atomic file writes: the one place the package writes a file that must never be half there.

Every file a crash or a full disk could otherwise leave truncated — checkpoints, the dataset
cache, scenes, kits, the session's state file — is written by :func:`atomic_write`: the bytes go
to a temporary file in the target's folder, and only a complete file is renamed over the target
(``os.replace`` is atomic on one file system). An interrupted write leaves the old file, or none.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Make ``path`` by calling ``write(tmp)`` on a temporary sibling, then renaming it over ``path``.

    ``write`` receives a path whose name ends like ``path`` (so writers that pick a format by the
    suffix, e.g. ``np.savez``, write the file as it is named) and must write the whole file there.
    The folder is created if it is missing. On any error the temporary file is removed and the
    error propagates unchanged (``OSError`` for a full disk or a read-only folder); ``path`` then
    still holds what it held before. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name per call (two threads or processes never share one), created by the writer
    # itself so the file gets the usual permissions (mkstemp would make it private).
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write`."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
