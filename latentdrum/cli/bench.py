"""``latentdrum bench``: the speed numbers the issues set targets for, as JSON."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

# Each module has run() -> dict.
PARTS = {
    "rhythm": "latentdrum.evaluation.rhythm_bench",
    "sound": "latentdrum.evaluation.sound_bench",
    "render": "latentdrum.evaluation.render_bench",
}


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure decode, synthesis and render speed; print JSON",
                       description="Speed of everything a player touches, on one CPU thread where the "
                       "targets say so. Prints one JSON object; nothing is asserted.")
    p.add_argument("--only", choices=sorted(PARTS), action="append", help="run only these parts (repeatable)")
    p.add_argument("--rhythm-model", type=Path, default=None, help="rhythm checkpoint (default: bundled)")
    p.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    results: dict[str, Any] = {}
    for name in args.only or list(PARTS):
        module = importlib.import_module(PARTS[name])
        results[name] = module.run(args.rhythm_model) if name == "rhythm" else module.run()
    print(json.dumps(results, indent=2))
    return 0
