#!/usr/bin/env python
"""Latency of the web instrument in headless Chromium; prints JSON.

    python scripts/bench_web.py [--rhythm-model PATH] [--sound-model PATH] [--repeats N] [--screenshot OUT.png]

Same as ``latentdrum bench --web`` (see latentdrum/web/bench.py for what is measured and how).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latentdrum.evaluation.bench.web import run

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rhythm-model", type=Path, default=None)
    ap.add_argument("--sound-model", type=Path, default=None)
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--screenshot", type=Path, default=None)
    a = ap.parse_args()
    print(json.dumps(run(a.rhythm_model, a.sound_model, a.repeats, a.screenshot), indent=2))
