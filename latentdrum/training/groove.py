"""Training the groove model (humanize or drumify) on a MIDI folder, with Lightning.

The training pairs are made on the fly from real windows by the dataset's own inverse
transformations (:mod:`latentdrum.patterns.transforms`): a window's score (humanize) or its taps
(drumify) in, the window itself out. For drumify, a third of the tap rhythms lose their dynamics
(every tap at one velocity), as taps from a computer keyboard have none.

``train_groove`` is what ``latentdrum rhythm train-groove`` calls; it writes a self-describing
checkpoint (``model_type="groove"``) that :class:`latentdrum.spaces.groove.GrooveSpace` loads.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.groove import GrooveConfig, GrooveNet, groove_loss
from latentdrum.patterns.dataset import PatternDataset, PatternDatasetConfig, build_pattern_dataset
from latentdrum.patterns.transforms import FLAT_VELOCITY, quantize, tapify
from latentdrum.training.trainer import (
    TrainerOptions,
    TrainingClock,
    build_trainer,
    fit_and_keep_best,
    schedule_budget,
)
from latentdrum.training.windows import train_val_windows


@dataclass(frozen=True)
class GrooveTrainConfig:
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 1e-5
    style_dropout: float = 0.3
    flat_tap_fraction: float = 0.33


def model_input(task: str, windows: np.ndarray, flat: np.ndarray | None = None) -> np.ndarray:
    """Real windows ``(B, T, 3V)`` -> the model's input ``(B, T, C_in)`` for ``task``.

    ``flat`` ``(B,)`` bool marks drumify windows whose taps are all given one velocity.
    """
    v = windows.shape[-1] // 3
    if task == "humanize":
        return quantize(windows)[..., :v]
    taps = tapify(windows)
    if flat is not None:
        taps[flat, :, 1] = taps[flat, :, 0] * FLAT_VELOCITY
    return taps


class GrooveLightning(L.LightningModule):
    """Trains a :class:`GrooveNet` (Lightning wraps the plain module for training only)."""

    def __init__(self, model: GrooveNet, cfg: GrooveTrainConfig, clock: TrainingClock) -> None:
        super().__init__()
        self.model = model
        self.cfg = cfg
        self.clock = clock

    def on_train_start(self) -> None:
        self.clock.start()

    def _inputs(self, target: torch.Tensor, train: bool) -> torch.Tensor:
        task = self.model.config.task
        flat = None
        if task == "drumify":
            rng = np.random.default_rng() if train else np.random.default_rng(0)
            flat = rng.random(len(target)) < self.cfg.flat_tap_fraction
        return torch.from_numpy(model_input(task, target.numpy(), flat))

    def training_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> torch.Tensor:
        target, bpm, style = batch
        if self.cfg.style_dropout > 0:
            style = torch.where(torch.rand(style.shape) < self.cfg.style_dropout, 0, style)
        out = self.model(self._inputs(target, True), bpm, style)
        loss = groove_loss(out, target, bpm, self.model.config.task)["loss"]
        self.log("loss", loss, prog_bar=True, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> None:
        target, bpm, style = batch
        out = self.model(self._inputs(target, False), bpm, style)
        losses = groove_loss(out, target, bpm, self.model.config.task)
        v = self.model.config.voices
        hits = target[..., :v]
        n = hits.sum().clamp_min(1)
        step_ms = 60_000.0 / bpm / 4  # (B,)
        timing = ((out.offsets - target[..., 2 * v :]).abs() * hits * step_ms[:, None, None]).sum() / n
        vel = ((out.velocities - target[..., v : 2 * v]).abs() * hits).sum() / n
        self.log_dict({"val_loss": losses["loss"], "val_timing_mae_ms": timing, "val_velocity_mae": vel},
                      prog_bar=True, batch_size=len(target))

    def configure_optimizers(self) -> Any:
        opt = torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self.clock.lr_factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def _tensors(ds: PatternDataset, idx: np.ndarray) -> TensorDataset:
    return TensorDataset(
        torch.from_numpy(ds.windows[idx]),
        torch.from_numpy(ds.bpm[idx]),
        torch.from_numpy(ds.style[idx].astype(np.int64) + 1),
    )


@torch.inference_mode()
def calibrate_thresholds(model: GrooveNet, ds: PatternDataset, idx: np.ndarray) -> list[float]:
    """Per voice, the hit-probability threshold (0.1..0.6) with the best hit F1 on tapped steps
    of windows ``idx``: rare drums (toms, crash) are rarely above 0.5 yet are right when likely."""
    target = ds.windows[idx]
    taps = model_input("drumify", target)
    style = torch.from_numpy(ds.style[idx].astype(np.int64) + 1)
    out = model(torch.from_numpy(taps), torch.from_numpy(ds.bpm[idx]), style)
    probs = torch.sigmoid(out.hit_logits).numpy()
    real = target[..., : model.config.voices] > 0.5
    best: list[float] = []
    for v in range(model.config.voices):
        scores = {}
        for t in np.arange(0.1, 0.61, 0.05):
            pred = (probs[..., v] >= t) & (taps[..., 0] > 0.5)
            scores[round(float(t), 2)] = 2 * float((pred & real[..., v]).sum()) / max(
                float(pred.sum() + real[..., v].sum()), 1.0)
        best.append(max(scores, key=lambda k: scores[k]))
    return best


def train_groove(
    data_dir: str | Path,
    out_dir: str | Path,
    model_cfg: GrooveConfig,
    train_cfg: GrooveTrainConfig | None = None,
    opts: TrainerOptions | None = None,
    max_train_windows: int | None = None,
) -> Path:
    """Train ``model_cfg.task`` on ``data_dir``'s train split; write ``out_dir/<task>.ckpt``.

    Validation windows (the folder's validation split, else 10 % of train) pick the best epoch
    by validation loss. Returns the checkpoint's path.
    """
    t0 = time.time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    train_cfg = train_cfg or GrooveTrainConfig()
    opts = opts or TrainerOptions()
    ds = build_pattern_dataset(data_dir, PatternDatasetConfig(bars=model_cfg.steps // 16), progress=opts.progress)
    model_cfg = GrooveConfig(**{**asdict(model_cfg), "styles": ds.styles})
    train_idx, val_idx = train_val_windows(ds, opts.seed, max_train_windows, source=str(data_dir))

    L.seed_everything(opts.seed, workers=True, verbose=False)
    model = GrooveNet(model_cfg)
    train_dl = DataLoader(_tensors(ds, train_idx), batch_size=train_cfg.batch_size, shuffle=True, drop_last=True)
    val_dl = DataLoader(_tensors(ds, val_idx), batch_size=1024)
    module = GrooveLightning(model, train_cfg, TrainingClock(opts.max_epochs * len(train_dl), schedule_budget(opts)))
    trainer = build_trainer(opts, out_dir, monitor="val_loss", mode="min")
    fit_and_keep_best(trainer, module, train_dl, val_dl, opts)
    model = module.model.eval()
    extra: dict[str, Any] = {"train_config": asdict(train_cfg), "seed": opts.seed}
    if model_cfg.task == "drumify":
        extra["hit_thresholds"] = torch.tensor(calibrate_thresholds(model, ds, train_idx[:4096]))
    metrics = {k: round(float(v), 4) for k, v in trainer.callback_metrics.items() if k.startswith("val")}
    metrics |= {"epochs": trainer.current_epoch, "train_seconds": round(time.time() - t0, 1)}
    summary = ds.summary() | {"train_windows_used": len(train_idx), "validation_windows": len(val_idx)}
    ckpt = Checkpoint(
        model_type="groove",
        config=config_to_dict(model_cfg),
        state_dict=model.state_dict(),
        data_summary=summary,
        metrics=metrics,
        extra=extra,
    )
    path = save_checkpoint(out_dir / f"{model_cfg.task}.ckpt", ckpt)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return path
