"""Reconstruction metrics for drum patterns, shared by training (validation each epoch) and evaluation.

Definitions (the same for the validation and the withheld test split):

- hit F1: over every (step, voice) cell of every window, predicted hit vs true hit;
- velocity MAE: mean |predicted - true| MIDI velocity (0-127) over cells hit in both;
- timing MAE: mean |predicted - true| onset offset in milliseconds at the window's own tempo,
  over cells hit in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class ReconstructionCounts:
    """Running sums, so metrics over many batches are exact (not averages of averages)."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0
    matched: float = 0.0
    velocity_abs: float = 0.0
    timing_abs_ms: float = 0.0

    def update(self, pred: torch.Tensor, true: torch.Tensor, bpm: torch.Tensor) -> None:
        """``pred``, ``true``: (B, T, 3V) pattern tensors (hits 0/1); ``bpm``: (B,)."""
        v = pred.shape[-1] // 3
        ph, th = pred[..., :v] > 0.5, true[..., :v] > 0.5
        both = (ph & th).float()
        self.tp += float(both.sum())
        self.fp += float((ph & ~th).sum())
        self.fn += float((~ph & th).sum())
        self.matched += float(both.sum())
        self.velocity_abs += float(((pred[..., v : 2 * v] - true[..., v : 2 * v]).abs() * both).sum()) * 127.0
        step_ms = (60_000.0 / bpm / 4.0)[:, None, None]  # (B, 1, 1)
        self.timing_abs_ms += float(((pred[..., 2 * v :] - true[..., 2 * v :]).abs() * both * step_ms).sum())

    def metrics(self) -> dict[str, float]:
        precision = self.tp / max(self.tp + self.fp, 1.0)
        recall = self.tp / max(self.tp + self.fn, 1.0)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        return {
            "hit_f1": round(f1, 4),
            "hit_precision": round(precision, 4),
            "hit_recall": round(recall, 4),
            "velocity_mae": round(self.velocity_abs / max(self.matched, 1.0), 3),
            "timing_mae_ms": round(self.timing_abs_ms / max(self.matched, 1.0), 3),
        }


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of (step, voice) cells whose hit differs; ``a``, ``b``: (..., T, V) hits."""
    return ((a > 0.5) != (b > 0.5)).sum(axis=(-2, -1))
