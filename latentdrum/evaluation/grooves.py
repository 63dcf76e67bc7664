"""Grooves at every setting: per style and temperature, what the sampler gives against real grooves.

For each style (the issue's list first, then every other style with enough groove windows) and
each temperature, :func:`groove_table` draws ``n`` guarded samples exactly as ``latentdrum rhythm
sample`` does (:func:`~latentdrum.spaces.phrase.sample_phrases`) and reports:

- hits per bar: median and 10th-90th percentile, samples vs the style's real groove windows;
- the share of empty patterns (after the guard; the target is 0), how many draws the guard
  refused and how many samples stayed degenerate;
- kick on the downbeat and snare on 2 and 4, as shares of bars, samples vs real.

A last row per style ("dice") is what the instrument's dice give: temperature 1 with the strong
groove check (:func:`~latentdrum.spaces.phrase.sample_phrases` with ``strong``).

The real reference is the style's groove windows (beat files) of the *training* split: what the
style's grooves are and what the model was asked to learn. The validation split holds too few
windows of most styles (no reggae at all) for a per-style reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from latentdrum.patterns.dataset import PatternDataset
from latentdrum.patterns.grooves import hits_per_bar, kick_on_downbeat, snare_on_backbeat
from latentdrum.spaces.phrase import sample_phrases
from latentdrum.spaces.rhythm import RhythmSpace

ISSUE_STYLES = ("rock", "funk", "jazz", "hiphop", "latin", "pop", "reggae")
TEMPERATURES = (0.0, 0.3, 0.6, 1.0)
MIN_GROOVE_WINDOWS = 100


def _summary(hits: np.ndarray) -> dict[str, float]:
    hpb = hits_per_bar(hits)
    return {
        "hits_per_bar_median": round(float(np.median(hpb)), 2),
        "hits_per_bar_p10": round(float(np.percentile(hpb, 10)), 2),
        "hits_per_bar_p90": round(float(np.percentile(hpb, 90)), 2),
        "empty_share": round(float((hits.sum(axis=(1, 2)) == 0).mean()), 4),
        "kick_downbeat": round(float(kick_on_downbeat(hits).mean()), 3),
        "snare_backbeat": round(float(snare_on_backbeat(hits).mean()), 3),
    }


def table_styles(space: RhythmSpace, ds: PatternDataset, train_idx: np.ndarray) -> list[str]:
    """The issue's styles the model knows, then any other with >= MIN_GROOVE_WINDOWS groove windows."""
    beats = train_idx[~ds.is_fill[train_idx]]
    counts = {s: int((ds.style[beats] == i).sum()) for i, s in enumerate(ds.styles)}
    known = [s for s in space.styles if counts.get(s, 0) >= MIN_GROOVE_WINDOWS]
    return [s for s in ISSUE_STYLES if s in known] + [s for s in known if s not in ISSUE_STYLES]


def groove_table(space: RhythmSpace, ds: PatternDataset, train_idx: np.ndarray, n: int = 100,
                 seed: int = 0, temperatures: tuple[float, ...] = TEMPERATURES) -> dict[str, Any]:
    """The per-style x temperature report (module docstring) as ``{"rows": [...], "markdown": str}``."""
    beats = train_idx[~ds.is_fill[train_idx]]
    v = space.config.voices
    rows = []
    for style in table_styles(space, ds, train_idx):
        real = _summary(ds.windows[beats[ds.style[beats] == ds.styles.index(style)], :, :v])
        settings = [(t, False) for t in temperatures] + [(1.0, True)]
        for t, strong in settings:
            got = sample_phrases(space, n, style, t, seed=seed, strong=strong)
            hits = np.stack([p.hits for p in got.patterns])
            rows.append({"style": style, "temperature": t, "setting": "dice" if strong else f"T={t:g}",
                         "samples": n, "redrawn": got.redrawn, "still_degenerate": len(got.degenerate),
                         **_summary(hits), "real": real})
    return {"reference": "groove windows of the training split", "rows": rows, "markdown": markdown(rows)}


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table as the issue asks for it (samples vs real in each cell)."""
    out = ["| style | setting | hits/bar median [p10-p90] | real | empty | redrawn | "
           "kick on 1 | real | snare on 2+4 | real |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        re = r["real"]
        out.append(
            f"| {r['style']} | {r['setting']} | {r['hits_per_bar_median']:.1f} [{r['hits_per_bar_p10']:.1f}-"
            f"{r['hits_per_bar_p90']:.1f}] | {re['hits_per_bar_median']:.1f} [{re['hits_per_bar_p10']:.1f}-"
            f"{re['hits_per_bar_p90']:.1f}] | {100 * r['empty_share']:.0f} % | {r['redrawn']} | "
            f"{r['kick_downbeat']:.2f} | {re['kick_downbeat']:.2f} | {r['snare_backbeat']:.2f} | "
            f"{re['snare_backbeat']:.2f} |"
        )
    return "\n".join(out) + "\n"
