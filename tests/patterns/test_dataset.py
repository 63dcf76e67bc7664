import subprocess
import sys
from pathlib import Path

import pytest

from latentdrum.errors import DatasetError
from latentdrum.patterns.dataset import SPLITS, build_pattern_dataset
from tests.patterns.midi_factory import write_notes


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "midi"
    for style in ("funk", "rock"):
        (root / style).mkdir(parents=True)
        for i in range(6):
            write_notes(root / style / f"{i}.mid", [(k * 240, 36 if k % 2 else 42, 90) for k in range(24)])
    write_notes(root / "loose.mid", [(0, 36, 100)])
    write_notes(root / "rock" / "waltz.mid", [(0, 36, 100)], time_signature=(3, 4))
    (root / "rock" / "broken.mid").write_bytes(b"garbage")
    return root


def test_folder_styles_splits_and_skips(tmp_path: Path) -> None:
    ds = build_pattern_dataset(_folder(tmp_path), progress=False)
    assert ds.styles == ("funk", "rock")
    assert len(ds.files) == 13
    skipped = dict(ds.skipped)
    assert sorted(skipped) == ["rock/broken.mid", "rock/waltz.mid"]  # each file skipped, with its reason
    assert skipped["rock/waltz.mid"] == "is in 3/4; only 4/4 patterns are supported"
    assert "not a readable MIDI file" in skipped["rock/broken.mid"]
    loose = ds.files.index("loose.mid")
    assert ds.style[ds.file_index == loose].tolist() == [-1]  # no sub-folder, no style
    assert ds.windows.shape[1:] == (32, 27)
    # Deterministic split: a second build (no cache) assigns the same splits.
    again = build_pattern_dataset(tmp_path / "midi", use_cache=False, progress=False)
    assert again.split.tolist() == ds.split.tolist()
    assert set(ds.summary()["per_split"]) <= set(SPLITS)


def test_cache_is_reused_until_the_folder_changes(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    assert not build_pattern_dataset(root, progress=False).cached
    assert build_pattern_dataset(root, progress=False).cached
    write_notes(root / "funk" / "new.mid", [(0, 36, 100)])
    changed = build_pattern_dataset(root, progress=False)
    assert not changed.cached and "funk/new.mid" in changed.files


def test_split_subfolders_are_honoured(tmp_path: Path) -> None:
    for split in ("train", "validation"):
        (tmp_path / split / "jazz").mkdir(parents=True)
        write_notes(tmp_path / split / "jazz" / "a.mid", [(0, 51, 100)])
    ds = build_pattern_dataset(tmp_path, progress=False)
    assert ds.styles == ("jazz",)
    assert sorted(SPLITS[s] for s in ds.split) == ["train", "validation"]


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"no \.mid"):
        build_pattern_dataset(tmp_path, progress=False)
    with pytest.raises(DatasetError, match="not a folder"):
        build_pattern_dataset(tmp_path / "nope", progress=False)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "latentdrum", *args], capture_output=True, text=True, timeout=300)


def test_cli_summary_and_bad_paths(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    r = _cli("data", "patterns", str(root))
    assert r.returncode == 0, r.stderr
    assert "from 13 of 15 files" in r.stdout and "rock/waltz.mid" in r.stdout and "kick" in r.stdout
    bad = _cli("data", "patterns", str(tmp_path / "missing"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not a folder" in bad.stderr
    broken = _cli("data", "patterns", str(root / "rock" / "broken.mid"))
    assert broken.returncode == 2 and "Traceback" not in broken.stderr


def test_real_groove_dataset(groove_dir: Path) -> None:
    ds = build_pattern_dataset(groove_dir, progress=False)
    s = ds.summary()
    assert s["files_read"] > 1000 and s["files_skipped"] >= 12  # the 3/4, 6/8, 5/4, 5/8 files
    assert all(r.startswith("not 4/4") for r in s["skip_reasons"])
    assert {"train", "validation"} == set(s["per_split"]) and "rock" in ds.styles
    assert s["hits_per_voice"]["kick"] > 0 and s["hits_per_voice"]["ride"] > 0
    assert build_pattern_dataset(groove_dir, progress=False).cached
