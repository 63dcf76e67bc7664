"""The on-disk cache of preprocessed datasets: arrays plus JSON metadata in one ``.npz`` file.

Lives under ``$LATENTDRUM_CACHE`` (default ``~/.cache/latentdrum``). Files are written atomically,
so an interrupted build never leaves a half-written cache behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.files import atomic_write


def cache_dir() -> Path:
    return Path(os.environ.get("LATENTDRUM_CACHE", Path.home() / ".cache" / "latentdrum"))


def save_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write ``arrays`` and JSON-able ``meta`` to ``path`` (.npz) atomically."""
    payload: dict[str, Any] = {**arrays, "__meta__": np.array(json.dumps(meta))}
    atomic_write(path, lambda tmp: np.savez(tmp, **payload))


def load_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Inverse of :func:`save_arrays`. Raises OSError, ValueError or KeyError on a damaged file."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
        return arrays, json.loads(str(z["__meta__"]))
