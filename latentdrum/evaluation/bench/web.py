"""Latency of the web instrument measured in a real browser (headless Chromium via Playwright).

:func:`run` starts ``latentdrum serve`` on a free loopback port, opens the page in Debian's
Chromium and measures, with the page's own clock (``performance.now()``):

- **drag -> grid drawn**: from a pointer event on the XY pad (real mouse input sent by
  Playwright; the page listens to ``pointerrawupdate``, which Chromium dispatches at once rather
  than at the next frame) to the end of drawing the new pattern into the step grid canvas (the
  screen shows it at the following frame);
- **knob -> sound playable**: from a key press on a sound knob (ArrowRight: a real input
  event) to the new one-shot installed as an ``AudioBuffer`` in the page's audio engine.

Returns p50/p95/max in ms and how many of each were measured. Helpers here are shared with the
browser tests (:func:`chromium_path`, :func:`start_server`, :func:`launch`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str | None:
    """Debian's Chromium (``$LATENTDRUM_CHROMIUM`` overrides), or None when there is none."""
    for c in (os.environ.get("LATENTDRUM_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if c and Path(c).is_file():
            return c
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def start_server(
    rhythm_model: str | Path | None, sound_model: str | Path | None, state: Path, seed: int = 0,
    port: int | None = None,
) -> Iterator[str]:
    """Run ``latentdrum serve`` in a subprocess on ``port`` (None: a free one); yields its URL."""
    with serving(rhythm_model, sound_model, state, seed, port) as (url, _):
        yield url


@contextlib.contextmanager
def serving(
    rhythm_model: str | Path | None, sound_model: str | Path | None, state: Path, seed: int = 0,
    port: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`start_server`, yielding the server process too (its memory is measured under load)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "latentdrum", "serve", "--port", str(port), "--state", str(state),
           "--seed", str(seed)]
    if rhythm_model:
        cmd += ["--rhythm-model", str(rhythm_model)]
    if sound_model:
        cmd += ["--sound-model", str(sound_model)]
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"latentdrum serve exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(url + "api/state", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("latentdrum serve did not answer within 120 s") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def launch(profile: Path) -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``) with a fresh profile folder."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found (install Debian's chromium: apt-get install chromium)")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=path, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900}, accept_downloads=True,
        )
        try:
            yield ctx
        finally:
            ctx.close()


def _stats(xs: list[float]) -> dict[str, Any]:
    if not xs:
        return {"n": 0}
    a = np.asarray(xs)
    return {"n": len(xs), "p50_ms": round(float(np.percentile(a, 50)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1), "max_ms": round(float(a.max()), 1)}


def run(rhythm_model: str | Path | None = None, sound_model: str | Path | None = None, repeats: int = 60,
        screenshot: Path | None = None) -> dict[str, Any]:
    """Measure drag -> grid and knob -> sound in headless Chromium; see the module docstring."""
    with tempfile.TemporaryDirectory() as tmp, start_server(rhythm_model, sound_model, Path(tmp) / "s.json") as url, \
            launch(Path(tmp) / "profile") as ctx:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9", timeout=120_000)
        page.evaluate("window.__ld.engine.ensure()")
        # Steady state: every voice's full layers and variations decoded (after a new kit the
        # server spends about a second on them, and a drag in that second shares the CPU).
        page.wait_for_function("window.__ld.settled()", timeout=120_000)
        box = page.locator("#pad").bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        rng = np.random.default_rng(0)
        page.mouse.move(cx, cy)
        page.mouse.down()
        for _ in range(repeats):
            dx, dy = rng.uniform(-0.35, 0.35, 2) * box["width"]
            page.mouse.move(cx + dx, cy + dy)
            page.wait_for_timeout(60)  # a hand drags at ~15-60 events/s
        page.mouse.up()
        page.wait_for_timeout(300)
        knob = page.locator("#knob-brightness")
        for i in range(repeats):
            knob.focus()
            page.keyboard.press("ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft")
            page.wait_for_function(f"window.__ld.latency.knob.length >= {i + 1}", timeout=30_000)
            page.wait_for_timeout(50)
        lat = page.evaluate("window.__ld.latency")
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
        server_state = page.evaluate("fetch('/api/state').then(r => r.json()).then(s => s.sound_model_id)")
    return {
        "drag_to_grid_drawn": _stats(lat["drag"]) | {"target_p95_ms": 30.0},
        "knob_to_sound_playable": _stats(lat["knob"]) | {"target_p95_ms": 50.0},
        "server_ms_per_pad_move": _stats(lat["server"]),
        "browser": chromium_path(),
        "sound_model_id": server_state,
        "definition": "page clock: input event timeStamp -> grid canvas drawn / new AudioBuffer installed",
    }
