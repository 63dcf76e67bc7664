"""Training the sound VAE with Lightning, and writing a self-describing sound checkpoint.

``train_sound(data_dir, out_dir, ...)``: build the dataset, hold out whole kits, train, then
*calibrate the space* from the training sounds (posterior means per class, a Gaussian per class
to sample from, a 2D PCA map, the intensity direction, knob ranges from the class's measured
descriptors) and save everything in ``OUT/sound.ckpt`` (see :mod:`latentdrum.spaces.sound`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch

from latentdrum.errors import ConfigError, DatasetError
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, load_checkpoint, save_checkpoint
from latentdrum.models.sound import SoundVAE, SoundVAEConfig, control_frames, frame_level
from latentdrum.sounds import spectral
from latentdrum.sounds.dataset import SoundDataset, build_sound_dataset
from latentdrum.spaces.sound import SoundSpace
from latentdrum.training.sound_calibration import calibrate_space
from latentdrum.training.trainer import (
    TrainerOptions,
    TrainingClock,
    build_trainer,
    fit_and_keep_best,
    schedule_budget,
)

# Kits of ../shared/data/samples held out by default: two vintage drum machines, a digital one and
# an acoustic kit, covering 10 of the 13 classes. The bundled model never sees them.
DEFAULT_HOLDOUT = ("oramics/CR-78", "oramics/MRK-2", "oramics/TR-505", "oramics/pearl-master-studio")
DEFAULT_EPOCHS = 400


@dataclass(frozen=True)
class SoundTrainConfig:
    """Optimisation settings (the model's sizes are in :class:`SoundVAEConfig`)."""

    batch_size: int = 32
    lr: float = 2e-3
    kl_weight: float = 0.005  # per latent dimension, relative to the mean L1 (nats) per value
    envelope_weight: float = 1.0  # weight of each frame's overall level error (attack and decay) beside the L1
    kl_warmup: float = 0.2  # fraction of the run (steps or time budget) over which the KL weight ramps from 0
    gain_jitter_db: float = 4.0  # random gain per training example, +- dB
    warp_semitones: float = 1.0  # random pitch, +- semitones (frequency axis scaled)
    warp_time: float = 0.3  # random time stretch after the onset, +- octaves (decay-like augmentation)
    val_fraction: float = 0.08  # of the training kits' files, by a fixed hash of the path
    holdout_kits: tuple[str, ...] = DEFAULT_HOLDOUT

    def __post_init__(self) -> None:
        if (self.batch_size < 1 or self.lr <= 0 or self.kl_weight < 0 or self.envelope_weight < 0
                or not 0 <= self.val_fraction < 1):
            raise ConfigError(f"invalid sound training settings: {self}")


def _hash01(text: str) -> float:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def split_dataset(ds: SoundDataset, holdout_kits: Sequence[str], val_fraction: float) -> dict[str, np.ndarray]:
    """Indices of ``train``, ``val`` (files of training kits, by hash) and ``heldout`` (whole kits)."""
    held = ds.kit_indices(holdout_kits, inside=True)
    rest = ds.kit_indices(holdout_kits, inside=False)
    is_val = np.array([_hash01(ds.files[i]) < val_fraction for i in rest], dtype=bool)
    return {"train": rest[~is_val], "val": rest[is_val], "heldout": held}


def control_features(model: SoundVAE, audio: np.ndarray, chunk: int = 32) -> np.ndarray:
    """``(N, L)`` one-shots -> ``(N, K, F)`` float32 control frames of their log magnitudes
    (chunked: the full spectrograms of a whole dataset would take gigabytes)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(audio), chunk):
            out.append(model.control(torch.from_numpy(spectral.log_magnitude(audio[i : i + chunk]))).numpy())
    return np.concatenate(out)


def vae_loss(model: SoundVAE, x: torch.Tensor, cls: torch.Tensor, kl_weight: float,
             envelope_weight: float = 0.0) -> dict[str, torch.Tensor]:
    """``x (B, K, F)`` control frames: mean L1 (nats) + ``envelope_weight`` x the mean L1 of each
    frame's overall level (:func:`~latentdrum.models.sound.frame_level`: the per-bin L1 weighs a
    kick's few loud bins like its hundreds of quiet ones, so decays drift) + ``kl_weight`` x KL
    per latent dimension."""
    recon, mu, logvar = model(x, cls)
    l1 = (recon - x).abs().mean()
    env = (frame_level(recon) - frame_level(x)).abs().mean()
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1).mean() / mu.shape[1]
    return {"loss": l1 + envelope_weight * env + kl_weight * kl, "l1": l1, "envelope": env, "kl": kl}


def augment(x: torch.Tensor, positions: np.ndarray, semitones: float, octaves: float, floor: float) -> torch.Tensor:
    """Randomly pitch ``x (B, K, F)`` control frames by up to +-``semitones`` (the frequency axis
    scaled: partials keep their ratios) and stretch time after the onset by up to +-``octaves``
    (a drum a little higher or longer is still a drum). ``positions (K,)``: the control frames'
    positions in frames."""
    b, k, f = x.shape
    ratio = 2.0 ** ((torch.rand(b, 1, 1) * 2 - 1) * semitones / 12.0)
    stretch = 2.0 ** ((np.random.rand(b, 1) * 2 - 1) * octaves)
    src = np.where(positions <= 2, positions, 2 + (positions - 2) / stretch)  # (B, K) source frames
    at = np.stack([np.interp(row, positions, np.arange(k)) for row in src])  # as control indices
    src_k = torch.from_numpy(at.astype(np.float32)).unsqueeze(-1).expand(b, k, f)
    src_f = (torch.arange(f, dtype=x.dtype).view(1, 1, f) / ratio).expand(b, k, f)
    grid = torch.stack([src_f / (f - 1) * 2 - 1, src_k / (k - 1) * 2 - 1], dim=-1)  # (B, K, F, 2): (x=F, y=K)
    out = torch.nn.functional.grid_sample(x.unsqueeze(1), grid, mode="bilinear", padding_mode="border",
                                          align_corners=True).squeeze(1)
    past_end = torch.from_numpy(src > positions[-1]).unsqueeze(-1).expand(b, k, f)  # shortened: silence after
    return torch.where(past_end | (src_f > f - 1), torch.full_like(out, floor), out)


class SoundLightning(L.LightningModule):
    """Trains a :class:`SoundVAE` on control frames (Lightning wraps the plain module for training only)."""

    def __init__(self, model: SoundVAE, cfg: SoundTrainConfig, clock: TrainingClock) -> None:
        super().__init__()
        self.model = model
        self.cfg = cfg
        self.clock = clock
        self.positions = control_frames(model.config.n_frames, model.config.n_control)

    def on_train_start(self) -> None:
        self.clock.start()

    def _kl_weight(self) -> float:
        return self.cfg.kl_weight * min(1.0, self.clock.progress(self.global_step) / max(self.cfg.kl_warmup, 1e-6))

    def training_step(self, batch: Any, _: int) -> torch.Tensor:
        x, cls = batch
        cfg, floor = self.cfg, self.model.config.log_floor
        if cfg.gain_jitter_db > 0:  # a louder or softer copy is the same sound
            gain = (torch.rand(x.shape[0], 1, 1) * 2 - 1) * cfg.gain_jitter_db / 20 * np.log(10)
            x = torch.where(x > floor + 1e-3, (x + gain).clamp_min(floor), x)
        if cfg.warp_semitones > 0 or cfg.warp_time > 0:
            x = augment(x, self.positions, cfg.warp_semitones, cfg.warp_time, floor)
        out = vae_loss(self.model, x, cls, self._kl_weight(), cfg.envelope_weight)
        self.log_dict({"train_loss": out["loss"], "train_l1": out["l1"], "train_envelope": out["envelope"],
                       "kl": out["kl"]},
                      prog_bar=True, on_epoch=True, on_step=False, batch_size=x.shape[0])
        return out["loss"]

    def validation_step(self, batch: Any, _: int) -> None:
        x, cls = batch
        out = vae_loss(self.model, x, cls, self.cfg.kl_weight, self.cfg.envelope_weight)
        self.log_dict({"val_l1": out["l1"], "val_envelope": out["envelope"], "val_loss": out["loss"]},
                      prog_bar=True, batch_size=x.shape[0])

    def configure_optimizers(self) -> Any:
        opt = torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self.clock.lr_factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def _loader(x: np.ndarray, cls: np.ndarray, batch: int, shuffle: bool) -> Any:
    from torch.utils.data import DataLoader, TensorDataset

    data = TensorDataset(torch.from_numpy(x), torch.from_numpy(cls.astype(np.int64)))
    return DataLoader(data, batch_size=batch, shuffle=shuffle, drop_last=False)


def train_sound(
    data_dir: str | Path,
    out_dir: str | Path,
    model_config: SoundVAEConfig | None = None,
    train_config: SoundTrainConfig | None = None,
    trainer: TrainerOptions | None = None,
    progress: bool = True,
) -> Path:
    """Train a sound VAE on ``data_dir`` and write ``out_dir/sound.ckpt``; returns its path.

    Raises:
        DatasetError: the folder gives no usable sound, or nothing is left to train on.
    """
    model_config = model_config or SoundVAEConfig()
    cfg = train_config or SoundTrainConfig()
    opts = trainer or TrainerOptions(max_epochs=DEFAULT_EPOCHS)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ds = build_sound_dataset(data_dir, progress=progress)
    split = split_dataset(ds, cfg.holdout_kits, cfg.val_fraction)
    if len(split["train"]) == 0:
        raise DatasetError(f"no training sound left in {data_dir} after holding out kits {list(cfg.holdout_kits)}")
    torch.manual_seed(opts.seed)
    model = SoundVAE(model_config)
    feats = control_features(model, ds.audio)  # (N, K, F)
    model.set_data_statistics(torch.from_numpy(feats[split["train"]]))
    val_idx = split["val"] if len(split["val"]) else split["train"][:1]
    train_loader = _loader(feats[split["train"]], ds.class_index[split["train"]], cfg.batch_size, True)
    module = SoundLightning(model, cfg, TrainingClock(opts.max_epochs * len(train_loader), schedule_budget(opts)))
    val_loader = _loader(feats[val_idx], ds.class_index[val_idx], 256, False)
    pl_trainer = build_trainer(opts, out, monitor="val_l1")
    best = fit_and_keep_best(pl_trainer, module, train_loader, val_loader, opts)
    train_seconds = time.perf_counter() - t0
    last_val = _float(pl_trainer.callback_metrics.get("val_l1"))

    model.eval()
    train_ds = ds.subset(split["train"])
    extra = calibrate_space(model, train_ds, feats[split["train"]])
    data_summary = ds.summary() | {
        "train_files": len(split["train"]),
        "val_files": len(split["val"]),
        "heldout_files": len(split["heldout"]),
        "train_kits": sorted({ds.kit_of(int(i)) for i in split["train"]}),
        "heldout_kits": sorted({ds.kit_of(int(i)) for i in split["heldout"]}),
        "train_licenses": dict(sorted(train_ds.summary()["licenses"].items())),
    }
    data_summary.pop("per_kit", None)
    metrics = {
        "epochs": int(pl_trainer.current_epoch),
        "train_seconds": round(train_seconds, 1),
        "val_l1_nats": _float(pl_trainer.checkpoint_callback.best_model_score) if best else last_val,
        "last_val_l1_nats": last_val,
        "train_l1_nats": _float(pl_trainer.callback_metrics.get("train_l1")),
        "seed": opts.seed,
        "train_config": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(cfg).items()},
    }
    path = save_checkpoint(out / "sound.ckpt", Checkpoint(
        model_type="sound",
        config=config_to_dict(model_config),
        # float16 weights: half the file (the bundled model ships in the package); decoded
        # spectrograms move by well under 0.01 nats, far below what the model gets wrong.
        state_dict={k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()},
        data_summary=data_summary,
        metrics=metrics,
        extra=extra,
    ))
    (out / "train_summary.json").write_text(json.dumps({"data": data_summary, "metrics": metrics}, indent=2))
    return path


def recalibrate(path: str | Path, data_dir: str | Path, out: str | Path | None = None) -> Path:
    """Calibrate a trained sound checkpoint's space again (e.g. after the calibration grew a part,
    as the detail banks did) from the training sounds of ``data_dir``, keeping its weights and
    split; writes ``out`` (default: in place) and returns its path.

    Raises:
        CheckpointError: ``path`` is not an engine-2 sound checkpoint.
        DatasetError: ``data_dir`` has none of the checkpoint's training files.
    """
    space = SoundSpace.load(path)  # validates the file
    ckpt = load_checkpoint(path, "sound")
    tc = ckpt.metrics.get("train_config", {})
    ds = build_sound_dataset(data_dir, progress=False)
    split = split_dataset(ds, tuple(tc.get("holdout_kits", DEFAULT_HOLDOUT)),
                          float(tc.get("val_fraction", SoundTrainConfig.val_fraction)))
    if len(split["train"]) != ckpt.data_summary.get("train_files", len(split["train"])):
        raise DatasetError(f"{data_dir} does not hold the {ckpt.data_summary.get('train_files')} training files "
                           f"{path} was trained on (found {len(split['train'])}); pass the training folder")
    feats = control_features(space.model, ds.audio[split["train"]])
    extra = calibrate_space(space.model, ds.subset(split["train"]), feats)
    return save_checkpoint(Path(out or path), dataclasses.replace(ckpt, extra=extra))


def _float(x: Any) -> float | None:
    return None if x is None else round(float(x), 4)


__all__ = ["DEFAULT_HOLDOUT", "SoundLightning", "SoundTrainConfig", "augment", "recalibrate", "split_dataset",
           "train_sound"]
