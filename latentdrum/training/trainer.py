"""Lightning trainer options shared by the rhythm and sound models.

CPU by default; accelerator, devices, nodes and strategy pass straight through, so the same
command trains with DDP on a GPU cluster (``--accelerator gpu --devices 4 --strategy ddp``).
"""

from __future__ import annotations

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
    """A callback printing one line of metrics per epoch (the log form of the progress bar).

    It prints at the end of the training epoch, which Lightning calls after that epoch's
    validation has run and been logged: at validation's own end hook the metrics of the epoch
    are not aggregated yet, and each line printed the previous epoch's numbers.
    """
    from lightning.pytorch.callbacks import LambdaCallback

    def on_train_epoch_end(trainer: Any, pl_module: Any) -> None:
        vals = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith(("val", "train"))}
        line = "  ".join(f"{k} {v:.4g}" for k, v in sorted(vals.items()))
        print(f"epoch {trainer.current_epoch}: {line}", flush=True)

    return LambdaCallback(on_train_epoch_end=on_train_epoch_end)


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


def fit_and_keep_best(trainer: Any, module: Any, train_loader: Any, val_loader: Any, opts: TrainerOptions) -> bool:
    """Fit ``module`` (resuming from ``opts.resume`` if set), then load the weights of its best
    epoch by the trainer's monitored metric, not merely the last one. Returns whether a best
    checkpoint was found."""
    import torch

    trainer.fit(module, train_loader, val_loader, ckpt_path=str(opts.resume) if opts.resume else None)
    best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
    if best:
        module.load_state_dict(torch.load(best, map_location="cpu", weights_only=False)["state_dict"])
    return bool(best)
