"""Lightning trainer options shared by the rhythm and sound models.

CPU by default; accelerator, devices, nodes and strategy pass straight through, so the same
command trains with DDP on a GPU cluster (``--accelerator gpu --devices 4 --strategy ddp``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TrainerOptions:
    """How to run training, independent of what is trained."""

    max_epochs: int = 100
    max_minutes: float | None = None
    accelerator: str = "cpu"
    devices: int | str = 1
    num_nodes: int = 1
    strategy: str = "auto"
    precision: str = "32-true"
    seed: int = 0
    resume: Path | None = None
    progress: bool = True
    threads: int | None = None


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


class TrainingClock:
    """How far a run is, by optimizer steps or by its wall-clock budget, whichever is further along,
    and the learning-rate factor that follows it (linear warm-up over the first 5 %, then a cosine
    to 5 % of the base rate at the end of the run or of the budget)."""

    def __init__(self, total_steps: int, max_seconds: float | None = None) -> None:
        self.total_steps = max(1, total_steps)
        self.max_seconds = max_seconds
        self._start = time.monotonic()

    def start(self) -> None:
        self._start = time.monotonic()

    def progress(self, step: int) -> float:
        by_steps = step / self.total_steps
        by_time = (time.monotonic() - self._start) / self.max_seconds if self.max_seconds else 0.0
        return min(1.0, max(by_steps, by_time))

    def lr_factor(self, step: int) -> float:
        warmup = max(1, self.total_steps // 20)
        cosine = 0.5 * (1 + math.cos(math.pi * self.progress(step)))
        return min(1.0, (step + 1) / warmup) * (0.05 + 0.95 * cosine)


def schedule_budget(opts: TrainerOptions) -> float | None:
    """Seconds the learning-rate schedule plans for: the time budget less a little for the last
    validation and the checkpoint."""
    return opts.max_minutes * 60 * 0.97 if opts.max_minutes else None


def _epoch_printer() -> Any:
    """A callback printing one line of validation metrics per epoch (the log form of the progress bar)."""
    from lightning.pytorch.callbacks import LambdaCallback

    def on_validation_epoch_end(trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        vals = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val")}
        line = "  ".join(f"{k} {v:.4g}" for k, v in sorted(vals.items()))
        print(f"epoch {trainer.current_epoch}: {line}", flush=True)

    return LambdaCallback(on_validation_epoch_end=on_validation_epoch_end)


def build_trainer(
    opts: TrainerOptions, run_dir: Path, monitor: str, mode: str = "min", callbacks: list[Any] | None = None
) -> Any:
    """A Lightning Trainer that keeps the best (by ``monitor`` and ``mode``) and the last checkpoint."""
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint

    if opts.threads:
        torch.set_num_threads(opts.threads)
    L.seed_everything(opts.seed, workers=True, verbose=False)
    ckpt_cb = ModelCheckpoint(
        dirpath=run_dir / "lightning",
        filename="best",
        monitor=monitor,
        mode=mode,
        save_last=True,
    )
    max_time = _dt.timedelta(minutes=opts.max_minutes) if opts.max_minutes else None
    return L.Trainer(
        max_epochs=opts.max_epochs,
        max_time=max_time,
        accelerator=opts.accelerator,
        devices=opts.devices,
        num_nodes=opts.num_nodes,
        strategy=opts.strategy,
        precision=opts.precision,  # type: ignore[arg-type]
        default_root_dir=run_dir,
        callbacks=[ckpt_cb, *([] if opts.progress else [_epoch_printer()]), *(callbacks or [])],
        enable_progress_bar=opts.progress,
        logger=False,
        enable_model_summary=False,
        deterministic=False,
        num_sanity_val_steps=0,
    )
