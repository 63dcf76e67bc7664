"""The page's downloads with its map, timing and rate selectors: MIDI as played, stems zip, rates."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pretty_midi
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from latentdrum.instrument.session import Session
from latentdrum.instrument.timing import schedule
from latentdrum.web.app import create_app

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def client(spaces):  # type: ignore[no-untyped-def]
    session = Session(*spaces, None, seed=4)
    session.set_transport(bpm=100.0, swing=62.5)
    with TestClient(create_app(session=session), base_url=BASE) as c:
        c.session = session  # type: ignore[attr-defined]
        yield c


def test_the_midi_download_grooves_like_the_loop(client: TestClient) -> None:
    session: Session = client.session  # type: ignore[attr-defined]
    r = client.get("/api/download/pattern.mid?map=roland&timing=played")
    assert r.status_code == 200
    notes = sorted(pretty_midi.PrettyMIDI(io.BytesIO(r.content)).instruments[0].notes, key=lambda n: n.start)
    want = np.sort(schedule(session.pattern, 100.0, 62.5, 0, 0).time)
    assert len(notes) == len(want)
    assert np.abs(np.maximum(want, 0) - [n.start for n in notes]).max() < 0.5e-3
    straight = client.get("/api/download/pattern.mid?timing=straight")
    step = 60 / 100 / 4
    starts = [n.start / step for n in pretty_midi.PrettyMIDI(io.BytesIO(straight.content)).instruments[0].notes]
    assert np.allclose(starts, np.round(starts), atol=1e-6)
    groove = pretty_midi.PrettyMIDI(io.BytesIO(client.get("/api/download/groove.mid").content))
    assert len(groove.instruments[0].notes) == session.pattern.steps


def test_stems_zip_at_48k_sums_to_its_mix(client: TestClient) -> None:
    r = client.get("/api/download/stems.zip?rate=48000")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = z.namelist()
    assert "latentdrum-stems/mix.wav" in names and "latentdrum-stems/pattern.mid" in names
    mix, sr = sf.read(io.BytesIO(z.read("latentdrum-stems/mix.wav")), always_2d=True)
    stems = [n for n in names if n.split("/")[-1][:2].isdigit()]
    assert sr == 48_000 and len(stems) >= 2
    total = sum(sf.read(io.BytesIO(z.read(n)), always_2d=True)[0] for n in stems)
    assert np.abs(total - mix).max() < 1e-5
    loop, sr = sf.read(io.BytesIO(client.get("/api/download/loop.wav?rate=96000").content))
    assert sr == 96_000 and loop.shape[0] == round(2 * 32 * 15 / 100 * 96_000)


@pytest.mark.parametrize("query", ["map=superior", "map=/etc/passwd.json", "rate=22050", "timing=swung"])
def test_bad_options_are_refused_with_the_reason(client: TestClient, query: str) -> None:
    r = client.get(f"/api/download/pattern.mid?{query}")
    assert r.status_code == 400 and r.json()["detail"]


def test_the_page_gets_every_named_map(client: TestClient) -> None:
    maps = client.get("/api/drum-maps").json()
    assert list(maps)[:2] == ["gm", "roland"] and maps["volca-beats"][5] == 43 and len(maps["tr-8s"]) == 9
