"""Which pattern windows a trainer learns from and which it validates on, the same for every model."""

from __future__ import annotations

import numpy as np

from latentdrum.errors import DatasetError
from latentdrum.patterns.dataset import PatternDataset


def train_val_windows(ds: PatternDataset, seed: int, max_train_windows: int | None = None,
                      source: str = "the data") -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation windows of ``ds``: its own splits, or (without a
    validation split) a seeded tenth of the training windows; at most ``max_train_windows``
    training windows, drawn with the same seed.

    Raises:
        DatasetError: ``ds`` has no training window.
    """
    train_idx, val_idx = ds.indices("train"), ds.indices("validation")
    if len(train_idx) == 0:
        raise DatasetError(f"{source} has no training windows")
    rng = np.random.default_rng(seed)
    if len(val_idx) == 0:
        perm = rng.permutation(train_idx)
        n_val = max(1, len(perm) // 10)
        val_idx, train_idx = perm[:n_val], perm[n_val:]
    if max_train_windows:
        train_idx = rng.permutation(train_idx)[:max_train_windows]
    return train_idx, val_idx
