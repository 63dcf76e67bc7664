"""What a rhythm space knows about its latent space, measured once on the training windows.

:func:`build_space_extra` runs at the end of training and its result is stored in the checkpoint
(``extra``); :class:`~latentdrum.spaces.rhythm.RhythmSpace` reads it back. Only the *groove*
windows count here (windows of beat files, no fill flag), so the prior, the knobs and the map
describe grooves and fills are reached through the fill flag alone.

- **Learned prior**, per style (row 0 = all windows): a Gaussian kernel density over the latent
  means of the training windows (their latents, kept, and a bandwidth of half the style's own
  latent spread), plus the mean and Cholesky factor of the style's latent covariance (the
  kernels' shape). One Gaussian per style, as before, missed the many grooves of a style: its
  samples matched real grooves less well (descriptor overlap 0.81 against 0.86 for the kernel
  density) while copying no more training windows (0.4 % exact copies at this bandwidth).
- **Typical groove**, per style: the latent of the style's most typical real window, what
  temperature 0 plays. The mean of the prior is a poor choice: it lies between the style's
  grooves (8ths and 16ths, hats and ride) and decodes to a blur that keeps only the sure hits
  (a rock "groove" of kick and snare, a jazz one of a single ride note). Instead: among the
  windows at the style's median density (within 15 %) whose hats or ride keep a pulse and that,
  for a backbeat style, have the kick on every downbeat and the snare on 2 and 4, the one whose
  latent has the most neighbours
  (highest Gaussian-kernel density among the style's latents), checked once more after decoding.
- **Groove statistics** per style (:class:`~latentdrum.patterns.grooves.GrooveStats`): hits per
  bar percentiles, downbeat and backbeat rates, for the degenerate-sample guard.
- **Knob directions**: mean latent of the top quarter minus the bottom quarter of the windows by
  density (hits per bar) and by complexity (z-scored syncopation + voices used + off-beat ratio),
  halved, so a knob at +-1 moves about one quarter's worth.
- **A 2D map**: PCA axes of the latent means and a sample of map points with their styles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from latentdrum.patterns.descriptors import compute
from latentdrum.patterns.grooves import (
    GrooveStats,
    groove_stats,
    has_backbeat,
    has_pulse,
    hits_per_bar,
    kick_on_downbeat,
    snare_on_backbeat,
)

if TYPE_CHECKING:
    from latentdrum.models.rhythm import RhythmVAE
    from latentdrum.patterns.dataset import PatternDataset

MAP_POINTS = 3000
PRIOR_LATENTS = 6000  # kernel centres kept at random (and up to 200 more of every small style)
PRIOR_PER_STYLE = 200
PRIOR_BANDWIDTH = 0.5  # in units of the style's latent standard deviation (its Cholesky factor)
_DENSITY_BAND = 0.15  # typical groove: within 15 % of the style's median hits per bar
_KERNEL_REFERENCE = 2000  # latents the kernel density is measured against
_CANDIDATES = 1500
_DECODE_CHECKS = 12  # densest candidates decoded to find one that still reads as the style


@torch.inference_mode()
def _encode(model: RhythmVAE, x: np.ndarray, style: np.ndarray) -> np.ndarray:
    xt, st = torch.from_numpy(x), torch.from_numpy(style)
    mus = [model.encode(xt[i : i + 2048], st[i : i + 2048])[0] for i in range(0, len(xt), 2048)]
    return torch.cat(mus).double().numpy()


def _kernel_density(cand: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(C, D), (R, D) -> (C,) mean Gaussian kernel, bandwidth half the median pairwise distance."""
    d2 = (cand**2).sum(1)[:, None] + (ref**2).sum(1)[None] - 2 * cand @ ref.T  # (C, R)
    d2 = np.maximum(d2, 0.0)
    h2 = (0.5 * np.sqrt(np.median(d2))) ** 2 + 1e-12
    return np.exp(-d2 / (2 * h2)).mean(1)


