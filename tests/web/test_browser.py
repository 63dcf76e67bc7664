"""The page in a real browser: Debian's Chromium driven by Playwright against ``latentdrum serve``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from latentdrum.evaluation.bench.web import launch

pytestmark = pytest.mark.browser

READY = "window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9"


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launch(tmp_path_factory.mktemp("chromium-profile")) as ctx:
        yield ctx


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(server)
    page.wait_for_function(READY, timeout=60_000)
    yield page
    page.close()


def _hits(page: Any) -> str:
    """The grid's hits as the page's own JSON text (compared in the page as text, too)."""
    return str(page.evaluate("JSON.stringify(window.__ld.engine.pattern.hits)"))


def test_page_loads_with_no_console_errors(page: Any) -> None:
    page.wait_for_timeout(500)
    assert page.console_errors == []
    assert page.locator("#pad").is_visible() and page.locator("#grid").is_visible()
    assert page.evaluate("window.__ld.errors") == []


def test_play_makes_sound_in_the_page(page: Any) -> None:
    if not page.evaluate("window.__ld.engine.pattern.hits.flat().some(Boolean)"):
        box = page.locator("#grid").bounding_box()
        page.mouse.click(box["x"] + 100, box["y"] + 10)  # a kick on step 0 or so
        page.wait_for_function("window.__ld.engine.pattern.hits.flat().some(Boolean)")
    page.locator("body").press("Space")
    # The level is read once, in the same poll that finds it: a second read could land between hits.
    found = page.wait_for_function(
        "(() => { const l = window.__ld.level(); return window.__ld.engine.playing && l > 0.001 ? l : 0; })()",
        timeout=10_000,
    )
    level = found.json_value()
    page.locator("body").press("Space")
    assert level > 0.001
    assert page.evaluate("window.__ld.engine.playing") is False


def test_dragging_the_puck_changes_the_grid(page: Any) -> None:
    before, draws = _hits(page), page.evaluate("window.__ld.gridDraws")
    box = page.locator("#pad").bounding_box()
    changed = False
    for fx, fy in ((0.1, 0.1), (0.9, 0.9), (0.1, 0.9), (0.9, 0.1), (0.5, 0.5)):
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=6)
        page.mouse.up()
        page.wait_for_timeout(300)
        if _hits(page) != before:
            changed = True
            break
    assert page.evaluate("window.__ld.gridDraws") > draws
    assert changed


def test_a_knob_changes_the_sound(page: Any) -> None:
    page.locator('#voice-tabs button[data-voice="1"]').click()
    page.wait_for_function("window.__ld.settled()", timeout=60_000)
    before = page.evaluate("window.__ld.checksum(1)")
    knob = page.locator("#knob-brightness")
    knob.focus()
    page.keyboard.press("End" if float(knob.evaluate("el => el.value")) < 0.5 else "Home")
    page.wait_for_function(f"window.__ld.checksum(1) !== {json.dumps(before)}", timeout=30_000)
    assert page.evaluate("window.__ld.latency.knob.length") >= 1


def test_downloaded_midi_is_a_valid_file(page: Any, tmp_path: Path) -> None:
    import pretty_midi

    with page.expect_download() as dl:
        page.locator("#dl-mid").click()
    path = tmp_path / "clip.mid"
    dl.value.save_as(path)
    pm = pretty_midi.PrettyMIDI(str(path))
    hits = page.evaluate("window.__ld.engine.pattern.hits.flat().filter(Boolean).length")
    assert sum(len(i.notes) for i in pm.instruments) == hits


def test_a_malformed_message_is_answered_and_the_page_keeps_working(page: Any) -> None:
    page.evaluate("window.__ld.sendRaw('{this is not json')")
    page.wait_for_function("window.__ld.errors.length > 0", timeout=10_000)
    assert "not valid JSON" in page.evaluate("window.__ld.errors[0]")
    before = _hits(page)
    box = page.locator("#grid").bounding_box()
    page.mouse.click(box["x"] + 86 + (box["width"] - 86) * (7.5 / 32), box["y"] + box["height"] * (2.5 / 9))
    page.wait_for_function(f"JSON.stringify(window.__ld.engine.pattern.hits) !== {json.dumps(before)}")
    hits, old = json.loads(_hits(page)), json.loads(before)
    diff = [(v, s) for v in range(9) for s in range(len(hits[v])) if hits[v][s] != old[v][s]]
    # The clicked cell (closed hat, step 8) toggled, nothing else.
    assert diff == [(2, 7)], page.evaluate("window.__ld.applied")
    # ... and Undo takes the edit back.
    page.locator("#undo").click()
    page.wait_for_function(f"JSON.stringify(window.__ld.engine.pattern.hits) === {json.dumps(before)}")
