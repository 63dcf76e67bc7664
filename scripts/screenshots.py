#!/usr/bin/env python
"""Screenshots of the web instrument (headless Chromium), PNGs under 300 KB.

    python scripts/screenshots.py [--rhythm-model PATH] [--sound-model PATH] [--out docs]

Writes OUT/web-instrument.png and OUT/web-blend.png (the README's) and, for the three screens
the page is laid out for, OUT/screenshots/1440x900.png, 1280x720.png and 390x844.png (the
viewport only: what a player sees without scrolling; the phone also as 390x844-full.png).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latentdrum.evaluation.bench.web import launch, start_server

SIZES = ((1440, 900), (1280, 720), (390, 844))
READY = "window.__ld && window.__ld.ready && window.__ld.settled()"


def shrink(path: Path, limit: int = 300_000) -> None:
    """Palette-quantise a PNG (dark UIs lose nothing visible) when it is over ``limit`` bytes."""
    from PIL import Image

    if path.stat().st_size <= limit:
        return
    img = Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=0)
    img.save(path, optimize=True)


def _playing(page: Any, seconds: float = 1.2) -> None:
    page.locator("body").press("Space")
    page.wait_for_timeout(int(seconds * 1000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rhythm-model", type=Path, default=None)
    ap.add_argument("--sound-model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("docs"))
    a = ap.parse_args()
    (a.out / "screenshots").mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory() as tmp, \
            start_server(a.rhythm_model, a.sound_model, Path(tmp) / "s.json", seed=5) as url, \
            launch(Path(tmp) / "profile") as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(url)
        page.wait_for_function(READY, timeout=120_000)
        page.select_option("#style", "funk")
        page.wait_for_timeout(400)
        page.locator('#voice-tabs button[data-voice="1"]').click()
        page.locator("body").click(position={"x": 2, "y": 2})
        page.wait_for_timeout(400)
        _playing(page)
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            page.wait_for_timeout(700)
            shots.append(a.out / "screenshots" / f"{w}x{h}.png")
            page.screenshot(path=str(shots[-1]))
        shots.append(a.out / "screenshots" / "390x844-full.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.wait_for_timeout(500)
        shots.append(a.out / "web-instrument.png")
        page.screenshot(path=str(shots[-1]))
        page.locator("#mode-blend").click()
        box = page.locator("#pad").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.35)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.55, steps=8)
        page.mouse.up()
        page.wait_for_timeout(1500)
        shots.append(a.out / "web-blend.png")
        page.locator("main").screenshot(path=str(shots[-1]))
        page.locator("body").press("Space")
        errors = page.evaluate("window.__ld.errors")
    for s in shots:
        shrink(s)
        print(s, s.stat().st_size, "bytes")
    if errors:
        print("page errors:", errors)


if __name__ == "__main__":
    main()
