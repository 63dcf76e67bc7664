"""Fixtures for the instrument tests: real velocity-layered drum one-shots from shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.evaluation.render_bench import AVL_KIT, real_layers


@pytest.fixture(scope="session")
def avl_layers(samples_dir: Path) -> dict[int, np.ndarray]:
    """voice index -> ``(5, N)`` real recorded velocity layers (AVL Drumkits), cut to 1 s."""
    folder = samples_dir / "oramics" / "avl-drumkits"
    if not all((folder / f"{stem}-1.wav").is_file() for stem in AVL_KIT):
        pytest.skip(f"AVL Drumkits one-shots not found in {folder}")
    return {v: real_layers(samples_dir, v, max_seconds=1.0) for v in range(len(AVL_KIT))}
