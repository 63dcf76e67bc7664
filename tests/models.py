"""The rhythm and sound models the instrument and web tests play.

In order: ``$LATENTDRUM_TEST_RHYTHM_MODEL`` / ``$LATENTDRUM_TEST_SOUND_MODEL``, else the models
bundled with the package, else tiny models trained here (once per test run, in a temporary
folder) on a small real subset of ``shared/data``: a few Groove MIDI performances and a few
one-shots per sound class. Tiny models play badly but exercise every code path for real.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from tests.conftest import GROOVE, SAMPLES


def _code_version() -> str:
    """A hash of the model and training code: tiny models are retrained when it changes."""
    pkg = Path(__file__).resolve().parents[1] / "latentdrum"
    h = hashlib.sha1()
    for f in sorted([*pkg.glob("models/*.py"), *pkg.glob("training/*.py"), *pkg.glob("spaces/*.py"),
                     pkg / "sounds" / "spectral.py"]):
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


ROOT = Path(tempfile.gettempdir()) / f"latentdrum-test-models-{os.getuid()}-{_code_version()}"


def _subset_groove(out: Path, per_split: dict[str, int]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with open(GROOVE / "info.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    picked, counts = [], dict.fromkeys(per_split, 0)
    for row in rows:
        s = row["split"]
        if s in per_split and counts[s] < per_split[s] and row["beat_type"] == "beat" and float(row["duration"]) > 20:
            picked.append(row)
            counts[s] += 1
    for d in {r["midi_filename"].split("/")[0] for r in picked}:
        link = out / d
        if not link.exists():
            link.symlink_to(GROOVE / d)
    with open(out / "info.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(picked)
    return out


def _subset_samples(out: Path, per_class: int) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with open(SAMPLES / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    picked, counts = [], {}
    for row in rows:
        if counts.get(row["class"], 0) < per_class:
            picked.append(row)
            counts[row["class"]] = counts.get(row["class"], 0) + 1
    for r in picked:  # copies: the sound dataset does not follow links
        dst = out / r["path"]
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SAMPLES / r["path"], dst)
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(picked)
    return out


def _train(args: list[str]) -> None:
    from latentdrum.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(args)
    if code:
        raise RuntimeError(f"training a test model failed: latentdrum {' '.join(args)}")


@functools.cache
def rhythm_model() -> Path | None:
    """A rhythm checkpoint for the tests (None: no model and no data to train one)."""
    from latentdrum.spaces.rhythm import bundled_rhythm_checkpoint

    if os.environ.get("LATENTDRUM_TEST_RHYTHM_MODEL"):
        return Path(os.environ["LATENTDRUM_TEST_RHYTHM_MODEL"])
    if bundled_rhythm_checkpoint().is_file():
        return bundled_rhythm_checkpoint()
    ckpt = ROOT / "rhythm" / "rhythm.ckpt"
    if ckpt.is_file():
        return ckpt
    if not (GROOVE / "info.csv").is_file():
        return None
    data = _subset_groove(ROOT / "groove", {"train": 24, "validation": 4})
    os.environ.setdefault("LATENTDRUM_CACHE", str(ROOT / "cache"))
    _train(["rhythm", "train", "--data", str(data), "--out", str(ckpt.parent), "--epochs", "2", "--latent-dim", "16",
            "--hidden", "64", "--batch-size", "64", "--threads", "1", "--no-progress"])
    return ckpt


@functools.cache
def sound_model() -> Path | None:
    """A sound checkpoint for the tests (None: no model and no data to train one)."""
    from latentdrum.spaces.sound import BUNDLED

    if os.environ.get("LATENTDRUM_TEST_SOUND_MODEL"):
        return Path(os.environ["LATENTDRUM_TEST_SOUND_MODEL"])
    if BUNDLED.is_file():
        return BUNDLED
    ckpt = ROOT / "sound" / "sound.ckpt"
    if ckpt.is_file():
        return ckpt
    if not (SAMPLES / "labels.csv").is_file():
        return None
    data = _subset_samples(ROOT / "samples", 8)
    _train(["sound", "train", "--data", str(data), "--out", str(ckpt.parent), "--epochs", "2", "--hidden", "64",
            "--holdout", "--threads", "1", "--no-progress"])
    return ckpt
