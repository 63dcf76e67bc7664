#!/usr/bin/env python
"""Screenshots of the web instrument for the README (headless Chromium), PNGs under 300 KB.

    python scripts/screenshots.py [--rhythm-model PATH] [--sound-model PATH] [--out docs]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latentdrum.evaluation.bench.web import launch, start_server


def shrink(path: Path, limit: int = 300_000) -> None:
    """Palette-quantise a PNG (dark UIs lose nothing visible) when it is over ``limit`` bytes."""
    from PIL import Image

    if path.stat().st_size <= limit:
        return
    img = Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=0)
    img.save(path, optimize=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rhythm-model", type=Path, default=None)
    ap.add_argument("--sound-model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("docs"))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, \
            start_server(a.rhythm_model, a.sound_model, Path(tmp) / "s.json", seed=5) as url, \
            launch(Path(tmp) / "profile") as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1360, "height": 900})
        page.goto(url)
        page.wait_for_function("window.__ld && window.__ld.ready && window.__ld.settled()", timeout=120_000)
        page.select_option("#style", "funk")
        page.wait_for_timeout(400)
        page.locator('#voice-tabs button[data-voice="1"]').click()
        page.wait_for_timeout(400)
        page.locator("body").press("Space")
        page.wait_for_timeout(1200)
        shots = [a.out / "web-instrument.png"]
        page.screenshot(path=str(shots[0]))
        page.locator("#mode-blend").click()
        box = page.locator("#pad").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.35)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.55, steps=8)
        page.mouse.up()
        page.wait_for_timeout(1500)
        shots.append(a.out / "web-blend.png")
        page.locator("main").screenshot(path=str(shots[1]))
        page.locator("body").press("Space")
    for s in shots:
        shrink(s)
        print(s, s.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
