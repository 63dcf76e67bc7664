"""The evaluation's logistic regression tells apart classes that a line separates."""

from __future__ import annotations

import numpy as np

from latentdrum.evaluation.probe import LogisticProbe


def _blobs(n: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centres = 4.0 * np.eye(classes, 6)
    return (centres[y] + rng.standard_normal((n, 6)) + 50.0).astype(np.float32), y  # offset: standardised away


def test_multinomial_probe_recovers_separable_classes_on_new_points() -> None:
    x, y = _blobs(400, 3, 0)
    probe = LogisticProbe(x, y, 3, steps=300, weight_decay=1e-4, seed=0)
    x_new, y_new = _blobs(200, 3, 1)
    assert (probe.predict(x_new) == y_new).mean() > 0.95


def test_binary_probe_balances_a_rare_class() -> None:
    x, y = _blobs(600, 2, 2)
    keep = (y == 0) | (np.arange(len(y)) % 10 == 0)  # positives are rare (about 1 in 20)
    x, y = x[keep], y[keep].astype(np.float32)
    probe = LogisticProbe(x, y, 1, steps=400, weight_decay=1e-3, seed=0, pos_weight=(y == 0).sum() / y.sum())
    x_new, y_new = _blobs(300, 2, 3)
    called = probe.predict(x_new)
    assert called.dtype == bool
    assert called[y_new == 1].mean() > 0.9 and (~called[y_new == 0]).mean() > 0.9


def test_lbfgs_probe_recovers_separable_classes_from_float64_features() -> None:
    x, y = _blobs(400, 3, 4)
    probe = LogisticProbe(x.astype(np.float64), y, 3, steps=300, weight_decay=2e-3, seed=0, solver="lbfgs")
    x_new, y_new = _blobs(200, 3, 5)
    assert (probe.predict(x_new) == y_new).mean() > 0.95
