"""Building the sound classifier from labelled one-shots, and measuring it on whole held-out kits.

:func:`fit_classifier` (numpy + scipy, a minute on one CPU core for ~500 sounds):

1. features of every sound (:mod:`latentdrum.sounds.features`), plus four speed-changed copies
   (x0.67, x0.8, x1.25, x1.5: pitch and decay move together, as on a sampler), so the classifier
   hears more than the few kits it is given;
2. each (kit, class) pair weighs the same in the loss: 250 velocity layers of one snare do not
   outvote one drum machine's snare;
3. the L2 strength is chosen, and the temperature fitted, on leave-one-kit-out predictions: the
   confidence is calibrated on kits the classifier did not see, as a user's kit will be;
4. the confidence threshold is the lowest at which those held-out predictions are right at
   least :data:`TARGET_PRECISION` of the time;
5. a final fit on every sound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.signal import resample_poly
from scipy.special import logsumexp

from latentdrum.errors import AudioError, DatasetError
from latentdrum.sounds.audio import MAX_SAMPLES, SAMPLE_RATE, prepare_one_shot
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.classifier import SoundClassifier
from latentdrum.sounds.features import FEATURE_SECONDS, FEATURE_VERSION, sound_features

SPEEDS: tuple[tuple[int, int], ...] = ((2, 3), (4, 5), (5, 4), (3, 2))  # (up, down) resampling ratios
L2_GRID = (0.003, 0.01, 0.03, 0.1)
TARGET_PRECISION = 0.8
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.91, 0.05))


def _speed_changed(audio: np.ndarray, up: int, down: int) -> np.ndarray:
    """``(B, L)`` one-shots played ``down/up`` times faster, prepared again to ``(B, MAX_SAMPLES)``."""
    out = np.zeros((len(audio), MAX_SAMPLES), np.float32)
    moved = resample_poly(audio, up, down, axis=1).astype(np.float32)
    for i, a in enumerate(moved):
        try:
            out[i] = prepare_one_shot(a).audio
        except AudioError:  # too short once sped up: keep it as it is
            out[i, : min(len(a), MAX_SAMPLES)] = a[:MAX_SAMPLES]
    return out


def _weights(labels: np.ndarray, kits: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(kits.astype(np.int64) * 1000 + labels, return_inverse=True, return_counts=True)
    w = 1.0 / counts[inverse]
    return w / w.sum()


def _fit_lr(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression by L-BFGS: ``x`` (N, F) standardised, ``y`` (N,)
    class indices, ``w`` (N,) summing to 1 -> weights (F, C), bias (C,)."""
    f = x.shape[1]
    onehot = np.eye(n_classes)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = theta[: f * n_classes].reshape(f, n_classes), theta[f * n_classes:]
        z = x @ weights + bias
        logp = z - logsumexp(z, axis=1, keepdims=True)
        g = (np.exp(logp) - onehot) * w[:, None]  # (N, C)
        value = -float((w * (onehot * logp).sum(axis=1)).sum()) + 0.5 * l2 * float((weights**2).sum())
        return value, np.concatenate([(x.T @ g + l2 * weights).ravel(), g.sum(axis=0)])

    res = minimize(loss, np.zeros(f * n_classes + n_classes), jac=True, method="L-BFGS-B",
                   options={"maxiter": 3000})
    return res.x[: f * n_classes].reshape(f, n_classes), res.x[f * n_classes:]


def _nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    z = logits / t
    return float(-(z[np.arange(len(y)), y] - logsumexp(z, axis=1)).mean())


