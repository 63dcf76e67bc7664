"""Fixtures for the web tests: the models (see tests/models.py) and a session around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models import rhythm_model, sound_model


@pytest.fixture(scope="session")
def model_paths() -> tuple[Path, Path]:
    r, s = rhythm_model(), sound_model()
    if r is None or s is None:
        pytest.skip("no models: none bundled and no shared/data to train tiny ones")
    return r, s


@pytest.fixture(scope="session")
def spaces(model_paths: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

    return RhythmSpace.load(model_paths[0]), SoundSpace.load(model_paths[1])
