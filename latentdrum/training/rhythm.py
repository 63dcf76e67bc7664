"""Training the groove VAE with Lightning, and turning the best weights into a self-describing checkpoint.

``train_rhythm`` is what ``latentdrum rhythm train`` calls. The Lightning module only wraps the
plain :class:`~latentdrum.models.rhythm.RhythmVAE` for training; everything that generates
works from the checkpoint alone (:class:`latentdrum.spaces.rhythm.RhythmSpace`).
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
from latentdrum.models.rhythm import (
    RhythmLossWeights,
    RhythmVAE,
    RhythmVAEConfig,
    kl_divergence,
    reconstruction_loss,
)
from latentdrum.models.rhythm_metrics import ReconstructionCounts
from latentdrum.patterns.dataset import PatternDataset, PatternDatasetConfig, build_pattern_dataset
from latentdrum.patterns.fills import FillWindows, splice_fills, window_fill_flags
from latentdrum.training.trainer import (
    TrainerOptions,
    TrainingClock,
    build_trainer,
    fit_and_keep_best,
    schedule_budget,
)
from latentdrum.training.windows import train_val_windows

CHECKPOINT_NAME = "rhythm.ckpt"


@dataclass(frozen=True)
class RhythmTrainConfig:
    """Optimisation settings. KL weight rises linearly from 0 to ``beta`` over ``anneal_steps``."""

    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-5
    beta: float = 0.05
    free_bits: float = 0.1
    anneal_steps: int = 3000
    style_dropout: float = 0.3
    velocity_weight: float = 1.0
    offset_weight: float = 1.0
    conditional: bool = True
    fills: bool = True  # learn fill flags where the data labels fill files
    fill_splices: int = 3  # windows per fill file and position (see latentdrum.patterns.fills)


class RhythmLightning(L.LightningModule):
    """Trains a :class:`RhythmVAE` (Lightning wraps the plain module for training only)."""

    def __init__(self, model: RhythmVAE, train_cfg: RhythmTrainConfig, clock: TrainingClock) -> None:
        super().__init__()
        self.model = model
        self.cfg = train_cfg
        self.clock = clock
        self.weights = RhythmLossWeights(train_cfg.velocity_weight, train_cfg.offset_weight)
        self._counts = ReconstructionCounts()

    def on_train_start(self) -> None:
        self.clock.start()

    def _beta(self) -> float:
        return self.cfg.beta * min(1.0, self.global_step / max(1, self.cfg.anneal_steps))

    def training_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> torch.Tensor:
        x, style, _, fill_in, fill_out, target = batch
        if self.cfg.style_dropout > 0:
            style = torch.where(torch.rand_like(style, dtype=torch.float) < self.cfg.style_dropout, 0, style)
        out, mu, logvar = self.model(x, style, fill_in, fill_out)
        rec = reconstruction_loss(out, target, self.weights)
        kl, kl_true = kl_divergence(mu, logvar, self.cfg.free_bits)
        loss = rec["recon"] + self._beta() * kl
        self.log_dict({"loss": loss, "kl": kl_true, "beta": self._beta()}, prog_bar=True, on_step=True, on_epoch=False)
        return loss

    def on_validation_epoch_start(self) -> None:
        self._counts = ReconstructionCounts()

    def validation_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> None:
        x, style, bpm, fill, _, _ = batch  # real windows only: input = target
        out, mu, logvar = self.model(x, style, fill)
        rec = reconstruction_loss(out, x, self.weights)
        _, kl_true = kl_divergence(mu, logvar)
        self._counts.update(out.to_pattern_tensor(), x, bpm)
        self.log("val_loss", rec["recon"] + self.cfg.beta * kl_true, prog_bar=True, batch_size=len(x))
        self.log("val_kl", kl_true, batch_size=len(x))

    def on_validation_epoch_end(self) -> None:
        m = self._counts.metrics()
        self.log_dict({f"val_{k}": v for k, v in m.items() if k in ("hit_f1", "velocity_mae", "timing_mae_ms")},
                      prog_bar=True)

    def configure_optimizers(self) -> Any:
        opt = torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self.clock.lr_factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def _tensors(ds: PatternDataset, idx: np.ndarray, spliced: FillWindows | None = None) -> TensorDataset:
    """(encoder input, style index (0 = any), bpm, input fill flags, target fill flags, target) of
    the real windows ``idx`` (input = target), plus ``spliced`` windows: the encoder reads the groove
    window a fill was spliced into, the decoder must play it with its fill (see train_rhythm)."""
    x, style, bpm = ds.windows[idx], ds.style[idx], ds.bpm[idx]
    flags = window_fill_flags(ds, idx)
    x_in, f_in, f_out, target = x, flags, flags, x
    if spliced is not None and len(spliced):
        style, bpm = np.concatenate([style, spliced.style]), np.concatenate([bpm, spliced.bpm])
        x_in = np.concatenate([x, spliced.sources])
        f_in = np.concatenate([flags, np.zeros_like(spliced.flags)])
        f_out = np.concatenate([flags, spliced.flags])
        target = np.concatenate([x, spliced.windows])
    return TensorDataset(
        torch.from_numpy(np.ascontiguousarray(x_in)),
        torch.from_numpy(style.astype(np.int64) + 1),
        torch.from_numpy(bpm),
        torch.from_numpy(np.ascontiguousarray(f_in)),
        torch.from_numpy(np.ascontiguousarray(f_out)),
        torch.from_numpy(np.ascontiguousarray(target)),
    )


@torch.inference_mode()
def calibrate_threshold(model: RhythmVAE, data: TensorDataset) -> float:
    """The hit-probability threshold with the best hit F1 on (training) windows, in 0.25..0.6."""
    x, style, _, fill, _, _ = data.tensors
    probs = torch.sigmoid(model(x, style, fill)[0].hit_logits)  # (N, T, V)
    hits = x[..., : model.config.voices] > 0.5
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.25, 0.61, 0.05):
        pred = probs >= t
        tp = float((pred & hits).sum())
        f1 = 2 * tp / max(float(pred.sum() + hits.sum()), 1.0)
        if f1 > best_f1:
            best, best_f1 = round(float(t), 2), f1
    return best


def train_rhythm(
    data_dir: str | Path,
    out_dir: str | Path,
    model_cfg: RhythmVAEConfig | None = None,
    train_cfg: RhythmTrainConfig | None = None,
    opts: TrainerOptions | None = None,
    data_cfg: PatternDatasetConfig | None = None,
    max_train_windows: int | None = None,
) -> Path:
    """Train a groove VAE on ``data_dir``'s train split and write ``out_dir/rhythm.ckpt``.

    The validation split (or, when the folder has none, 10% of train) is scored every epoch;
    the epoch with the best validation hit F1 is kept. Returns the checkpoint's path.
    """
    t0 = time.time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    train_cfg = train_cfg or RhythmTrainConfig()
    opts = opts or TrainerOptions()
    data_cfg = data_cfg or PatternDatasetConfig(bars=(model_cfg.bars if model_cfg else 2))
    ds = build_pattern_dataset(data_dir, data_cfg, progress=opts.progress)
    styles = ds.styles if train_cfg.conditional else ()
    base = model_cfg or RhythmVAEConfig()
    fills = train_cfg.fills and bool(ds.is_fill.any())
    model_cfg = RhythmVAEConfig(**{**asdict(base), "styles": styles, "steps": data_cfg.bars * 16, "fills": fills})

    train_idx, val_idx = train_val_windows(ds, opts.seed, max_train_windows, source=str(data_dir))
    if not train_cfg.conditional:
        ds.style[:] = -1

    L.seed_everything(opts.seed, workers=True, verbose=False)
    model = RhythmVAE(model_cfg)
    # Real fills inside real grooves (each fill bar after and before its session's groove bars).
    # The encoder reads the groove window without the fill and the decoder, told which bar is a
    # fill, must play it: so the fill flag itself carries the fill (the latent cannot, as it
    # would if the encoder saw the fill), and any groove's latent plays a fill when asked.
    spliced = splice_fills(ds, train_idx, train_cfg.fill_splices, opts.seed) if fills else None
    train_dl = DataLoader(_tensors(ds, train_idx, spliced), batch_size=train_cfg.batch_size, shuffle=True,
                          drop_last=True)
    val_dl = DataLoader(_tensors(ds, val_idx), batch_size=1024)
    module = RhythmLightning(model, train_cfg, TrainingClock(opts.max_epochs * len(train_dl), schedule_budget(opts)))
    # Kept by hit F1: the validation NLL is dominated by the fitted velocity/timing scales and
    # swings from epoch to epoch while F1 (the binding quality target) rises steadily.
    trainer = build_trainer(opts, out_dir, monitor="val_hit_f1", mode="max")
    fit_and_keep_best(trainer, module, train_dl, val_dl, opts)
    model = module.model.eval()
    threshold = calibrate_threshold(model, _tensors(ds, train_idx[: 4096]))
    counts = ReconstructionCounts()
    with torch.inference_mode():
        for x, style, bpm, fill, _, _ in val_dl:
            counts.update(model(x, style, fill)[0].to_pattern_tensor(threshold), x, bpm)
    metrics = counts.metrics() | {
        "hit_threshold": threshold,
        "epochs": trainer.current_epoch,
        "train_seconds": round(time.time() - t0, 1),
    }

    from latentdrum.spaces.rhythm_prior import build_space_extra

    extra = build_space_extra(model, ds, train_idx)
    summary = ds.summary() | {"train_windows_used": len(train_idx), "validation_windows": len(val_idx),
                              "spliced_fill_windows": len(spliced) if spliced is not None else 0}
    ckpt = Checkpoint(
        model_type="rhythm",
        config=config_to_dict(model_cfg),
        state_dict=model.state_dict(),
        data_summary=summary,
        metrics=metrics,
        extra=extra | {"hit_threshold": threshold, "train_config": asdict(train_cfg), "seed": opts.seed},
    )
    path = save_checkpoint(out_dir / CHECKPOINT_NAME, ckpt)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return path
