"""Evaluating a sound space on kits it never heard: metrics.json and pictures.

Measures (all on audio, after synthesis):

- ``reconstruction``: held-out sounds encoded and decoded; log-mel distance (mean absolute dB
  difference of 64-band mel spectrograms, 2048-point FFT, hop 256, floor -80 dB), a
  multi-resolution STFT log-magnitude distance (FFT 256/1024/4096) and the attack-time error (ms),
  against two baselines: the *class-average sound* (the mean training spectrogram of the class,
  synthesised the same way) and the *nearest training sound* (the real training sound of the
  class closest in log-mel distance: an oracle pick);
- ``classifier``: a logistic-regression classifier trained on real training sounds (mel mean and
  spread over time); its accuracy on held-out real sounds and on sampled sounds per class;
- ``variety``: mean pairwise log-mel distance of sampled sounds over that of the real sounds;
- ``cleanliness``: peak (dBFS), DC offset, first/last sample (clicks);
- ``knobs``: per class and knob, Spearman correlation of knob value and each descriptor over
  sweeps from -1 to 1, averaged over sampled latents;
- ``realism``: what log-mel distance is blind to: partials, attacks, decays and tails of the
  representation's ceiling, the reconstructions and the samples against the real sounds
  (:mod:`latentdrum.evaluation.sound_realism`), with spectrogram pictures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.errors import DatasetError
from latentdrum.evaluation.probe import LogisticProbe
from latentdrum.evaluation.sound_realism import realism_markdown, realism_report
from latentdrum.evaluation.spectra import log_mel_db, log_mel_distance, mrstft_distance
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import MAX_SAMPLES
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import SoundDataset, build_sound_dataset
from latentdrum.sounds.descriptors import DESCRIPTORS, describe
from latentdrum.sounds.synthesis import synthesize
from latentdrum.spaces.knobs import KNOB_NAMES as KNOBS
from latentdrum.spaces.knobs import Knobs
from latentdrum.spaces.sound import SoundSpace


def _classifier_features(x: np.ndarray) -> np.ndarray:
    """Log-mel means over four stretches of time (0-23, 23-93, 93-302, 302-1000 ms) and the spread."""
    lm = log_mel_db(x)  # (B, 173, 64), 5.8 ms frames
    segments = [lm[:, a:b].mean(1) for a, b in ((0, 4), (4, 16), (16, 52), (52, None))]
    return np.concatenate([*segments, lm.std(1)], axis=1)


def _classifier(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A multinomial logistic regression on the log-mel statistics of real sounds ``x (N, L)`` of
    classes ``y (N,)`` (L-BFGS, 1e-3 times the squared weights in the loss, seeded: the same report
    for the same model and data); returns sounds ``(M, L)`` -> class indices ``(M,)``."""
    probe = LogisticProbe(_classifier_features(x), y.astype(np.int64), len(CLASSES), steps=300, weight_decay=2e-3,
                          seed=0, solver="lbfgs")
    return lambda sounds: probe.predict(_classifier_features(sounds))


def _mean_log_magnitude(audio: np.ndarray, chunk: int = 32) -> np.ndarray:
    """``(1, T, F)`` mean log magnitude of ``(N, L)`` sounds (the class-average baseline)."""
    total = sum(spectral.log_magnitude(audio[i : i + chunk]).sum(0) for i in range(0, len(audio), chunk))
    return (total / len(audio))[None]


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if np.ptp(b) == 0:
        return 0.0
    return float(spearmanr(a, b).statistic)


def _mean_pairwise(x: np.ndarray) -> float:
    lm = log_mel_db(x)
    pairs = list(combinations(range(len(x)), 2))
    return float(np.mean([np.mean(np.abs(lm[i] - lm[j])) for i, j in pairs])) if pairs else 0.0


def split_for_space(space: SoundSpace, ds: SoundDataset) -> tuple[np.ndarray, np.ndarray]:
    """Indices of held-out sounds (kits the model never trained on) and of training-kit sounds."""
    train_kits = set(space.data_summary.get("train_kits", []))
    usable = np.array([CLASSES[int(c)] in space.classes for c in ds.class_index], dtype=bool)
    held = np.nonzero(usable & np.array([ds.kit_of(i) not in train_kits for i in range(len(ds))]))[0]
    train = np.nonzero(usable & np.array([ds.kit_of(i) in train_kits for i in range(len(ds))]))[0]
    return held, train


