"""The ``latentdrum`` command: a thin argparse front over the library.

Each sub-module of this package registers one command group and imports its heavy
dependencies (torch, the models) only inside the function that runs, so ``--help`` is instant.
Errors the user caused (:class:`~latentdrum.errors.LatentDrumError`) print as one line and
exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from latentdrum.errors import LatentDrumError

# Command groups, in the order --help lists them. Each module defines register(subparsers).
COMMAND_MODULES = ("data", "rhythm", "sound", "instrument", "export", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="latentdrum",
        description="A neural drum machine you can play: groove and drum-sound VAEs, trained on your own data.",
    )
    from latentdrum import __version__

    parser.add_argument("--version", action="version", version=f"latentdrum {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"latentdrum.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except LatentDrumError as exc:
        print(f"latentdrum: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        return 0
    except KeyboardInterrupt:
        print("latentdrum: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
