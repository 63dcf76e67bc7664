"""Atomic writes: a failed write leaves the old file whole and no temporary file behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from latentdrum.files import atomic_write, atomic_write_text


def test_a_failed_write_keeps_the_old_file_and_leaves_no_litter(tmp_path: Path) -> None:
    target = tmp_path / "scene.json"
    atomic_write_text(target, "old")

    def half_then_crash(tmp: Path) -> None:
        tmp.write_text("half a fi", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, half_then_crash)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.json"]


def test_the_temporary_name_keeps_the_suffix_so_savez_writes_the_named_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "cache.npz"  # the folder is created
    atomic_write(target, lambda tmp: np.savez(tmp, a=np.arange(3)))
    with np.load(target) as z:
        assert z["a"].tolist() == [0, 1, 2]
    assert [p.name for p in target.parent.iterdir()] == ["cache.npz"]
