"""``latentdrum rhythm evaluate``: how well a rhythm space reconstructs, samples, follows styles and morphs.

Writes ``metrics.json``, ``grooves.md`` (the per-style x temperature groove table, the fill
classifier and the style-strength table, :mod:`latentdrum.evaluation.grooves` and
:mod:`latentdrum.evaluation.fills`) and three pictures into the report folder:

- ``latent_map.png``: the split's windows in the space's 2D map, coloured by style;
- ``descriptors.png``: each rhythm descriptor's distribution, prior samples vs real windows;
- ``per_voice.png``: reconstruction hit F1 per voice.

Definitions: reconstruction metrics as in :mod:`latentdrum.models.rhythm_metrics`; sample
realism is the overlapping area (Yang & Lerch 2020) of each descriptor's distribution, samples vs
the split's real windows, with the same figure for real training windows vs the split as the
ceiling; an exact copy is a sample whose hit grid equals a training window's; style adherence
uses a logistic-regression classifier trained on real training windows; interpolation is judged
on the decoded hit grids (Hamming distance).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdrum.evaluation.fills import fill_report
from latentdrum.evaluation.fills import markdown as fills_markdown
from latentdrum.evaluation.grooves import groove_table, table_styles
from latentdrum.evaluation.overlap import overlapping_area
from latentdrum.evaluation.probe import LogisticProbe
from latentdrum.models.rhythm_metrics import ReconstructionCounts, hamming
from latentdrum.patterns.dataset import PatternDataset, build_pattern_dataset
from latentdrum.patterns.descriptors import DESCRIPTOR_NAMES, compute
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.fills import window_fill_flags
from latentdrum.spaces.rhythm import RhythmSpace, slerp

V = NUM_VOICES
MIN_STYLE_WINDOWS = 300


def _describe(windows: np.ndarray) -> dict[str, np.ndarray]:
    return compute(windows[..., :V], windows[..., V : 2 * V], windows[..., 2 * V :])


@torch.inference_mode()
def _decode_arrays(space: RhythmSpace, z: np.ndarray, style: str | None, temperature: float = 0.0,
                   seed: int = 0) -> np.ndarray:
    """(n, D) -> (n, T, 3V) pattern arrays, in batches; ``temperature`` as in RhythmSpace.decode."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, len(z), 1024):
        chunk = torch.from_numpy(np.ascontiguousarray(z[i : i + 1024], dtype=np.float32))
        s = torch.full((len(chunk),), space.model.style_index(style), dtype=torch.long)
        pats = space.model.decode(chunk, s).to_pattern_tensor(space.hit_threshold, temperature, gen, keep_counts=True)
        out.append(pats.numpy())
    return np.concatenate(out)


@torch.inference_mode()
def _encode_arrays(space: RhythmSpace, windows: np.ndarray) -> np.ndarray:
    out = []
    for i in range(0, len(windows), 1024):
        x = torch.from_numpy(windows[i : i + 1024])
        out.append(space.model.encode(x, torch.zeros(len(x), dtype=torch.long))[0].numpy())
    return np.concatenate(out)


def reconstruction(space: RhythmSpace, ds: PatternDataset, idx: np.ndarray) -> dict[str, Any]:
    x = ds.windows[idx]
    flags = torch.from_numpy(window_fill_flags(ds, idx)) if space.has_fills else None
    # A style the model was not trained on (another folder's labels) is encoded as "any style".
    names = [ds.style_name(int(s)) for s in ds.style[idx]]
    styles = [s if s in space.styles else None for s in names]
    total, per_voice = ReconstructionCounts(), [ReconstructionCounts() for _ in range(V)]
    with torch.inference_mode():
        for i in range(0, len(x), 1024):
            xb = torch.from_numpy(x[i : i + 1024])
            sb = torch.tensor([space.model.style_index(s) for s in styles[i : i + 1024]], dtype=torch.long)
            fb = flags[i : i + 1024] if flags is not None else None
            pred = space.model(xb, sb, fb)[0].to_pattern_tensor(space.hit_threshold)
            bpm = torch.from_numpy(ds.bpm[idx][i : i + 1024])
            total.update(pred, xb, bpm)
            for v in range(V):
                cols = [v, V + v, 2 * V + v]
                per_voice[v].update(pred[..., cols], xb[..., cols], bpm)
    return total.metrics() | {"per_voice": {VOICES[v]: per_voice[v].metrics() for v in range(V)}}