def evaluate_sound(space: SoundSpace, data_dir: str | Path, out_dir: str | Path | None = None,
                   n_samples: int = 64, seed: int = 0, sweep_latents: int = 4, plots: bool = True,
                   progress: bool = False) -> dict[str, Any]:
    """Evaluate ``space`` on the kits of ``data_dir`` it was not trained on; write metrics.json (+ plots).

    Raises:
        DatasetError: ``data_dir`` has no sound of a class the model knows from an unseen kit.
    """
    ds = build_sound_dataset(data_dir, progress=progress)
    held, train = split_for_space(space, ds)
    if len(held) == 0:
        raise DatasetError(f"{data_dir} has no sounds from kits the model was not trained on "
                           f"(it trained on {space.data_summary.get('train_kits')}); pass a folder of other kits")
    names = [CLASSES[int(c)] for c in ds.class_index]
    metrics: dict[str, Any] = {
        "model_id": space.model_id,
        "data": str(data_dir),
        "heldout_kits": sorted({ds.kit_of(int(i)) for i in held}),
        "heldout_sounds": len(held),
    }
    # --- reconstruction vs baselines --------------------------------------------------------
    real = ds.audio[held]
    tuned = [space.encode_tuned(ds.audio[i], names[i]) for i in held]  # as `sound reconstruct` plays
    z = np.stack([zi for zi, _ in tuned])
    recon = _fit(space.decode(z, [names[i] for i in held], transpose=np.array([st for _, st in tuned])),
                 real.shape[1])
    rec = {"model": _scores(real, recon)}
    if len(train):
        avg = {ci: synthesize(_mean_log_magnitude(ds.audio[train[ds.class_index[train] == ci]]), iters=32)[0]
               for ci in np.unique(ds.class_index[train])}
        base_avg = np.stack([avg.get(int(ds.class_index[i]), np.zeros(real.shape[1], np.float32)) for i in held])
        rec["class_average"] = _scores(real, base_avg)
        train_lm = log_mel_db(ds.audio[train])
        held_lm = log_mel_db(real)
        nearest = []
        for j, i in enumerate(held):
            same = np.nonzero(ds.class_index[train] == ds.class_index[i])[0]
            cand = same if len(same) else np.arange(len(train))
            d = np.mean(np.abs(train_lm[cand] - held_lm[j]), axis=(1, 2))
            nearest.append(ds.audio[train[cand[int(np.argmin(d))]]])
        rec["nearest_training_sound"] = _scores(real, np.stack(nearest))
    rec["per_class_log_mel_db"] = {
        CLASSES[int(c)]: round(float(np.mean(log_mel_distance(real[ds.class_index[held] == c],
                                                              recon[ds.class_index[held] == c]))), 2)
        for c in np.unique(ds.class_index[held])}
    metrics["reconstruction"] = rec

    # --- samples: class, variety, cleanliness -----------------------------------------------
    samples: dict[str, np.ndarray] = {}
    for k, c in enumerate(space.classes):
        samples[c] = _fit(space.decode(space.sample_latent(c, n_samples, seed=seed + k), c), real.shape[1])
    all_s = np.concatenate(list(samples.values()))
    if len(train):
        clf = _classifier(ds.audio[train], ds.class_index[train])
        per = {c: float(np.mean(clf(s) == CLASSES.index(c))) for c, s in samples.items()}
        metrics["classifier"] = {
            "accuracy_on_samples": round(float(np.mean(list(per.values()))), 3),
            "accuracy_on_samples_weighted_by_sound": round(float(np.mean(
                np.concatenate([clf(s) == CLASSES.index(c) for c, s in samples.items()]))), 3),
            "accuracy_on_heldout_real": round(float(np.mean(clf(real) == ds.class_index[held])), 3),
            "per_class_on_samples": {c: round(v, 3) for c, v in per.items()},
        }
        var = {}
        for c, s in samples.items():
            r = ds.audio[train[ds.class_index[train] == CLASSES.index(c)]]
            if len(r) >= 2:
                pick = np.random.default_rng(seed).choice(len(r), size=min(40, len(r)), replace=False)
                var[c] = {"samples": round(_mean_pairwise(s), 2), "real": round(_mean_pairwise(r[pick]), 2)}
                var[c]["ratio"] = round(var[c]["samples"] / max(var[c]["real"], 1e-9), 3)
        metrics["variety"] = {"per_class": var,
                              "min_ratio": round(min(v["ratio"] for v in var.values()), 3) if var else None,
                              "mean_ratio": round(float(np.mean([v["ratio"] for v in var.values()])), 3)
                              if var else None}
    metrics["cleanliness"] = _cleanliness(np.concatenate([all_s, recon]))
    metrics["realism"] = realism_report(space, real, [names[i] for i in held], recon, samples.get("crash"), seed,
                                        pictures=Path(out_dir) if out_dir is not None and plots else None)

    # --- knobs ------------------------------------------------------------------------------
    metrics["knobs"] = knob_table(space, sweep_latents, seed)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        (out / "realism.md").write_text(realism_markdown(metrics["realism"]))
        if plots:
            from latentdrum.evaluation.sound_plots import write_plots

            write_plots(space, out, real[:6], recon[:6], [names[i] for i in held[:6]], metrics["knobs"])
    return metrics


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    """``(B, L)`` -> ``(B, n)``: zero-padded or cut (decoded sounds are as long as they ring)."""
    return np.pad(x, ((0, 0), (0, max(0, n - x.shape[1]))))[:, :n]


