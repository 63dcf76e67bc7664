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
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.sound import SoundVAE, SoundVAEConfig, control_frames
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import MAX_SAMPLES, SAMPLE_RATE
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import SoundDataset, build_sound_dataset
from latentdrum.sounds.descriptors import DESCRIPTORS, describe
from latentdrum.spaces.knobs import centroid_hz, knob_ranges, tilt
from latentdrum.spaces.sound import ENGINE
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
    kl_warmup: float = 0.2  # fraction of the run (steps or time budget) over which the KL weight ramps from 0
    gain_jitter_db: float = 4.0  # random gain per training example, +- dB
    warp_semitones: float = 1.0  # random pitch, +- semitones (frequency axis scaled)
    warp_time: float = 0.3  # random time stretch after the onset, +- octaves (decay-like augmentation)
    val_fraction: float = 0.08  # of the training kits' files, by a fixed hash of the path
    holdout_kits: tuple[str, ...] = DEFAULT_HOLDOUT

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.lr <= 0 or self.kl_weight < 0 or not 0 <= self.val_fraction < 1:
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


def vae_loss(model: SoundVAE, x: torch.Tensor, cls: torch.Tensor, kl_weight: float) -> dict[str, torch.Tensor]:
    """``x (B, K, F)`` control frames: mean L1 (nats) + ``kl_weight`` x KL per latent dimension."""
    recon, mu, logvar = model(x, cls)
    l1 = (recon - x).abs().mean()
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1).mean() / mu.shape[1]
    return {"loss": l1 + kl_weight * kl, "l1": l1, "kl": kl}


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
        out = vae_loss(self.model, x, cls, self._kl_weight())
        self.log_dict({"train_loss": out["loss"], "train_l1": out["l1"], "kl": out["kl"]},
                      prog_bar=True, on_epoch=True, on_step=False, batch_size=x.shape[0])
        return out["loss"]

    def validation_step(self, batch: Any, _: int) -> None:
        x, cls = batch
        out = vae_loss(self.model, x, cls, self.cfg.kl_weight)
        self.log_dict({"val_l1": out["l1"], "val_loss": out["loss"]}, prog_bar=True, batch_size=x.shape[0])

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


def calibrate_space(model: SoundVAE, ds: Any, feats: np.ndarray) -> dict[str, Any]:
    """Measure per class what :class:`SoundSpace` needs, from the training sounds.

    ``ds`` is the training :class:`~latentdrum.sounds.dataset.SoundDataset`, ``feats`` its
    ``(N, K, F)`` control frames. Returns the checkpoint's ``extra``: ``{"classes": {name: {...}}}``,
    knob ranges included (measured on the decoder here, so loading the space is quick).
    """
    model.eval()
    with torch.no_grad():
        mu, _ = model.encode_control(torch.from_numpy(feats), torch.from_numpy(ds.class_index.astype(np.int64)))
    z = mu.numpy().astype(np.float64)
    d = z.shape[1]
    desc = describe(ds.audio)
    # Pooled within-class covariance: the fallback shape for classes with few sounds.
    resid = np.concatenate([z[ds.class_index == ci] - z[ds.class_index == ci].mean(0)
                            for ci in np.unique(ds.class_index)])
    pooled = np.cov(resid.T) + 1e-4 * np.eye(d)
    out: dict[str, Any] = {}
    for ci in np.unique(ds.class_index):
        name = CLASSES[int(ci)]
        sel = np.nonzero(ds.class_index == ci)[0]
        zc = z[sel]
        m = len(sel)
        mean = zc.mean(0)
        cov = np.cov(zc.T) if m > 1 else np.zeros((d, d))
        shrink = 5.0
        cov = (m * cov + shrink * pooled) / (m + shrink) + 1e-5 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        centred = zc - mean if m > 2 else resid
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        pca = vt[:2] if vt.shape[0] >= 2 else np.eye(d)[:2]
        # Intensity: regress latents on loudness within each kit (same drum, different hits).
        lev = ds.level_db[sel].astype(np.float64)
        kit = ds.kit_index[sel]
        zl = zc.copy()
        for k in np.unique(kit):
            s = kit == k
            zl[s] -= zl[s].mean(0)
            lev[s] -= lev[s].mean()
        var = float((lev**2).sum())
        direction = (zl.T @ lev) / var * max(float(np.sqrt(var / m)), 1e-9) if var > 1e-6 * m else np.zeros(d)
        q = {k: np.percentile(v[sel], [10, 50, 90]) for k, v in desc.items()}
        percentiles = np.stack([q[k] for k in DESCRIPTORS])
        knob_scale = knob_ranges(percentiles)
        knob_scale[0] = brightness_range(model, name, mean, percentiles)
        out[name] = {
            "latents": torch.from_numpy(zc.astype(np.float32)),
            "mean": torch.from_numpy(mean),
            "chol": torch.from_numpy(chol),
            "pca_mean": torch.from_numpy(mean),
            "pca": torch.from_numpy(pca.astype(np.float64)),
            "intensity": torch.from_numpy(direction.astype(np.float64)),
            "descriptor_percentiles": torch.from_numpy(percentiles),
            "knob_scale": torch.from_numpy(knob_scale),
            "count": torch.tensor(m),
        }
    return {"classes": out, "descriptors": list(DESCRIPTORS), "sample_rate": SAMPLE_RATE, "length": MAX_SAMPLES,
            "engine": ENGINE}


def brightness_range(model: SoundVAE, name: str, latent: np.ndarray, percentiles: np.ndarray) -> float:
    """The spectral tilt (dB per octave) at which a full brightness sweep moves the class's
    typical sound's spectral centroid across the class's 10th-90th percentile spread.

    Measured on the decoded control frames of ``latent`` (the class's mean; no phase needed: the
    centroid is a magnitude statistic), by bisection; clipped to 0.5-8 dB per octave.
    """
    lo_c, _, hi_c = percentiles[DESCRIPTORS.index("brightness")]
    target = float(np.log2(max(hi_c, 1.0) / max(lo_c, 1.0)))
    with torch.no_grad():
        ctrl = model.decode_control(torch.from_numpy(latent[None].astype(np.float32)),
                                    torch.tensor([CLASSES.index(name)])).numpy()  # (1, K, F)
    interp, floor = model.interp.numpy(), model.config.log_floor

    def spread(tilt_db: float) -> float:
        up, down = (centroid_hz(interp @ tilt(ctrl, t, floor)[0]) for t in (tilt_db, -tilt_db))
        return float(np.log2(up / down))

    lo, hi = 0.5, 8.0
    if spread(hi) <= target:
        return hi
    for _ in range(16):
        mid = 0.5 * (lo + hi)
        if spread(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _float(x: Any) -> float | None:
    return None if x is None else round(float(x), 4)


__all__ = ["DEFAULT_HOLDOUT", "SoundLightning", "SoundTrainConfig", "augment", "calibrate_space", "split_dataset",
           "train_sound"]
