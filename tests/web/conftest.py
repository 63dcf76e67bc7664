"""Fixtures for the web tests: the models (see tests/models.py), a session and a TestClient around
them, and a real server for a module's browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from latentdrum.evaluation.bench.web import chromium_path, start_server
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


BASE = "http://127.0.0.1:8000"  # the Host the guard accepts


@pytest.fixture()
def session(spaces):  # type: ignore[no-untyped-def]
    """A fresh session around the test models, not saved anywhere."""
    from latentdrum.instrument.session import Session

    return Session(*spaces, None, seed=0)


@pytest.fixture()
def client(session):  # type: ignore[no-untyped-def]
    """A TestClient of the app around :func:`session` (modules with other needs define their own)."""
    from latentdrum.web.app import create_app

    with TestClient(create_app(session=session), base_url=BASE) as c:
        yield c


def need_browser() -> None:
    """Skip unless Playwright and Debian's Chromium are there."""
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    if chromium_path() is None:
        pytest.skip("no Chromium at /usr/bin/chromium (scripts/test.sh installs Debian's chromium with apt-get)")


@pytest.fixture(scope="module")
def server(model_paths: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real latentdrum server for one test module's browser tests (fresh state file, seed 0)."""
    need_browser()
    with start_server(*model_paths, tmp_path_factory.mktemp("serve") / "session.json", seed=0) as url:
        yield url