@torch.inference_mode()
def typical_latent(model: RhythmVAE, z: np.ndarray, windows: np.ndarray, style_index: int,
                   stats: GrooveStats, rng: np.random.Generator) -> np.ndarray:
    """The latent (D,) of a style's most typical real groove (see the module docstring).

    ``z`` (N, D) latent means of the style's groove windows ``windows`` (N, T, 3V).
    """
    v = model.config.voices
    hits = windows[..., :v]
    hpb = hits_per_bar(hits)
    ok = np.abs(hpb - stats.hits_p50) <= _DENSITY_BAND * max(stats.hits_p50, 1.0)
    pulsed = ok & has_pulse(hits)
    ok = pulsed if pulsed.sum() >= 5 else ok
    if stats.backbeat:
        strong = ok & kick_on_downbeat(hits).all(1) & snare_on_backbeat(hits).all(1)
        ok = strong if strong.sum() >= 5 else ok
    cand = np.nonzero(ok)[0] if ok.sum() >= 5 else np.argsort(np.abs(hpb - stats.hits_p50))[:50]
    cand = rng.permutation(cand)[:_CANDIDATES]
    ref = z[rng.permutation(len(z))[:_KERNEL_REFERENCE]]
    order = cand[np.argsort(-_kernel_density(z[cand], ref))][:_DECODE_CHECKS]
    # The decoder sees the latent, not the window: keep the first whose decoding is still typical.
    zs = torch.from_numpy(z[order]).float()
    out = model.decode(zs, torch.full((len(zs),), style_index, dtype=torch.long))
    dec = out.to_pattern_tensor(temperature=0.0, keep_counts=True)[..., :v].numpy()
    good = np.abs(hits_per_bar(dec) - stats.hits_p50) <= 2 * _DENSITY_BAND * max(stats.hits_p50, 1.0)
    good &= has_pulse(dec) | ~has_pulse(hits[order])
    if stats.backbeat:
        good &= has_backbeat(dec)
    return z[order[int(np.argmax(good))] if good.any() else order[0]]


@torch.inference_mode()
def build_space_extra(model: RhythmVAE, ds: PatternDataset, train_idx: np.ndarray) -> dict[str, torch.Tensor]:
    """What a :class:`~latentdrum.spaces.rhythm.RhythmSpace` needs besides the weights (module docstring)."""
    model.eval()
    idx = train_idx[~ds.is_fill[train_idx]] if (~ds.is_fill[train_idx]).any() else train_idx
    windows = ds.windows[idx]
    style = ds.style[idx].astype(np.int64) + 1  # 0 = any
    if not model.config.styles:
        style = np.zeros_like(style)
    z = _encode(model, windows, style)  # (N, D)
    d = z.shape[1]
    v = model.config.voices
    rng = np.random.default_rng(0)

    means, chols, modes, stats = [], [], [], []
    for s in range(len(model.config.styles) + 1):
        own = np.ones(len(z), bool) if s == 0 else style == s
        sel = own if own.sum() >= 2 * d else np.ones(len(z), bool)  # too few for a covariance: all windows
        cov = np.cov(z[sel], rowvar=False) + 1e-4 * np.eye(d)
        means.append(z[sel].mean(0))
        chols.append(np.linalg.cholesky(cov))
        typ = own if own.sum() >= 5 else np.ones(len(z), bool)
        st = groove_stats(windows[typ][..., :v])
        stats.append(st.to_list())
        modes.append(typical_latent(model, z[typ], windows[typ], s, st, rng))

    desc = compute(windows[..., :v], windows[..., v : 2 * v], windows[..., 2 * v :])

    def zscore(a: np.ndarray) -> np.ndarray:
        return (a - a.mean()) / (a.std() + 1e-9)

    scores = {
        "density": desc["density"],
        "complexity": zscore(desc["syncopation"]) + zscore(desc["voices_used"]) + zscore(desc["offbeat_ratio"]),
    }
    keep = np.zeros(len(z), bool)
    uniform = np.zeros(len(z), bool)
    uniform[rng.permutation(len(z))[:PRIOR_LATENTS]] = True
    keep |= uniform
    for s in np.unique(style):
        own = np.nonzero(style == s)[0]
        keep[rng.permutation(own)[:PRIOR_PER_STYLE]] = True
    extra: dict[str, torch.Tensor] = {
        "prior_latents": torch.from_numpy(z[keep]).float(),  # (M, D) kernel centres
        "prior_latent_styles": torch.from_numpy(style[keep]),  # (M,) style row, 0 = none
        "prior_latent_uniform": torch.from_numpy(uniform[keep]),  # (M,) the unbiased random subset
        "prior_bandwidth": torch.tensor(PRIOR_BANDWIDTH),
        "prior_mean": torch.from_numpy(np.stack(means)).float(),
        "prior_chol": torch.from_numpy(np.stack(chols)).float(),
        "prior_mode": torch.from_numpy(np.stack(modes)).float(),
        "groove_stats": torch.tensor(stats, dtype=torch.float64),
    }
    for name, score in scores.items():
        lo, hi = np.quantile(score, [0.25, 0.75])
        extra[f"knob_{name}"] = torch.from_numpy(0.5 * (z[score >= hi].mean(0) - z[score <= lo].mean(0))).float()

    mean = z.mean(0)
    _, _, vt = np.linalg.svd(z - mean, full_matrices=False)
    axes = vt[:2]
    pick = rng.permutation(len(z))[:MAP_POINTS]
    extra |= {
        "map_mean": torch.from_numpy(mean).float(),
        "map_axes": torch.from_numpy(axes).float(),
        "map_points": torch.from_numpy((z[pick] - mean) @ axes.T).float(),
        "map_styles": torch.from_numpy(ds.style[idx][pick].astype(np.int64)),
    }
    return extra
