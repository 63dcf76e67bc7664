"""Counts have documented maximums and output paths are checked before any work: one error line, exit 2."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from latentdrum.cli import main


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sound", "sample", "--class", "kick", "--n", "100000", "-o", "{tmp}/o"], "--n: must be 1-256"),
        (["sound", "morph", "a.wav", "b.wav", "--steps", "100000", "-o", "{tmp}/o"], "--steps: must be 2-64"),
        (["rhythm", "sample", "--n", "100000", "-o", "{tmp}/o"], "--n: must be 1-1000"),
        (["rhythm", "interpolate", "a.mid", "b.mid", "--steps", "many", "-o", "{tmp}/o"], "whole number"),
        (["render", "p.mid", "--loops", "100000", "-o", "{tmp}/l.wav"], "--loops: must be 1-64"),
        (["serve", "--port", "70000"], "--port: must be 0-65535"),
    ],
)
def test_counts_over_their_maximum_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               argv: list[str], words: str) -> None:
    line = _fails(capsys, [a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert words in line


@pytest.mark.parametrize(
    ("argv", "out", "words"),
    [
        (["sound", "reconstruct", "in.wav", "-o"], "folder", "is a folder"),
        (["rhythm", "reconstruct", "in.mid", "-o"], "folder", "is a folder"),
        (["render", "p.mid", "-o"], "under-file", "is a file, not a folder"),
        (["sound", "morph", "a.wav", "b.wav", "-o"], "file", "is a file; give a folder"),
        (["rhythm", "sample", "-o"], "under-file", "is a file, not a folder"),
    ],
)
def test_output_paths_are_checked_up_front(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str],
                                           out: str, words: str) -> None:
    (tmp_path / "a-file").write_text("x")
    target = {"folder": tmp_path, "file": tmp_path / "a-file", "under-file": tmp_path / "a-file" / "x" / "o.wav"}[out]
    assert words in _fails(capsys, [*argv, str(target)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere: an unwritable folder cannot be made")
def test_an_unwritable_output_folder_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "not writable" in _fails(capsys, ["sound", "reconstruct", "in.wav", "-o", str(locked / "o.wav")])


def test_serve_on_a_busy_port_fails_before_saying_it_plays(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["serve", "--port", str(port), "--state", str(tmp_path / "s.json")])
    out = capsys.readouterr()
    assert code == 2 and "playing at" not in out.out
    assert f"cannot listen on 127.0.0.1:{port}" in out.err and "--port" in out.err


def test_serve_with_an_unwritable_state_path_is_an_error_at_start(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    from tests.models import rhythm_model, sound_model

    r, s = rhythm_model(), sound_model()
    if r is None or s is None:
        pytest.skip("no models: none bundled and no shared/data to train tiny ones")
    code = main(["serve", "--port", "0", "--state", str(tmp_path), "--rhythm-model", str(r), "--sound-model", str(s)])
    out = capsys.readouterr()
    assert code == 2 and "playing at" not in out.out and "is a folder" in out.err and "--no-state" in out.err