def _scores(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    fake = _fit(fake, real.shape[1])
    return {
        "log_mel_db": round(float(np.mean(log_mel_distance(real, fake))), 3),
        "mrstft": round(float(np.mean(mrstft_distance(real, fake))), 3),
        "attack_error_ms": round(float(np.mean(np.abs(describe(real)["attack"] - describe(fake)["attack"]))), 3),
    }


def _cleanliness(x: np.ndarray) -> dict[str, float]:
    peak = float(np.max(np.abs(x)))
    return {
        "sounds": len(x),
        "max_peak_dbfs": round(20 * float(np.log10(max(peak, 1e-12))), 2),
        "max_abs_dc": float(np.max(np.abs(x.mean(axis=1)))),
        "max_abs_first_sample": float(np.max(np.abs(x[:, 0]))),
        "max_abs_last_sample": float(np.max(np.abs(x[:, -1]))),
        "clipped_sounds": int(np.sum(np.max(np.abs(x), axis=1) >= 10 ** (-0.1 / 20))),
    }


def knob_table(space: SoundSpace, n_latents: int = 4, seed: int = 0, steps: int = 9) -> dict[str, Any]:
    """Per class and knob: Spearman of knob vs each descriptor over sweeps, mean over latents."""
    values = np.linspace(-1.0, 1.0, steps)
    table: dict[str, Any] = {}
    for k, c in enumerate(space.classes):
        z = space.sample_latent(c, n_latents, seed=seed + 100 + k)
        row: dict[str, Any] = {}
        for knob in KNOBS:
            # (steps, n_latents, L): each knob value decoded for every latent at once
            audio = np.stack([_fit(space.decode(z, c, knobs=Knobs(**{knob: float(v)})), MAX_SAMPLES) for v in values])
            flat = describe(audio.reshape(-1, audio.shape[-1]))
            d = {name: arr.reshape(steps, n_latents) for name, arr in flat.items()}
            row[knob] = {name: round(float(np.mean([_spearman(values, d[name][:, i]) for i in range(n_latents)])), 3)
                         for name in DESCRIPTORS}
            row[knob]["curve"] = [round(float(v), 4) for v in np.median(d[knob], axis=1)]  # knob = descriptor name
            # How far each descriptor travels over the sweep, in units of the class's own
            # 10th-90th percentile spread (log scale): the knob's own should lead by far.
            pct = space.descriptor_percentiles(c)
            travel = {}
            for name in DESCRIPTORS:
                moved = np.median(np.abs(np.log2(np.maximum(d[name][-1], 1e-9) / np.maximum(d[name][0], 1e-9))))
                spread = max(float(np.log2(pct[name][2] / max(pct[name][0], 1e-9))), 1e-3)
                travel[name] = round(float(moved) / spread, 2)
            row[knob]["travel"] = travel
        table[c] = row
    return table
