"""``latentdrum bench``: the speed numbers the issues set targets for, as JSON."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

# Each module has run() -> dict.
PARTS = {
    "rhythm": "latentdrum.evaluation.bench.rhythm",
    "sound": "latentdrum.evaluation.bench.sound",
    "render": "latentdrum.evaluation.bench.render",
    "instrument": "latentdrum.evaluation.bench.instrument",
    "web": "latentdrum.evaluation.bench.web",  # headless Chromium: only with --web or --only web
    "load": "latentdrum.evaluation.bench.load",  # 20 clients x 60 moves/s for 20 s: only with --only load
}
DEFAULT_PARTS = ("rhythm", "sound", "render", "instrument")


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure decode, synthesis and render speed; print JSON",
                       description="Speed of everything a player touches, on one CPU thread where the "
                       "targets say so. Prints one JSON object; nothing is asserted.")
    p.add_argument("--only", choices=sorted(PARTS), action="append", help="run only these parts (repeatable)")
    p.add_argument("--rhythm-model", type=Path, default=None, help="rhythm checkpoint (default: bundled)")
    p.add_argument("--sound-model", type=Path, default=None, help="sound checkpoint (default: bundled)")
    p.add_argument("--web", action="store_true",
                   help="also measure the web page in headless Chromium (drag -> grid, knob -> sound)")
    p.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    results: dict[str, Any] = {}
    parts = list(args.only or DEFAULT_PARTS) + (["web"] if args.web and "web" not in (args.only or ()) else [])
    for name in parts:
        module = importlib.import_module(PARTS[name])
        if name == "rhythm":
            results[name] = module.run(args.rhythm_model)
        elif name == "sound":
            results[name] = module.run(args.sound_model)
        elif name in ("instrument", "web", "load"):
            results[name] = module.run(args.rhythm_model, args.sound_model)
        else:
            results[name] = module.run()
    print(json.dumps(results, indent=2))
    return 0
