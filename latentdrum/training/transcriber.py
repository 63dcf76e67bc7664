"""Training the onset-voice network of ``from-audio`` on augmented renders of real grooves.

The examples (:mod:`latentdrum.training.transcriber_data`) are whole loops: a render's onsets
form one sequence, so the network learns to judge each onset against the others of its loop.
They are rendered once and kept beside the checkpoint (``examples.npz``): a later run can
train on one or several such files (``examples=``, concatenated: e.g. a set rendered with more
sound-model kits) and spend its time budget on training alone.

Training: AdamW, batches of whole loops, a short warm-up then a cosine decay that ends with
``epochs`` or with the ``max_minutes`` budget, whichever comes first; a held-out tenth of the
loops picks the best epoch (hit F1) and then tunes the per-voice thresholds for hit F1.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from latentdrum.errors import DatasetError
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.transcriber import Transcriber, TranscriberConfig, transcriber_loss
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.sounds.onsets import N_FEATURES
from latentdrum.training.transcriber_data import HELD_OUT_KITS, TRAIN_KITS, render_examples

__all__ = ["HELD_OUT_KITS", "TRAIN_KITS", "load_examples", "train_transcriber", "write_examples"]

LR = 2e-3
BATCH = 16  # loops per batch
WARMUP_STEPS = 100
Loops = list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]  # per loop x (K, F), hits (K, V), velocity (K, V)


def _split_loops(data: dict[str, np.ndarray]) -> Loops:
    edges = np.concatenate([[0], np.cumsum(data["lengths"])])
    if edges[-1] != len(data["x"]):
        raise DatasetError("examples: lengths do not add up to the onsets; render them again")
    return [tuple(torch.from_numpy(data[k][a:b]) for k in ("x", "hits", "velocity"))  # type: ignore[misc]
            for a, b in itertools.pairwise(edges)]


def _batch(loops: Loops) -> tuple[torch.Tensor, ...]:
    """Pad loops to ``(B, K_max, ...)`` tensors and a ``(B, K_max)`` mask."""
    k = max(len(x) for x, _, _ in loops)
    x = torch.zeros(len(loops), k, loops[0][0].shape[1])
    h = torch.zeros(len(loops), k, NUM_VOICES)
    v = torch.zeros_like(h)
    mask = torch.zeros(len(loops), k, dtype=torch.bool)
    for i, (a, b, c) in enumerate(loops):
        x[i, : len(a)], h[i, : len(a)], v[i, : len(a)], mask[i, : len(a)] = a, b, c, True
    return x, h, v, mask


@torch.inference_mode()
def _probs(model: Transcriber, loops: Loops) -> tuple[np.ndarray, np.ndarray]:
    """Hit probabilities and labels of every onset of ``loops``, ``(K, V)`` each."""
    model.eval()
    ps, hs = [], []
    for x, h, _ in loops:
        logits, _ = model(x[None])
        ps.append(torch.sigmoid(logits[0]).numpy())
        hs.append(h.numpy())
    return np.concatenate(ps), np.concatenate(hs)


def _f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    return 2 * tp / max(float(pred.sum() + truth.sum()), 1.0)


def _tune_thresholds(probs: np.ndarray, hits: np.ndarray) -> tuple[float, ...]:
    out = []
    for v in range(hits.shape[1]):
        grid = np.arange(0.15, 0.86, 0.05)
        f1s = [_f1(probs[:, v] >= t, hits[:, v] > 0.5) for t in grid]
        out.append(round(float(grid[int(np.argmax(f1s))]), 2))
    return tuple(out)


def load_examples(paths: Sequence[str | Path]) -> dict[str, np.ndarray]:
    """Examples files written by :func:`write_examples`, concatenated."""
    parts = []
    for p in paths:
        try:
            with np.load(p) as f:
                parts.append({k: f[k] for k in ("x", "hits", "velocity", "lengths")})
        except (OSError, KeyError, ValueError) as exc:
            raise DatasetError(f"{p} is not a transcriber examples file ({exc}); render it with --render-only"
                               ) from None
    return {k: np.concatenate([d[k] for d in parts]) for k in ("x", "hits", "velocity", "lengths")}


def write_examples(groove_dir: str | Path, samples_dir: str | Path, out_dir: str | Path, windows: int, seed: int = 0,
                   sound_model_share: float = 0.4, sound_model: str | Path | None = None,
                   progress: bool = False) -> Path:
    """Render ``windows`` examples into ``out_dir/examples.npz`` (see :func:`render_examples`)."""
    data = render_examples(groove_dir, samples_dir, windows, seed, sound_model_share, sound_model, progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "examples.npz", **data)  # type: ignore[arg-type]
    return out / "examples.npz"


def train_transcriber(groove_dir: str | Path, samples_dir: str | Path, out_dir: str | Path, windows: int = 2000,
                      epochs: int = 40, seed: int = 0, threads: int | None = 1,
                      sound_model: str | Path | None = None, examples: Sequence[str | Path] = (),
                      config: TranscriberConfig | None = None, max_minutes: float | None = None,
                      sound_model_share: float = 0.4, progress: bool = False) -> Path:
    """Render the examples (or load ``examples``), train, write ``out_dir/transcriber.ckpt`` and
    ``metrics.json``."""
    t0 = time.time()
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not examples:
        examples = [write_examples(groove_dir, samples_dir, out, windows, seed, sound_model_share, sound_model,
                                   progress)]
    data = load_examples(examples)
    render_s = time.time() - t0
    loops = _split_loops(data)
    order = np.random.default_rng(seed).permutation(len(loops))
    val = [loops[i] for i in order[: max(1, len(loops) // 10)]]
    tr = [loops[i] for i in order[max(1, len(loops) // 10) :]]
    config = config or TranscriberConfig(features=N_FEATURES, voices=NUM_VOICES, context_layers=2, hidden=128)
    model = Transcriber(config)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-3)
    per_epoch = len(tr) // BATCH + 1
    best_f1, best_state, best_epoch, t_train = -1.0, model.state_dict(), 0, time.time()
    rng = np.random.default_rng(seed + 1)
    step = 0
    for epoch in range(epochs):
        model.train()
        for b in np.array_split(rng.permutation(len(tr)), per_epoch):
            # Warm-up, then cosine decay over the run: by steps, or by the time budget when
            # that runs out first (a shared CPU's speed is not known in advance).
            done = step / (epochs * per_epoch)
            if max_minutes is not None:
                done = max(done, (time.time() - t_train) / (60 * max_minutes))
            for g in opt.param_groups:
                g["lr"] = LR * min(1.0, (step + 1) / WARMUP_STEPS) * 0.5 * (1 + np.cos(np.pi * min(done, 1.0)))
            x, h, v, mask = _batch([tr[i] for i in b])
            logits, vel = model(x, mask)
            loss = transcriber_loss(logits, vel, h, v, mask)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        probs, hits = _probs(model, val)
        f1 = _f1(probs >= 0.5, hits > 0.5)
        if progress:
            print(f"epoch {epoch + 1}/{epochs}: held-out hit F1 {f1:.4f} ({time.time() - t0:.0f} s)", flush=True)
        if f1 > best_f1:
            best_f1, best_epoch = f1, epoch + 1
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        if max_minutes is not None and time.time() - t_train > 60 * max_minutes:
            break
    model.load_state_dict(best_state)
    probs, hits = _probs(model, val)
    thresholds = _tune_thresholds(probs, hits)
    config = replace(config, thresholds=thresholds)
    f1 = _f1(probs >= np.array(thresholds), hits > 0.5)
    metrics = {"onset_examples": len(data["x"]), "loops": len(loops), "best_epoch": best_epoch,
               "held_out_hit_f1": round(f1, 4), "render_seconds": round(render_s, 1),
               "train_seconds": round(time.time() - t0 - render_s, 1)}
    ckpt = Checkpoint(model_type="transcriber", config=config_to_dict(config), state_dict=model.state_dict(),
                      data_summary={"groove": str(groove_dir), "samples": str(samples_dir), "kits": list(TRAIN_KITS),
                                    "held_out_kits": list(HELD_OUT_KITS), "windows": len(loops),
                                    "examples": [str(e) for e in examples]},
                      metrics=metrics, extra={"seed": seed})
    path = save_checkpoint(out / "transcriber.ckpt", ckpt)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return path
