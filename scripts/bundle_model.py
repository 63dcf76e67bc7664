"""Copy a trained checkpoint into the package as its bundled default, stored in float16.

    python scripts/bundle_model.py runs/rhythm/rhythm.ckpt latentdrum/assets/rhythm.ckpt --type rhythm
"""

from __future__ import annotations

import argparse
from pathlib import Path

from latentdrum.models.checkpoint import load_checkpoint, save_checkpoint


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    p.add_argument("--type", required=True, choices=("rhythm", "sound", "groove", "transcriber"))
    args = p.parse_args()
    out = save_checkpoint(args.dst, load_checkpoint(args.src, args.type), half=True)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
