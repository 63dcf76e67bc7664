"""A tiny rhythm model trained once per test session, by the real CLI, on MIDI made here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.patterns.midi_factory import write_notes


def make_midi_folder(root: Path) -> Path:
    """Two styles, 8 files each, 4 bars: funk (busy 16th hats) and rock (8th hats), some swing."""
    for style, hat_every in (("funk", 120), ("rock", 240)):
        (root / style).mkdir(parents=True, exist_ok=True)
        for i in range(8):
            notes = []
            for bar in range(4):
                b = bar * 1920
                notes += [(b, 36, 110), (b + 960 + 240 * (i % 3), 36, 90), (b + 480, 38, 100 - i), (b + 1440, 38, 96)]
                notes += [(b + t + (12 if (t // hat_every) % 2 else 0), 42, 60 + (t // hat_every) % 2 * 20)
                          for t in range(0, 1920, hat_every)]
            write_notes(root / style / f"{style}_{i}.mid", notes, bpm=90 + 5 * i)
    return root


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "latentdrum", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def midi_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_midi_folder(tmp_path_factory.mktemp("midi"))


@pytest.fixture(scope="session")
def tiny_rhythm_ckpt(midi_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    r = run_cli("rhythm", "train", "--data", str(midi_folder), "--out", str(out), "--epochs", "3",
                "--latent-dim", "8", "--hidden", "64", "--batch-size", "16", "--no-progress", "--threads", "1")
    assert r.returncode == 0, r.stderr[-2000:]
    return out / "rhythm.ckpt"