def sample_realism(
    space: RhythmSpace, ds: PatternDataset, idx: np.ndarray, train_idx: np.ndarray, n: int, seed: int
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    samples = _decode_arrays(space, space.sample_latent(n, None, 1.0, seed), None, 1.0, seed)
    real = ds.windows[idx]
    rng = np.random.default_rng(seed)
    ref = ds.windows[rng.choice(train_idx, size=min(len(train_idx), max(n, len(idx))), replace=False)]
    d_s, d_r, d_ref = _describe(samples), _describe(real), _describe(ref)
    oa = {k: round(overlapping_area(d_s[k], d_r[k]), 4) for k in DESCRIPTOR_NAMES}
    oa_ref = {k: round(overlapping_area(d_ref[k], d_r[k]), 4) for k in DESCRIPTOR_NAMES}

    train_hits = {np.packbits(w[:, :V] > 0.5).tobytes() for w in ds.windows[train_idx]}
    copies = sum(np.packbits(s[:, :V] > 0.5).tobytes() in train_hits for s in samples)
    empty = int((samples[..., :V].sum(axis=(1, 2)) == 0).sum())

    # The same decoder sampled from N(0, I) instead of the learned prior, for comparison.
    z_std = np.random.default_rng(seed).standard_normal((n, space.latent_dim)).astype(np.float32)
    d_std = _describe(_decode_arrays(space, z_std, None, 1.0, seed))
    oa_std = float(np.mean([overlapping_area(d_std[k], d_r[k]) for k in DESCRIPTOR_NAMES]))
    result = {
        "samples": n,
        "descriptor_overlap": oa,
        "mean_overlap": round(float(np.mean(list(oa.values()))), 4),
        "real_vs_real_overlap": oa_ref,
        "mean_real_vs_real_overlap": round(float(np.mean(list(oa_ref.values()))), 4),
        "mean_overlap_standard_normal_prior": round(oa_std, 4),
        "exact_training_copies": round(copies / n, 4),
        "empty_samples": empty,
    }
    return result, d_s, d_r


def _style_features(windows: np.ndarray) -> np.ndarray:
    d = _describe(windows)
    n = len(windows)
    hits, vel = windows[..., :V].reshape(n, -1), windows[..., V : 2 * V].reshape(n, -1)
    feats = np.concatenate([hits, vel, np.stack([d[k] for k in DESCRIPTOR_NAMES], 1)], axis=1)
    return feats.astype(np.float32)


def style_adherence(
    space: RhythmSpace, ds: PatternDataset, idx: np.ndarray, train_idx: np.ndarray, seed: int, n: int = 300
) -> dict[str, Any]:
    if not space.styles:
        return {"conditional": False}
    counts = np.bincount(ds.style[train_idx][ds.style[train_idx] >= 0], minlength=len(ds.styles))
    styles = [ds.styles[i] for i in np.nonzero(counts >= MIN_STYLE_WINDOWS)[0] if ds.styles[i] in space.styles]
    if len(styles) < 2:
        return {"conditional": True, "classifier_styles": styles,
                "note": f"fewer than 2 styles with >= {MIN_STYLE_WINDOWS} training windows: not measured"}
    lab = {s: i for i, s in enumerate(styles)}
    tr = [i for i in train_idx if ds.style_name(int(ds.style[i])) in lab]
    y = np.array([lab[str(ds.style_name(int(ds.style[i])))] for i in tr])
    clf = LogisticProbe(_style_features(ds.windows[tr]), y, len(styles), steps=300, weight_decay=1e-4, seed=seed)

    def predict(w: np.ndarray) -> np.ndarray:
        return clf.predict(_style_features(w))

    va = [i for i in idx if ds.style_name(int(ds.style[i])) in lab]
    y_va = np.array([lab[str(ds.style_name(int(ds.style[i])))] for i in va])
    pred_va = predict(ds.windows[va]) if va else np.zeros(0, np.int64)
    real_acc = float((pred_va == y_va).mean()) if va else float("nan")
    uncond = predict(_decode_arrays(space, space.sample_latent(n * 2, None, 1.0, seed), None, 1.0, seed))
    per_style = {}
    for s, k in lab.items():
        cond = predict(_decode_arrays(space, space.sample_latent(n, s, 1.0, seed + 1), s, 1.0, seed + 1))
        real_k = pred_va[y_va == k] if va else np.zeros(0)
        per_style[s] = {"conditioned_rate": round(float((cond == k).mean()), 4),
                        "unconditional_rate": round(float((uncond == k).mean()), 4),
                        "real_rate": round(float((real_k == k).mean()), 4) if len(real_k) else None,
                        "real_windows": len(real_k)}
    return {
        "classifier_styles": styles,
        "classifier_accuracy_on_real_split": round(real_acc, 4),
        "per_style": per_style,
        "mean_conditioned_rate": round(float(np.mean([v["conditioned_rate"] for v in per_style.values()])), 4),
        "mean_unconditional_rate": round(float(np.mean([v["unconditional_rate"] for v in per_style.values()])), 4),
    }


def interpolation_smoothness(space: RhythmSpace, ds: PatternDataset, idx: np.ndarray, seed: int,
                             pairs: int = 100, steps: int = 8) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    z = _encode_arrays(space, ds.windows[rng.choice(idx, size=2 * pairs)])
    per_step, ratios, monotone = [], [], []
    for p in range(pairs):
        za, zb = z[2 * p], z[2 * p + 1]
        path = np.stack([slerp(za, zb, float(t)) for t in np.linspace(0, 1, steps + 2)])
        hits = _decode_arrays(space, path, None)[..., :V]
        d_step = hamming(hits[1:], hits[:-1])
        end = float(hamming(hits[0], hits[-1]))
        if end == 0:
            continue
        per_step.append(d_step.mean())
        ratios.append(d_step.sum() / end)
        to_a, to_b = hamming(hits, hits[0]), hamming(hits, hits[-1])
        monotone.append(bool(np.all(np.diff(to_a) >= 0) and np.all(np.diff(to_b) <= 0)))
    if not ratios:
        return {"pairs": 0, "note": "every pair decoded to the same pattern"}
    return {
        "pairs": len(ratios),
        "steps": steps,
        "mean_hits_changed_per_step": round(float(np.mean(per_step)), 3),
        "mean_path_length_ratio": round(float(np.mean(ratios)), 4),
        "max_path_length_ratio": round(float(np.max(ratios)), 4),
        "monotone_fraction": round(float(np.mean(monotone)), 4),
    }


def _plots(space: RhythmSpace, ds: PatternDataset, idx: np.ndarray, d_s: dict, d_r: dict, rec: dict,
           out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xy = space.to_map(_encode_arrays(space, ds.windows[idx]))
    fig, ax = plt.subplots(figsize=(8, 7))
    for s in np.unique(ds.style[idx]):
        sel = ds.style[idx] == s
        ax.scatter(xy[sel, 0], xy[sel, 1], s=4, alpha=0.6, label=ds.style_name(int(s)) or "(none)")
    ax.set_title("Rhythm space: windows in the 2D map, coloured by style")
    ax.legend(markerscale=4, fontsize=8, ncol=2)
    fig.savefig(out / "latent_map.png", dpi=110, bbox_inches="tight")
    plt.close(fig)

    names = list(DESCRIPTOR_NAMES)
    fig, axes = plt.subplots(3, (len(names) + 2) // 3, figsize=(18, 9))
    for ax, k in zip(axes.flat, names, strict=False):
        lo, hi = min(d_r[k].min(), d_s[k].min()), max(d_r[k].max(), d_s[k].max())
        bins = np.linspace(lo, hi + 1e-9, 30)
        ax.hist(d_r[k], bins=bins, density=True, alpha=0.5, label="real")
        ax.hist(d_s[k], bins=bins, density=True, alpha=0.5, label="samples")
        ax.set_title(k, fontsize=9)
    axes.flat[0].legend()
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle("Rhythm descriptors: prior samples vs real windows")
    fig.savefig(out / "descriptors.png", dpi=100, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    f1 = [rec["per_voice"][v]["hit_f1"] for v in VOICES]
    ax.bar(VOICES, f1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("hit F1")
    ax.set_title(f"Reconstruction per voice (overall F1 {rec['hit_f1']:.3f})")
    plt.setp(ax.get_xticklabels(), rotation=30)
    fig.savefig(out / "per_voice.png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def style_markdown(style: dict[str, Any]) -> str:
    """The style-strength table: conditioned vs unconditional samples vs real windows."""
    if "per_style" not in style:
        return f"{style.get('note', 'not measured (unconditional model)')}\n"
    lines = ["| style | conditioned samples | unconditional samples | real windows (split) |", "|---|---|---|---|"]
    for s, r in style["per_style"].items():
        real = f"{r['real_rate']:.2f} ({r['real_windows']})" if r.get("real_rate") is not None else "-"
        lines.append(f"| {s} | {r['conditioned_rate']:.2f} | {r['unconditional_rate']:.2f} | {real} |")
    lines.append(f"| mean | {style['mean_conditioned_rate']:.2f} | {style['mean_unconditional_rate']:.2f} | "
                 f"{style['classifier_accuracy_on_real_split']:.2f} |")
    return "\n".join(lines) + "\n"


def evaluate_rhythm(space: RhythmSpace, data_dir: str | Path, split: str, out_dir: str | Path,
                    samples: int = 2000, seed: int = 0, groove_samples: int = 100) -> dict[str, Any]:
    """Score ``space`` on ``split`` of ``data_dir``; write metrics.json and plots to ``out_dir``."""
    from latentdrum.patterns.dataset import PatternDatasetConfig

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ds = build_pattern_dataset(data_dir, PatternDatasetConfig(bars=space.bars))
    idx, train_idx = ds.indices(split), ds.indices("train")
    if len(idx) == 0:
        from latentdrum.errors import DatasetError

        raise DatasetError(f"{data_dir} has no {split} windows")
    rec = reconstruction(space, ds, idx)
    realism, d_s, d_r = sample_realism(space, ds, idx, train_idx, samples, seed)
    grooves = groove_table(space, ds, train_idx, groove_samples, seed)
    styles = table_styles(space, ds, train_idx)
    fills = fill_report(space, ds, idx, train_idx, styles, seed=seed)
    style = style_adherence(space, ds, idx, train_idx, seed)
    metrics = {
        "model": str(space.path),
        "data": str(data_dir),
        "split": split,
        "windows": len(idx),
        "reconstruction": rec,
        "samples": realism,
        "style": style,
        "interpolation": interpolation_smoothness(space, ds, idx, seed),
        "grooves": {k: v for k, v in grooves.items() if k != "markdown"},
        "fills": fills,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "grooves.md").write_text(
        f"# Grooves at every setting ({groove_samples} samples per row; real = {grooves['reference']})\n\n"
        + grooves["markdown"] + "\n# Fills: beat-vs-fill classifier\n\n" + fills_markdown(fills)
        + "\n# Style strength: samples recognised as their style\n\n" + style_markdown(style))
    _plots(space, ds, idx, d_s, d_r, rec, out)
    return metrics
