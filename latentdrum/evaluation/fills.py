"""Are generated fills fills? A beat-vs-fill bar classifier, on real bars and on generated phrases.

A logistic regression reads one bar (hits and velocities per step and voice, hits per voice and
onsets per bar) and is trained, classes balanced, on the training split's real bars: the fill bar
of every fill file (:func:`~latentdrum.patterns.fills.fill_bars`) against the bars of beat files.
It is then scored on:

- the evaluated split's real bars: the share of fill bars it calls fills and of groove bars it
  calls grooves (what the classifier can tell at all: the ceiling for the generated ones);
- generated 4-bar phrases with a fill every 4 bars (:class:`~latentdrum.spaces.phrase.Phrase`),
  sampled for every style of the groove table: the share of fill bars (bar 4) it calls fills and
  of groove bars (bars 1-3) it calls grooves.

Beat files hold some unlabelled fills of their own, so neither rate can reach 1 on real bars.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from latentdrum.evaluation.probe import LogisticProbe
from latentdrum.patterns.dataset import PatternDataset
from latentdrum.patterns.fills import fill_bars, groove_bars
from latentdrum.spaces.phrase import Phrase, sample_phrases
from latentdrum.spaces.rhythm import RhythmSpace

V = 9
_GROOVE_BARS = 6000  # training bars of the groove class (a random subset)


def bar_features(bars: np.ndarray) -> np.ndarray:
    """(N, 16, 3V) bars -> (N, F) float32 classifier features."""
    n = len(bars)
    hits, vel = bars[..., :V], bars[..., V : 2 * V]
    counts = hits.sum(axis=1)  # (N, V)
    onsets = (hits.sum(axis=2) > 0).sum(axis=1, keepdims=True)  # (N, 1)
    return np.concatenate([hits.reshape(n, -1), vel.reshape(n, -1), counts, onsets], axis=1).astype(np.float32)


class FillClassifier:
    """Standardised features -> P(fill) (logistic regression, classes balanced)."""

    def __init__(self, fills: np.ndarray, grooves: np.ndarray, seed: int = 0) -> None:
        x = np.concatenate([bar_features(fills), bar_features(grooves)])
        y = np.concatenate([np.ones(len(fills)), np.zeros(len(grooves))]).astype(np.float32)
        self.probe = LogisticProbe(x, y, 1, steps=400, weight_decay=1e-3, seed=seed,
                                   pos_weight=len(grooves) / max(len(fills), 1))

    def is_fill(self, bars: np.ndarray) -> np.ndarray:
        """(N, 16, 3V) -> (N,) bool."""
        return self.probe.predict(bar_features(bars))


def _rates(clf: FillClassifier, fills: np.ndarray, grooves: np.ndarray) -> dict[str, float | int]:
    return {
        "fill_bars": len(fills),
        "groove_bars": len(grooves),
        "fills_called_fill": round(float(clf.is_fill(fills).mean()), 4) if len(fills) else float("nan"),
        "grooves_called_groove": round(float((~clf.is_fill(grooves)).mean()), 4) if len(grooves) else float("nan"),
    }


def fill_report(space: RhythmSpace, ds: PatternDataset, idx: np.ndarray, train_idx: np.ndarray,
                styles: list[str], n: int = 240, seed: int = 0,
                temperatures: tuple[float, ...] = (0.0, 0.3, 0.6, 1.0)) -> dict[str, Any]:
    """The fill classifier's rates on real bars of ``idx`` and on generated phrases (module docstring)."""
    if not space.has_fills:
        return {"note": "this model was trained without fill labels"}
    fills_tr, _ = fill_bars(ds, train_idx)
    grooves_tr = groove_bars(ds, train_idx)
    if len(fills_tr) < 20:
        return {"note": f"only {len(fills_tr)} fill bars in the training split: not measured"}
    rng = np.random.default_rng(seed)
    grooves_tr = grooves_tr[rng.permutation(len(grooves_tr))[:_GROOVE_BARS]]
    clf = FillClassifier(fills_tr, grooves_tr, seed)
    fills_ev, _ = fill_bars(ds, idx)
    out: dict[str, Any] = {"real": _rates(clf, fills_ev, groove_bars(ds, idx)), "generated": {}}
    phrase = Phrase(bars=4, fill_every=4)
    per_style = max(1, n // max(len(styles), 1))
    for t in temperatures:
        gen_fill, gen_groove = [], []
        for k, style in enumerate(styles):
            got = sample_phrases(space, per_style, style, t, seed=seed + k, phrase=phrase)
            arr = np.stack([p.to_array() for p in got.patterns]).reshape(per_style, 4, 16, 3 * V)
            gen_fill.append(arr[:, 3])
            gen_groove.append(arr[:, :3].reshape(-1, 16, 3 * V))
        out["generated"][f"T={t:g}"] = _rates(clf, np.concatenate(gen_fill), np.concatenate(gen_groove))
    return out


def markdown(report: dict[str, Any]) -> str:
    if "real" not in report:
        return f"fills: {report.get('note', 'not measured')}\n"
    lines = ["| bars | fill bars called fill | groove bars called groove |", "|---|---|---|"]
    r = report["real"]
    lines.append(f"| real (evaluated split; {r['fill_bars']} fill, {r['groove_bars']} groove bars) | "
                 f"{r['fills_called_fill']:.2f} | {r['grooves_called_groove']:.2f} |")
    for name, g in report["generated"].items():
        lines.append(f"| generated, {name} ({g['fill_bars']} phrases) | {g['fills_called_fill']:.2f} | "
                     f"{g['grooves_called_groove']:.2f} |")
    return "\n".join(lines) + "\n"
