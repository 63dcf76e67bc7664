"""Quality of humanize and drumify on a data split (``latentdrum rhythm evaluate-input``).

Every window of the split is turned into its score (humanize) or its taps (drumify) by the
dataset's inverse transformations, given to the model with the window's tempo and style, and
the result compared with what the drummer really played.

Humanize reports timing MAE (ms at the window's tempo) and velocity MAE (0-1; x127 for MIDI
units) over the real hits, beside two baselines: *mean velocity* (no offsets, each voice's mean
training velocity) and *random* (each hit's offset and velocity drawn from the training hits of
its voice); and the overlapping area of descriptor distributions, humanized vs real windows.

Drumify reports onset precision and recall of the groove's strongest voice (each step's loudest
hit, at its own time) against the taps within +-30 ms, for the groove as delivered and for the
raw model (every hit whose probability reaches 0.5, before drumify's keep-the-taps rule); hit F1
per voice against the real window (how close it comes to what the drummer played); and the
descriptor overlap of grooves vs real windows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdrum.evaluation.overlap import overlapping_area
from latentdrum.patterns.dataset import PatternDataset, build_pattern_dataset
from latentdrum.patterns.descriptors import DESCRIPTOR_NAMES, compute
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.patterns.transforms import quantize, tapify
from latentdrum.spaces.groove import GrooveSpace, keep_taps

TOLERANCE_MS = 30.0
_FEEL = ("swing", "velocity_mean", "velocity_spread", "timing_mean", "timing_spread")
_BATCH = 512


def _style_rows(space: GrooveSpace, ds: PatternDataset, idx: np.ndarray) -> np.ndarray:
    names = [ds.style_name(int(s)) for s in ds.style[idx]]
    return np.array([space.model.style_index(n) if n in space.styles else 0 for n in names], dtype=np.int64)


@torch.inference_mode()
def _predict(space: GrooveSpace, x: np.ndarray, bpm: np.ndarray, style: np.ndarray) -> dict[str, np.ndarray]:
    parts: list[dict[str, np.ndarray]] = []
    for i in range(0, len(x), _BATCH):
        out = space.model(torch.from_numpy(x[i : i + _BATCH]), torch.from_numpy(bpm[i : i + _BATCH]),
                          torch.from_numpy(style[i : i + _BATCH]))
        parts.append({"p": torch.sigmoid(out.hit_logits).numpy(), "v": out.velocities.numpy(),
                      "o": out.offsets.numpy()})
    return {k: np.concatenate([p[k] for p in parts]) for k in ("p", "v", "o")}


def _overlaps(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    return {k: round(overlapping_area(a[k], b[k]), 4) for k in DESCRIPTOR_NAMES}


def _errors(hits: np.ndarray, vel: np.ndarray, off: np.ndarray, real: np.ndarray, step_ms: np.ndarray
            ) -> dict[str, float]:
    v = NUM_VOICES
    mask = hits > 0.5
    t_err = np.abs(off - real[..., 2 * v :]) * step_ms[:, None, None]
    v_err = np.abs(vel - real[..., v : 2 * v])
    return {"timing_mae_ms": round(float(t_err[mask].mean()), 3), "velocity_mae": round(float(v_err[mask].mean()), 4),
            "velocity_mae_midi": round(float(v_err[mask].mean() * 127), 2)}


def evaluate_humanize(space: GrooveSpace, data: str | Path, split: str = "validation", seed: int = 0
                      ) -> dict[str, Any]:
    """The humanize quality table (see the module docstring) as a JSON-able dict."""
    ds = build_pattern_dataset(data, progress=False)
    idx, train = ds.indices(split), ds.indices("train")
    real = ds.windows[idx]
    v = NUM_VOICES
    hits = real[..., :v]
    bpm = ds.bpm[idx].astype(np.float32)
    step_ms = 60_000.0 / bpm / 4
    pred = _predict(space, quantize(real)[..., :v].copy(), bpm, _style_rows(space, ds, idx))
    model = _errors(hits, pred["v"] * hits, pred["o"] * hits, real, step_ms)

    tw = ds.windows[train]
    th = tw[..., :v] > 0.5
    mean_vel = np.array([tw[..., v + k][th[..., k]].mean() for k in range(v)], dtype=np.float32)
    flat = _errors(hits, hits * mean_vel, np.zeros_like(hits), real, step_ms)
    rng = np.random.default_rng(seed)
    r_vel, r_off = np.zeros_like(hits), np.zeros_like(hits)
    for k in range(v):
        sel = hits[..., k] > 0.5
        pool = np.nonzero(th[..., k])
        pick = rng.integers(len(pool[0]), size=int(sel.sum()))
        r_vel[..., k][sel] = tw[pool[0][pick], pool[1][pick], v + k]
        r_off[..., k][sel] = tw[pool[0][pick], pool[1][pick], 2 * v + k]
    rand = _errors(hits, r_vel, r_off, real, step_ms)

    real_d = compute(hits, real[..., v : 2 * v], real[..., 2 * v :])
    hum_d = compute(hits, pred["v"] * hits, pred["o"] * hits)
    ov = _overlaps(hum_d, real_d)
    return {
        "task": "humanize", "split": split, "windows": len(idx), "hits": int(hits.sum()),
        "model": model, "baseline_mean_velocity": flat, "baseline_random": rand,
        "timing_vs_no_offset_baseline": round(model["timing_mae_ms"] / flat["timing_mae_ms"], 3),
        "velocity_vs_mean_velocity_baseline": round(model["velocity_mae"] / flat["velocity_mae"], 3),
        "descriptor_overlap_mean": round(float(np.mean(list(ov.values()))), 4),
        "descriptor_overlap_feel_mean": round(float(np.mean([ov[k] for k in _FEEL])), 4),
        "descriptor_overlap": ov,
        "targets": {"timing_ratio_below": 0.70, "velocity_ratio_below": 0.75, "overlap_at_least": 0.85},
    }


def onset_precision_recall(pattern: Pattern, taps: list[float], tolerance_ms: float = TOLERANCE_MS
                           ) -> tuple[int, int, int]:
    """(matched, groove onsets, taps): each step's loudest hit as one onset, matched one to one
    with tap times (seconds) within ``tolerance_ms``, greedily in time order."""
    onsets: list[float] = []
    for step in np.nonzero(pattern.hits.max(axis=1) > 0.5)[0]:
        voice = int(np.argmax(np.where(pattern.hits[step] > 0.5, pattern.velocities[step] + 1e-3, -1.0)))
        onsets.append((step + float(pattern.offsets[step, voice])) * pattern.step_seconds)
    return match_times(onsets, taps, tolerance_ms / 1000.0), len(onsets), len(taps)


def match_times(a: list[float], b: list[float], tolerance_s: float) -> int:
    """How many of ``a`` pair one to one with ``b`` within ``tolerance_s`` (greedy, sorted)."""
    a, b = sorted(a), sorted(b)
    i = j = n = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= tolerance_s:
            n, i, j = n + 1, i + 1, j + 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return n


def evaluate_drumify(space: GrooveSpace, data: str | Path, split: str = "validation") -> dict[str, Any]:
    """The drumify quality table (see the module docstring) as a JSON-able dict."""
    ds = build_pattern_dataset(data, progress=False)
    idx = ds.indices(split)
    real = ds.windows[idx]
    v = NUM_VOICES
    bpm = ds.bpm[idx].astype(np.float32)
    taps = tapify(real)
    pred = _predict(space, taps, bpm, _style_rows(space, ds, idx))
    h, gv, go = keep_taps(taps, pred["p"], pred["v"], thresholds=space.hit_thresholds)
    grooves = [Pattern(h[i], gv[i], go[i], float(bpm[i])) for i in range(len(idx))]
    raw = []
    for i in range(len(idx)):
        r = (pred["p"][i] >= space.hit_thresholds).astype(np.float32)
        raw.append(Pattern(r, np.clip(pred["v"][i], 0, 1) * r, np.clip(pred["o"][i], -0.5, 0.4999) * r, float(bpm[i])))
    counts = {"delivered": np.zeros(3), "raw_model": np.zeros(3)}
    for i, (g, r) in enumerate(zip(grooves, raw, strict=True)):
        step_s = 60.0 / float(bpm[i]) / 4
        tap_times = [float((s + taps[i, s, 2]) * step_s) for s in np.nonzero(taps[i, :, 0] > 0.5)[0]]
        counts["delivered"] += onset_precision_recall(g, tap_times)
        counts["raw_model"] += onset_precision_recall(r, tap_times)
    onset = {k: {"precision": round(c[0] / max(c[1], 1), 4), "recall": round(c[0] / max(c[2], 1), 4)}
             for k, c in counts.items()}
    g_arr = np.stack([g.to_array() for g in grooves])
    real_hits = real[..., :v] > 0.5
    g_hits = g_arr[..., :v] > 0.5
    per_voice = {}
    for k, name in enumerate(VOICES):
        tp = float((real_hits[..., k] & g_hits[..., k]).sum())
        per_voice[name] = round(2 * tp / max(float(real_hits[..., k].sum() + g_hits[..., k].sum()), 1), 3)
    ov = _overlaps(compute(g_arr[..., :v], g_arr[..., v : 2 * v], g_arr[..., 2 * v :]),
                   compute(real[..., :v], real[..., v : 2 * v], real[..., 2 * v :]))
    return {
        "task": "drumify", "split": split, "windows": len(idx), "taps": int(taps[..., 0].sum()),
        "strongest_voice_onsets": onset,
        "hit_f1_vs_real_per_voice": per_voice,
        "descriptor_overlap_mean": round(float(np.mean(list(ov.values()))), 4),
        "descriptor_overlap": ov,
        "targets": {"onset_precision_recall_at_least": 0.95},
    }
