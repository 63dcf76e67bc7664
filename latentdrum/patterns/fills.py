"""Beat and fill bars of a pattern dataset: per-bar fill flags and spliced groove-to-fill windows.

The Groove MIDI Dataset labels every file ``beat`` or ``fill``; a fill file is about one bar of
fill played on its own (median 0.96 bars), often landing on the next downbeat (a third of them
strike kick, snare or crash on it). A model that plays fills inside a groove needs windows in
which a fill follows a groove bar, which the data does not hold as such. :func:`splice_fills`
makes them from real material only: each fill bar is put after (and before) real groove bars of
the same drummer's session and style, at the fill's tempo; its landing hits start the groove bar
that follows it.

Arrays are in the pattern tensor layout ``(N, T, 3V)`` of :mod:`latentdrum.patterns.pattern`;
fill flags are ``(N, bars)`` float32 in {0, 1}, 1 = the bar is a fill.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from latentdrum.patterns.dataset import PatternDataset
from latentdrum.patterns.pattern import STEPS_PER_BAR

S = STEPS_PER_BAR
MIN_FILL_HITS = 3  # a "fill" bar with fewer hits is a stray tail, not a fill
_LANDING_STEPS = 2  # hits this close to the next downbeat are the fill's landing


@dataclass
class FillWindows:
    """Windows with their fill flags, ready to train on (see the module docstring)."""

    windows: np.ndarray  # (N, T, 3V) float32, with the fill spliced in
    sources: np.ndarray  # (N, T, 3V) float32, the groove windows before the splice
    style: np.ndarray  # (N,) int16, -1 = none
    bpm: np.ndarray  # (N,) float32
    flags: np.ndarray  # (N, bars) float32

    def __len__(self) -> int:
        return len(self.windows)


def _bar_hits(windows: np.ndarray, voices: int) -> np.ndarray:
    """(N, T, 3V) -> (N, bars) hits per bar."""
    n, t = windows.shape[:2]
    return windows[..., :voices].reshape(n, t // S, S, voices).sum(axis=(2, 3))


def window_fill_flags(ds: PatternDataset, idx: np.ndarray, voices: int = 9) -> np.ndarray:
    """(len(idx), bars) flags of real windows: in a fill file's window, every bar with hits beyond a
    landing is a fill bar; beat files' windows are all groove."""
    w = ds.windows[idx]
    bars = w.shape[1] // S
    flags = np.zeros((len(idx), bars), dtype=np.float32)
    fill = ds.is_fill[idx]
    if fill.any():
        body = w[fill][..., :voices].reshape(int(fill.sum()), bars, S, voices)[:, :, _LANDING_STEPS:].sum(axis=(2, 3))
        flags[fill] = (body > 0).astype(np.float32)
    return flags


def fill_bars(ds: PatternDataset, idx: np.ndarray, voices: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """The fill bar of every fill file among ``idx``: ``(F, 16, 3V)`` bars and ``(F,)`` window indices.

    A file's fill bar is the first bar of its first window (the fill itself; what follows it is
    its landing or silence).
    """
    first: dict[int, int] = {}
    for i in idx[ds.is_fill[idx]]:
        first.setdefault(int(ds.file_index[i]), int(i))
    rows = np.array(sorted(first.values()), dtype=np.int64)
    if len(rows) == 0:
        return np.zeros((0, S, ds.windows.shape[2]), np.float32), rows
    bars = ds.windows[rows, :S]
    keep = bars[..., :voices].sum(axis=(1, 2)) >= MIN_FILL_HITS
    return bars[keep], rows[keep]


def groove_bars(ds: PatternDataset, idx: np.ndarray) -> np.ndarray:
    """Every bar of the beat windows among ``idx`` that has a hit: ``(G, 16, 3V)``."""
    w = ds.windows[idx[~ds.is_fill[idx]]]
    bars = w.reshape(-1, S, w.shape[2])
    return bars[bars[..., : w.shape[2] // 3].sum(axis=(1, 2)) > 0]


def splice_fills(ds: PatternDataset, idx: np.ndarray, per_fill: int = 4, seed: int = 0,
                 voices: int = 9) -> FillWindows:
    """Real fills placed in real grooves: for each fill file among ``idx``, ``per_fill`` windows
    ending in the fill (flags ``(0, .., 0, 1)``) and, with 2 bars or more, ``per_fill`` starting
    with it (flags ``(1, 0, ..)``, its landing hits on the next bar's first steps).

    Groove windows come from beat files of the same session and style, else the same style, else
    any beat window among ``idx``.
    """
    rng = np.random.default_rng(seed)
    beats = idx[~ds.is_fill[idx]]
    t, f = ds.windows.shape[1], ds.windows.shape[2]
    bars = t // S
    empty = FillWindows(np.zeros((0, t, f), np.float32), np.zeros((0, t, f), np.float32), np.zeros(0, np.int16),
                        np.zeros(0, np.float32), np.zeros((0, bars), np.float32))
    if len(beats) == 0:
        return empty
    by_session_style: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_style: dict[int, list[int]] = defaultdict(list)
    for i in beats:
        session = posixpath.dirname(ds.files[int(ds.file_index[i])])
        by_session_style[(session, int(ds.style[i]))].append(int(i))
        by_style[int(ds.style[i])].append(int(i))

    fills, rows = fill_bars(ds, idx, voices)
    out_w: list[np.ndarray] = []
    out_src: list[np.ndarray] = []
    out_f: list[np.ndarray] = []
    out_s: list[int] = []
    out_b: list[float] = []
    for bar, row in zip(fills, rows, strict=True):
        session = posixpath.dirname(ds.files[int(ds.file_index[row])])
        style = int(ds.style[row])
        pool = by_session_style.get((session, style)) or by_style.get(style) or beats.tolist()
        landing = None
        if bars >= 2:
            nxt = ds.windows[row, S : 2 * S]
            if nxt[_LANDING_STEPS:, :voices].sum() == 0 and nxt[:, :voices].sum() > 0:
                landing = nxt[:_LANDING_STEPS]
        for g in rng.choice(pool, size=per_fill):
            out_src.append(ds.windows[g])
            w = ds.windows[g].copy()
            w[-S:] = bar
            flags = np.zeros(bars, np.float32)
            flags[-1] = 1
            out_w.append(w)
            out_f.append(flags)
        if bars >= 2:
            for g in rng.choice(pool, size=per_fill):
                out_src.append(ds.windows[g])
                w = ds.windows[g].copy()
                w[:S] = bar
                if landing is not None:
                    struck = landing[:, :voices] > 0  # (2, V)
                    for part in range(3):
                        seg = w[S : S + _LANDING_STEPS, part * voices : (part + 1) * voices]
                        seg[struck] = landing[:, part * voices : (part + 1) * voices][struck]
                flags = np.zeros(bars, np.float32)
                flags[0] = 1
                out_w.append(w)
                out_f.append(flags)
        n_new = len(out_w) - len(out_s)
        out_s += [style] * n_new
        out_b += [float(ds.bpm[row])] * n_new
    if not out_w:
        return empty
    return FillWindows(np.stack(out_w).astype(np.float32), np.stack(out_src).astype(np.float32),
                       np.array(out_s, np.int16),
                       np.array(out_b, np.float32), np.stack(out_f))
