"""Fixtures for the instrument tests: real velocity-layered drum one-shots from shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.evaluation.bench.render import AVL_KIT, real_layers


@pytest.fixture(scope="session")
def avl_layers(samples_dir: Path) -> dict[int, np.ndarray]:
    """voice index -> ``(5, N)`` real recorded velocity layers (AVL Drumkits), cut to 1 s."""
    folder = samples_dir / "oramics" / "avl-drumkits"
    if not all((folder / f"{stem}-1.wav").is_file() for stem in AVL_KIT):
        pytest.skip(f"AVL Drumkits one-shots not found in {folder}")
    return {v: real_layers(samples_dir, v, max_seconds=1.0) for v in range(len(AVL_KIT))}


@pytest.fixture(scope="session")
def rhythm_space():  # type: ignore[no-untyped-def]
    """The rhythm space the instrument plays (bundled, or a tiny one trained on real data; see tests/models.py)."""
    from latentdrum.spaces.rhythm import RhythmSpace
    from tests.models import rhythm_model

    path = rhythm_model()
    if path is None:
        pytest.skip("no rhythm model: none bundled and no shared/data/groove to train a tiny one")
    return RhythmSpace.load(path)


@pytest.fixture(scope="session")
def sound_space():  # type: ignore[no-untyped-def]
    """The sound space the instrument plays (bundled, or a tiny one trained on real one-shots)."""
    from latentdrum.spaces.sound import SoundSpace
    from tests.models import sound_model

    path = sound_model()
    if path is None:
        pytest.skip("no sound model: none bundled and no shared/data/samples to train a tiny one")
    return SoundSpace.load(path)
