"""The training-run flags every ``train`` command shares, read into a typed :class:`TrainerOptions`."""

from __future__ import annotations

import argparse
from pathlib import Path

from latentdrum.training.trainer import TrainerOptions


def add_trainer_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags that fill a :class:`TrainerOptions` to a CLI parser."""
    g = parser.add_argument_group("training run")
    g.add_argument("--epochs", type=int, default=None, help="maximum epochs (default: the model's own)")
    g.add_argument("--max-minutes", type=float, default=None, help="stop after this many minutes (time budget)")
    g.add_argument("--accelerator", default="cpu", help="cpu (default), gpu, mps, auto")
    g.add_argument("--devices", default="1", help="devices per node, e.g. 1, 4 or auto")
    g.add_argument("--num-nodes", type=int, default=1, help="nodes for multi-node DDP")
    g.add_argument("--strategy", default="auto", help="Lightning strategy, e.g. ddp")
    g.add_argument("--precision", default="32-true", help="Lightning precision, e.g. bf16-mixed on GPUs")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--resume", type=Path, default=None, help="resume from this last.ckpt of an earlier run")
    g.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


def trainer_options_from_args(args: argparse.Namespace, default_epochs: int) -> TrainerOptions:
    devices: int | str = int(args.devices) if str(args.devices).isdigit() else args.devices
    return TrainerOptions(
        max_epochs=args.epochs if args.epochs is not None else default_epochs,
        max_minutes=args.max_minutes,
        accelerator=args.accelerator,
        devices=devices,
        num_nodes=args.num_nodes,
        strategy=args.strategy,
        precision=args.precision,
        seed=args.seed,
        resume=args.resume,
        progress=not args.no_progress,
        threads=args.threads,
    )
