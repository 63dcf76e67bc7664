"""The page, exact: every input lands, undo is the size of a gesture, and it plays like an instrument.

Real Chromium (Debian's) driven by Playwright against ``latentdrum serve``: one server and one
page for the module (tests leave the scene wherever they like; each reads what it starts from).
The restart test runs its own server on a fixed port so it can stop and start it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from latentdrum.evaluation.bench.web import free_port, launch, start_server
from tests.web.conftest import need_browser

pytestmark = pytest.mark.browser

READY = "window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9"


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launch(tmp_path_factory.mktemp("chromium-exact")) as ctx:
        yield ctx


def _open(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    return page


@pytest.fixture(scope="module")
def page(browser: Any, server: str) -> Iterator[Any]:
    page = _open(browser, server)
    yield page
    assert page.console_errors == []
    page.close()


def _server(page: Any) -> dict[str, Any]:
    """The server's state once every message of the page has been answered (``/api/state`` does
    not wait for queued messages)."""
    page.wait_for_function("!window.__ld.pending || window.__ld.pending() === 0", timeout=10_000)
    return dict(page.evaluate("fetch('/api/state').then(r => r.json())"))


def _value(page: Any, selector: str) -> float:
    return float(page.eval_on_selector(selector, "el => Number(el.value)"))


def _attr(page: Any, selector: str, name: str) -> float:
    return float(page.eval_on_selector(selector, f"el => Number(el.getAttribute('{name}'))"))


def _settle(page: Any) -> None:
    """Every message the page sent has been answered (and the hold on touched controls let go)."""
    page.wait_for_timeout(900)
    page.wait_for_function("!window.__ld.busy || !window.__ld.busy()", timeout=10_000)


def _nudge(page: Any, selector: str, presses: int) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Home")
    for _ in range(presses):
        page.keyboard.press("ArrowRight")


def _drag_pad(page: Any, fx: float, fy: float) -> None:
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=8)
    page.mouse.up()
    page.wait_for_timeout(250)


# --- every input lands --------------------------------------------------------------------------
def test_fast_key_nudges_arrive_whole(page: Any) -> None:
    _nudge(page, "#dynamics", 20)
    _nudge(page, "#gain", 48)
    _nudge(page, "#pan", 10)
    _settle(page)
    gain_step, gain_lo, gain_hi = (_attr(page, "#gain", a) for a in ("step", "min", "max"))
    pan_step = _attr(page, "#pan", "step")
    want_gain = min(gain_hi, gain_lo + 48 * gain_step)
    want_pan = -1 + 10 * pan_step
    assert _value(page, "#dynamics") == pytest.approx(1.0)
    assert _value(page, "#gain") == pytest.approx(want_gain)
    assert _value(page, "#pan") == pytest.approx(want_pan)
    state = _server(page)
    voice = int(page.evaluate("window.__ld.state.voice"))
    assert state["transport"]["dynamics"] == pytest.approx(1.0)
    assert state["voices"][voice]["gain_db"] == pytest.approx(want_gain)
    assert state["voices"][voice]["pan"] == pytest.approx(want_pan)


def test_a_touched_control_is_not_overwritten_by_the_server(page: Any, browser: Any, server: str) -> None:
    other = _open(browser, server)
    try:
        box = page.locator("#density").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
        page.mouse.down()  # the player holds the density slider
        mine = _value(page, "#density")
        page.wait_for_function(f"fetch('/api/state').then(r => r.json()).then(s => s.rhythm.density === {mine})")
        # Another page sets density while this player is still on the control.
        seen = page.evaluate("window.__ld.applied.filter(a => a.startsWith('broadcast')).length")
        other.evaluate("window.__ld.sendRaw(JSON.stringify({op: 'rhythm', density: 1}))")
        page.wait_for_function(f"window.__ld.applied.filter(a => a.startsWith('broadcast')).length > {seen}")
        assert _value(page, "#density") == pytest.approx(mine)
        # Once they let go, the page shows what the server plays.
        page.mouse.up()
        page.wait_for_function("Number(document.querySelector('#density').value) === 1", timeout=5_000)
    finally:
        other.close()


def test_tempo_shows_the_clamped_value_and_space_still_plays(page: Any) -> None:
    bpm = page.locator("#bpm")
    bpm.click()
    bpm.fill("999")
    bpm.press("Enter")
    page.wait_for_function("window.__ld.engine.bpm === 300", timeout=5_000)
    assert bpm.input_value() == "300"
    page.keyboard.press("Space")
    assert page.evaluate("window.__ld.engine.playing") is True
    page.keyboard.press("Space")
    assert page.evaluate("window.__ld.engine.playing") is False
    assert _server(page)["transport"]["bpm"] == 300, page.evaluate("window.__ld.applied.slice(-8)")
    bpm.click()
    bpm.fill("100")
    bpm.press("Enter")


def test_space_plays_after_choosing_a_style(page: Any) -> None:
    style = page.locator("#style")
    style.focus()
    names = page.eval_on_selector_all("#style option", "os => os.map(o => o.value)")
    style.select_option(names[-1])
    page.keyboard.press("Space")
    assert page.evaluate("window.__ld.engine.playing") is True
    page.keyboard.press("Space")
    assert page.evaluate("window.__ld.engine.playing") is False
    assert _server(page)["rhythm"]["style"] == names[-1]


def test_the_same_scene_file_opens_twice(page: Any, tmp_path: Path) -> None:
    scene = page.evaluate("fetch('/api/download/scene.json').then(r => r.json())")
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(scene))
    for bpm in (133, 141):
        page.locator("#bpm").fill(str(bpm))
        page.locator("#bpm").press("Enter")
        page.wait_for_function(f"fetch('/api/state').then(r => r.json()).then(s => s.transport.bpm === {bpm})")
        with page.expect_file_chooser() as chooser:
            page.locator("label.file:has(#scene-file)").click()
        chooser.value.set_files(str(path))
        page.wait_for_function(f"window.__ld.engine.bpm === {scene['bpm']}", timeout=10_000)


# --- undo the size of a gesture ----------------------------------------------------------------
def _depth(page: Any) -> int:
    return int(_server(page)["undo"])


def test_three_pad_drags_are_three_undo_steps(page: Any) -> None:
    page.locator("#mode-map").click()
    start = _depth(page)
    pucks = []
    for fx, fy in ((0.2, 0.3), (0.8, 0.7), (0.3, 0.8)):
        _drag_pad(page, fx, fy)
        _settle(page)
        pucks.append(_server(page)["puck"])
    assert _depth(page) == start + 3
    page.locator("body").press("Control+z")
    _settle(page)
    assert _server(page)["puck"] == pytest.approx(pucks[1], abs=1e-3)


def test_one_slider_drag_is_one_undo_step_and_a_no_op_is_none(page: Any) -> None:
    start = _depth(page)
    box = page.locator("#density").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 4, y, steps=15)
    page.mouse.up()
    _settle(page)
    assert _depth(page) == start + 1
    page.evaluate("window.__ld.sendRaw(JSON.stringify({op: 'voice', voice: 0}))")
    _settle(page)
    assert _depth(page) == start + 1


def test_a_knob_turn_is_one_undo_step(page: Any) -> None:
    start = _depth(page)
    page.locator("#knob-decay").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _settle(page)
    assert _depth(page) == start + 1
    box = page.locator("#knob-attack").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - 4 * (i + 1))
    page.mouse.up()
    _settle(page)
    assert _depth(page) == start + 2


def test_undo_history_survives_a_page_reload(page: Any) -> None:
    before = _server(page)
    box = page.locator("#grid").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    _settle(page)
    edited = _server(page)
    assert edited["undo"] == before["undo"] + 1
    page.reload()
    page.wait_for_function(READY, timeout=60_000)
    assert page.locator("#undo").is_enabled()
    page.locator("body").press("Control+z")
    _settle(page)
    assert _server(page)["pattern"]["hits"] == before["pattern"]["hits"]


# --- fits every screen -------------------------------------------------------------------------
SOUND_PANEL = ("#knob-brightness", "#knob-decay", "#knob-pitch", "#knob-attack", "#gain", "#pan", "#tune",
               "#classmap", "#audition")
IMPORTS = ("label.file:has(#import-file)", "#humanize", "#tap", "#sample-drop")  # js/imports.js's controls


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720)])
def test_pad_grid_and_sound_panel_fit_a_laptop_screen(page: Any, size: tuple[int, int]) -> None:
    w, h = size
    page.set_viewport_size({"width": w, "height": h})
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")
    for sel in ("#pad", "#grid", "#play", *SOUND_PANEL, *IMPORTS):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["width"] > 0, sel
        assert box["y"] >= 0 and box["y"] + box["height"] <= h, f"{sel} is below the fold at {w}x{h}: {box}"
        assert box["x"] + box["width"] <= w, f"{sel} is off the right edge at {w}x{h}"
    assert page.evaluate("document.documentElement.scrollWidth") <= w


def test_the_phone_layout_has_no_sideways_scroll_and_big_targets(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        small = page.evaluate("""() => [...document.querySelectorAll(
              'button, select, input, a.btn, label.file, ld-knob, summary')]
            .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
            .map(el => [el.id || el.textContent.trim().slice(0, 20), el.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && (r.width < 32 || r.height < 32))
            .map(([n, r]) => `${n} ${Math.round(r.width)}x${Math.round(r.height)}`)""")
        assert small == [], small
        cell = page.evaluate("window.__ld.grid.cellSize()")
        assert cell["width"] >= 16 and cell["height"] >= 24, cell
    finally:
        page.set_viewport_size({"width": 1400, "height": 900})


# --- feels like an instrument ------------------------------------------------------------------
def test_knobs_turn_up_and_down_fine_with_shift_and_reset_on_double_click(page: Any) -> None:
    knob = page.locator("#knob-pitch")
    knob.dblclick()
    page.wait_for_timeout(100)
    assert _value(page, "#knob-pitch") == pytest.approx(_attr(page, "#knob-pitch", "default"))
    box = knob.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def turn(dy: float, shift: bool = False) -> float:
        start = _value(page, "#knob-pitch")
        page.mouse.move(cx, cy)
        if shift:
            page.keyboard.down("Shift")
        page.mouse.down()
        page.mouse.move(cx, cy + dy / 2)
        page.mouse.move(cx, cy + dy)
        page.mouse.up()
        if shift:
            page.keyboard.up("Shift")
        return _value(page, "#knob-pitch") - start

    up = turn(-40)
    fine = turn(-40, shift=True)
    down = turn(40)
    assert up > 0.2 and down < -0.2
    assert fine == pytest.approx(up / 10, abs=0.01)
    _settle(page)
    voice = int(page.evaluate("window.__ld.state.voice"))
    assert _server(page)["voices"][voice]["knobs"]["pitch"] == pytest.approx(_value(page, "#knob-pitch"), abs=1e-3)


def test_grid_numbers_beats_and_bars_and_the_playhead_and_puck_follow_the_beat(page: Any) -> None:
    steps = int(page.evaluate("window.__ld.engine.pattern.steps"))
    labels = page.eval_on_selector_all("#grid-ruler span", "ss => ss.map(s => s.textContent)")
    assert labels[:16] == ["1", "", "", "", "2", "", "", "", "3", "", "", "", "4", "", "", ""]
    bars = page.eval_on_selector_all("#grid-ruler span.bar", "ss => ss.map(s => s.textContent)")
    assert bars == [f"{b + 1}" for b in range(steps // 16)]
    if not page.evaluate("window.__ld.engine.pattern.hits.flat().some(Boolean)"):
        box = page.locator("#grid").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 10)
    flashes = page.evaluate("window.__ld.pad.flashes")
    page.locator("body").press("Space")
    page.wait_for_function("document.querySelector('#playhead').offsetParent !== null", timeout=5_000)
    x0 = page.locator("#playhead").bounding_box()["x"]
    page.wait_for_function(f"document.querySelector('#playhead').getBoundingClientRect().x !== {x0}", timeout=5_000)
    page.wait_for_function(f"window.__ld.pad.flashes > {flashes}", timeout=5_000)
    page.locator("body").press("Space")
    page.wait_for_function("document.querySelector('#playhead').offsetParent === null", timeout=5_000)


def test_blend_mode_shows_each_corner_groove(page: Any) -> None:
    page.locator("#mode-blend").click()
    try:
        corners = _server(page)["corners"]
        drawn = page.eval_on_selector_all("canvas.preview",
                                          "cs => cs.map(c => [c.offsetWidth, Number(c.dataset.hits)])")
        assert len(drawn) == 4
        for (width, hits), corner in zip(drawn, corners, strict=True):
            assert width >= 40
            assert hits == sum(map(sum, corner["hits"]))
    finally:
        page.locator("#mode-map").click()


def test_question_mark_lists_the_shortcuts(page: Any) -> None:
    page.locator("body").press("?")
    help_box = page.locator("#help")
    help_box.wait_for(state="visible", timeout=2_000)
    text = help_box.inner_text()
    for words in ("Space", "Ctrl+Z", "Shift", "?"):
        assert words in text
    page.keyboard.press("Escape")
    help_box.wait_for(state="hidden", timeout=2_000)


# --- the connection ----------------------------------------------------------------------------
def test_input_while_the_server_is_down_is_shown_and_replayed(
    model_paths: tuple[Path, Path], tmp_path: Path, browser: Any
) -> None:
    need_browser()
    port, state = free_port(), tmp_path / "session.json"
    page = None
    try:
        with start_server(*model_paths, state, seed=0, port=port) as url:
            page = _open(browser, url)
            conn = page.locator("#conn")
            assert "connected" in conn.inner_text().lower()
            box = page.locator("#grid").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # one undo step
            _settle(page)
            before = _server(page)
        page.wait_for_function("document.querySelector('#conn').classList.contains('offline')", timeout=10_000)
        page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.2)  # made while down
        page.wait_for_function("/1 (change|edit)/.test(document.querySelector('#conn').textContent)", timeout=5_000)
        with start_server(*model_paths, state, seed=0, port=port):
            page.wait_for_function("document.querySelector('#conn').classList.contains('online')", timeout=30_000)
            _settle(page)
            after = _server(page)
            assert after["pattern"]["hits"] != before["pattern"]["hits"]  # the edit made while down landed
            assert after["undo"] == before["undo"] + 1  # ... and the history survived the restart
            page.locator("body").press("Control+z")
            _settle(page)
            assert _server(page)["pattern"]["hits"] == before["pattern"]["hits"]
    finally:
        if page is not None:
            page.close()
