"""The session's state file: nothing the player made is lost without a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from latentdrum.errors import ConfigError
from latentdrum.instrument.session import Session


def _saved(tmp_path: Path, rhythm_space, sound_space) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "session.json"
    s = Session(rhythm_space, sound_space, path, seed=3)
    s.set_transport(bpm=133.0)
    s.flush()
    return path, path.read_text()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: "\x00\xff garbage", "not valid JSON"),
        (lambda text: text.replace('"version": 1', '"version": 99', 1), "version 99"),
        (lambda text: text.replace('"sound_model_id": "', '"sound_model_id": "other-', 1), "sound model"),
        (lambda text: text.replace('"bpm": 133.0', '"bpm": 1' + "0" * 400, 1), "saved scene"),
    ],
    ids=["truncated", "not-json", "future-version", "other-model", "overflowing-number"],
)
def test_an_unusable_state_file_is_moved_aside_and_the_player_told(  # type: ignore[no-untyped-def]
    tmp_path: Path, rhythm_space, sound_space, damage, reason: str
) -> None:
    path, text = _saved(tmp_path, rhythm_space, sound_space)
    damaged = damage(text)
    path.write_text(damaged, encoding="utf-8", errors="surrogateescape")
    s = Session(rhythm_space, sound_space, path, seed=1)
    aside = list(tmp_path.glob("session.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(errors="surrogateescape") == damaged  # kept, byte for byte
    notice = s.state()["notice"]
    assert notice and str(aside[0]) in notice and reason in notice
    assert not s.restored and json.loads(path.read_text())["format"] == "latentdrum-session"  # a fresh, valid one


def test_a_good_state_file_is_resumed_without_a_notice(tmp_path: Path, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    path, _ = _saved(tmp_path, rhythm_space, sound_space)
    s = Session(rhythm_space, sound_space, path, seed=1)
    assert s.restored and s.state()["transport"]["bpm"] == 133.0 and s.state()["notice"] is None
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_an_unwritable_state_path_is_an_error_at_start(tmp_path: Path, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="is a folder"):
        Session(rhythm_space, sound_space, tmp_path, seed=0)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match=r"cannot write the session state.*--no-state"):
        Session(rhythm_space, sound_space, blocker / "session.json", seed=0)


def test_without_a_state_path_nothing_is_written(tmp_path: Path, rhythm_space, sound_space, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    s = Session(rhythm_space, sound_space, None, seed=0)
    s.move(0.5, 0.5)
    s.flush()
    assert list(tmp_path.iterdir()) == [] and s.state()["notice"] is None