def fit_classifier(audio: np.ndarray, labels: Sequence[str], kits: Sequence[str],
                   duration: np.ndarray | None = None, augment: bool = True) -> SoundClassifier:
    """Fit a calibrated classifier (see the module docstring).

    Args:
        audio: ``(N, L)`` prepared one-shots (:func:`~latentdrum.sounds.audio.prepare_one_shot`).
        labels: ``N`` class names (a subset of :data:`~latentdrum.sounds.classes.CLASSES`).
        kits: ``N`` kit names (folders); two or more are needed to calibrate on unseen kits.
        duration: ``(N,)`` seconds from onset in the original files (default the kept length).

    Raises:
        DatasetError: fewer than two kits, or a label that is not a class.
    """
    bad = sorted(set(labels) - set(CLASSES))
    if bad:
        raise DatasetError(f"unknown classes {bad}; labels must be among {', '.join(CLASSES)}")
    kit_names = sorted(set(kits))
    if len(kit_names) < 2 or len(audio) != len(labels) or len(labels) != len(kits):
        raise DatasetError(f"need labelled sounds from at least two kits to calibrate on unseen kits (got "
                           f"{len(kit_names)} kits, {len(audio)} sounds, {len(labels)} labels)")
    classes = tuple(c for c in CLASSES if c in set(labels))
    y = np.array([classes.index(c) for c in labels])
    k = np.array([kit_names.index(s) for s in kits])
    # default: the length the features look at (the first second), as at classification time
    kept = min(audio.shape[1], FEATURE_SECONDS * SAMPLE_RATE) / SAMPLE_RATE
    dur = np.full(len(audio), kept) if duration is None else np.asarray(duration, np.float64)
    views = [sound_features(audio, dur)]
    if augment:
        views += [sound_features(_speed_changed(audio, up, down), dur * up / down) for up, down in SPEEDS]
    mean, scale = views[0].mean(axis=0), views[0].std(axis=0) + 1e-6
    xs = [(v - mean) / scale for v in views]

    def train(mask: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
        xa = np.concatenate([x[mask] for x in xs])
        ya, ka = np.tile(y[mask], len(xs)), np.tile(k[mask], len(xs))
        return _fit_lr(xa, ya, _weights(ya, ka), l2, len(classes))

    best: tuple[float, float, np.ndarray] | None = None
    for l2 in L2_GRID:
        oof = np.zeros((len(y), len(classes)))
        for kit in range(len(kit_names)):
            held = k == kit
            w, b = train(~held, l2)
            oof[held] = xs[0][held] @ w + b
        acc = float(np.mean([(oof[k == i].argmax(1) == y[k == i]).mean() for i in range(len(kit_names))]))
        if best is None or acc > best[0]:
            best = (acc, l2, oof)
    assert best is not None
    kit_acc, l2, oof = best
    t = float(minimize_scalar(lambda v: _nll(oof, y, v), bounds=(0.05, 20.0), method="bounded").x)
    z = oof / t
    p = np.exp(z - logsumexp(z, axis=1, keepdims=True))
    conf, right = p.max(axis=1), p.argmax(axis=1) == y
    threshold = next((th for th in THRESHOLDS
                      if (conf >= th).any() and right[conf >= th].mean() >= TARGET_PRECISION), THRESHOLDS[-1])
    weights, bias = train(np.ones(len(y), bool), l2)
    bins = np.minimum((conf * 10).astype(int), 9)
    ece = float(sum(abs(right[bins == i].mean() - conf[bins == i].mean()) * (bins == i).mean()
                    for i in range(10) if (bins == i).any()))
    info = {
        "trained_on": {"sounds": len(y), "kits": kit_names,
                       "per_class": {c: int((y == i).sum()) for i, c in enumerate(classes)}},
        "settings": {"l2": l2, "augment_speeds": [f"{u}/{d}" for u, d in SPEEDS] if augment else [],
                     "feature_version": FEATURE_VERSION, "target_precision": TARGET_PRECISION},
        "leave_one_kit_out": {"accuracy": round(float(right.mean()), 3), "mean_kit_accuracy": round(kit_acc, 3),
                              "nll_before": round(_nll(oof, y, 1.0), 3), "nll_after": round(_nll(oof, y, t), 3),
                              "ece": round(ece, 3),
                              "coverage_at_threshold": round(float((conf >= threshold).mean()), 3),
                              "accuracy_at_threshold": round(float(right[conf >= threshold].mean()), 3)},
    }
    return SoundClassifier(classes=classes, mean=mean, scale=scale, weights=weights, bias=bias,
                           temperature=t, threshold=float(threshold), info=info)
