"""Shared fixtures: where the real data lives, and small synthetic MIDI made on the spot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

# One thread: on a small shared machine, torch's default of one thread per core oversubscribes
# the CPU as soon as anything else runs, and tiny test models get slower, not faster.
torch.set_num_threads(1)

DATA = Path(os.environ.get("LATENTDRUM_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
GROOVE = DATA / "groove"
SAMPLES = DATA / "samples"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own dataset cache, so no test sees another's leftovers."""
    monkeypatch.setenv("LATENTDRUM_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def groove_dir() -> Path:
    if not (GROOVE / "info.csv").is_file():
        pytest.skip(f"real MIDI data not found at {GROOVE} (the shared/data folder beside the checkout)")
    return GROOVE


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "labels.csv").is_file():
        pytest.skip(f"real drum samples not found at {SAMPLES} (the shared/data folder beside the checkout)")
    return SAMPLES
