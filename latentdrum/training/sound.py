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

import numpy as np
import torch

from latentdrum.errors import ConfigError, DatasetError
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.sound import SoundVAE, SoundVAEConfig
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import MAX_SAMPLES, SAMPLE_RATE
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import SoundDataset, build_sound_dataset
from latentdrum.sounds.descriptors import DESCRIPTORS, describe
from latentdrum.training.trainer import TrainerOptions, build_trainer

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
    kl_warmup: float = 0.2  # fraction of the epochs over which the KL weight ramps from 0
    gain_jitter_db: float = 4.0  # random gain per training example, +- dB
    warp_bands: float = 2.0  # random shift along the mel-band axis, +- bands (pitch-like augmentation)
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


def features(audio: np.ndarray, chunk: int = 64) -> np.ndarray:
    """``(N, L)`` one-shots -> ``(N, T, F)`` float32 log bands (chunked to bound memory)."""
    return np.concatenate([spectral.log_bands(audio[i : i + chunk]) for i in range(0, len(audio), chunk)])


def vae_loss(model: SoundVAE, x: torch.Tensor, cls: torch.Tensor, kl_weight: float) -> dict[str, torch.Tensor]:
    """``x (B, T, F)`` log bands: mean L1 (nats) + ``kl_weight`` x KL per latent dimension."""
    recon, mu, logvar = model(x, cls)
    l1 = (recon - x).abs().mean()
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1).mean() / mu.shape[1]
    return {"loss": l1 + kl_weight * kl, "l1": l1, "kl": kl}


def augment(x: torch.Tensor, bands: float, octaves: float, floor: float) -> torch.Tensor:
    """Randomly shift ``x (B, T, F)`` log bands by up to +-``bands`` mel bands and stretch time
    after the onset by up to +-``octaves`` (a drum a little higher or longer is still a drum)."""
    b, t, f = x.shape
    shift = (torch.rand(b, 1, 1) * 2 - 1) * bands
    stretch = 2.0 ** ((torch.rand(b, 1, 1) * 2 - 1) * octaves)
    tt = torch.arange(t, dtype=x.dtype).view(1, t, 1)
    ff = torch.arange(f, dtype=x.dtype).view(1, 1, f)
    src_t = torch.where(tt <= 2, tt, 2 + (tt - 2) / stretch).expand(b, t, f)
    src_f = (ff - shift).expand(b, t, f)
    grid = torch.stack([src_f / (f - 1) * 2 - 1, src_t / (t - 1) * 2 - 1], dim=-1)  # (B, T, F, 2): (x=F, y=T)
    out = torch.nn.functional.grid_sample(x.unsqueeze(1), grid, mode="bilinear", padding_mode="border",
                                          align_corners=True).squeeze(1)
    return torch.where(src_t > t - 1, torch.full_like(out, floor), out)  # stretched short: silence after


def _lightning_module(model: SoundVAE, cfg: SoundTrainConfig, max_epochs: int) -> Any:
    import lightning as L

    class SoundModule(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def _kl_weight(self) -> float:
            ramp = max(1.0, cfg.kl_warmup * max_epochs)
            return cfg.kl_weight * min(1.0, (self.current_epoch + 1) / ramp)

        def training_step(self, batch: Any, _: int) -> torch.Tensor:
            x, cls = batch
            if cfg.gain_jitter_db > 0:  # a louder or softer copy is the same sound
                gain = (torch.rand(x.shape[0], 1, 1) * 2 - 1) * cfg.gain_jitter_db / 20 * np.log(10)
                x = torch.where(x > model.config.log_floor + 1e-3, (x + gain).clamp_min(model.config.log_floor), x)
            if cfg.warp_bands > 0 or cfg.warp_time > 0:
                x = augment(x, cfg.warp_bands, cfg.warp_time, model.config.log_floor)
            out = vae_loss(self.model, x, cls, self._kl_weight())
            self.log_dict({"train_loss": out["loss"], "train_l1": out["l1"], "kl": out["kl"]},
                          prog_bar=True, on_epoch=True, on_step=False, batch_size=x.shape[0])
            return out["loss"]

        def validation_step(self, batch: Any, _: int) -> None:
            x, cls = batch
            out = vae_loss(self.model, x, cls, cfg.kl_weight)
            self.log("val_loss", out["l1"], prog_bar=True, batch_size=x.shape[0])

        def configure_optimizers(self) -> Any:
            opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=1e-4)
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max_epochs, eta_min=cfg.lr * 0.05)
            return {"optimizer": opt, "lr_scheduler": sched}

    return SoundModule()


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
    feats = features(ds.audio)
    torch.manual_seed(opts.seed)
    model = SoundVAE(model_config)
    model.set_data_statistics(torch.from_numpy(feats[split["train"]]))
    module = _lightning_module(model, cfg, opts.max_epochs)
    val_idx = split["val"] if len(split["val"]) else split["train"][:1]
    train_loader = _loader(feats[split["train"]], ds.class_index[split["train"]], cfg.batch_size, True)
    val_loader = _loader(feats[val_idx], ds.class_index[val_idx], 256, False)
    pl_trainer = build_trainer(opts, out, monitor="val_loss")
    pl_trainer.fit(module, train_loader, val_loader, ckpt_path=str(opts.resume) if opts.resume else None)
    train_seconds = time.perf_counter() - t0

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
        "val_l1_nats": _float(pl_trainer.callback_metrics.get("val_loss")),
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
    ``(N, T, F)`` log bands. Returns the checkpoint's ``extra``: ``{"classes": {name: {...}}}``.
    """
    model.eval()
    with torch.no_grad():
        mu, _ = model.encode(torch.from_numpy(feats), torch.from_numpy(ds.class_index.astype(np.int64)))
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
        out[name] = {
            "latents": torch.from_numpy(zc.astype(np.float32)),
            "mean": torch.from_numpy(mean),
            "chol": torch.from_numpy(chol),
            "pca_mean": torch.from_numpy(mean),
            "pca": torch.from_numpy(pca.astype(np.float64)),
            "intensity": torch.from_numpy(direction.astype(np.float64)),
            "descriptor_percentiles": torch.from_numpy(np.stack([q[k] for k in DESCRIPTORS])),
            "count": torch.tensor(m),
        }
    return {"classes": out, "descriptors": list(DESCRIPTORS), "sample_rate": SAMPLE_RATE, "length": MAX_SAMPLES}


def _float(x: Any) -> float | None:
    return None if x is None else round(float(x), 4)


__all__ = ["DEFAULT_HOLDOUT", "SoundTrainConfig", "augment", "calibrate_space", "split_dataset", "train_sound"]
