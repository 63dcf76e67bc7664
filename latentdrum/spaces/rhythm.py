"""The rhythm space: a trained groove VAE as something to play with.

:class:`RhythmSpace` loads a checkpoint (the bundled one by default, never from the internet) and
offers the operations the CLI, the instrument and the web page share: sample, encode, decode,
interpolate, reconstruct a whole MIDI performance, steer with knobs, and a 2D map of the space.

Sampling uses the model's *learned prior*: a full-covariance Gaussian fitted, per style, to the
latent means of the training windows (stored in the checkpoint). With the small KL weight that
keeps reconstructions sharp, the aggregate posterior is not N(0, I), and sampling N(0, I) lands
in regions the decoder never saw; the fitted Gaussian is what a two-stage VAE does, at no cost.
``temperature`` scales its spread.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from latentdrum.errors import CheckpointError, ConfigError, PatternError
from latentdrum.patterns.midi import MidiDrums, concat
from latentdrum.patterns.pattern import Pattern, from_tensor, to_tensor

if TYPE_CHECKING:
    from latentdrum.models.rhythm import RhythmVAE
    from latentdrum.patterns.dataset import PatternDataset

KNOB_NAMES = ("density", "complexity")
_MAP_POINTS = 3000


def bundled_rhythm_checkpoint() -> Path:
    return Path(str(importlib.resources.files("latentdrum") / "assets" / "rhythm.ckpt"))


@dataclass(frozen=True)
class RhythmKnobs:
    """Steering in the latent space, in [-1, 1] (0 = leave the groove as it is)."""

    density: float = 0.0
    complexity: float = 0.0

    def __post_init__(self) -> None:
        for name in KNOB_NAMES:
            v = getattr(self, name)
            if not -1.0 <= v <= 1.0:
                raise ConfigError(f"{name} must lie in [-1, 1], got {v}")


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between latent points ``a`` and ``b`` (D,) at ``t`` in [0, 1]."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-8 or nb < 1e-8:
        return (1 - t) * a + t * b
    cos = float(np.clip(np.dot(a / na, b / nb), -1.0, 1.0))
    omega = np.arccos(cos)
    if omega < 1e-4:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


class RhythmSpace:
    """A loaded groove VAE plus what the checkpoint knows about its latent space."""

    def __init__(self, model: RhythmVAE, extra: dict[str, Any], metrics: dict[str, Any], path: Path) -> None:
        from latentdrum.models.checkpoint import weights_id

        self.model = model.eval()
        self.config = model.config
        self.path = path
        self.model_id = weights_id(model.state_dict())  # what scenes record to say which model made them
        self.metrics = metrics
        self.hit_threshold = float(extra.get("hit_threshold", 0.5))
        self._prior_mean = extra["prior_mean"].double().numpy()  # (S + 1, D), row 0 = any style
        self._prior_chol = extra["prior_chol"].double().numpy()  # (S + 1, D, D)
        self.knob_vectors = {k: extra[f"knob_{k}"].float().numpy() for k in KNOB_NAMES}  # (D,) each
        self.map_mean = extra["map_mean"].float().numpy()  # (D,)
        self.map_axes = extra["map_axes"].float().numpy()  # (2, D)
        self.map_points = extra["map_points"].float().numpy()  # (M, 2)
        self.map_styles = extra["map_styles"].long().numpy()  # (M,) -1 = none

    @classmethod
    def load(cls, path: str | Path | None = None) -> RhythmSpace:
        """Load a rhythm checkpoint; None loads the model bundled with the package."""
        from latentdrum.models.checkpoint import build_config, load_checkpoint
        from latentdrum.models.rhythm import RhythmVAE, RhythmVAEConfig

        path = Path(path) if path is not None else bundled_rhythm_checkpoint()
        ckpt = load_checkpoint(path, "rhythm")
        model = RhythmVAE(build_config(RhythmVAEConfig, ckpt.config, path))
        try:
            model.load_state_dict({k: v.float() for k, v in ckpt.state_dict.items()})
        except RuntimeError as exc:
            raise CheckpointError(
                f"{path} does not match its own config (its weights come from another model layout); "
                "retrain it with this latentdrum version"
            ) from exc
        missing = [k for k in ("prior_mean", "prior_chol", "map_mean", "map_axes") if k not in ckpt.extra]
        if missing:
            raise CheckpointError(f"{path} lacks its latent-space data {missing}; re-run 'latentdrum rhythm train'")
        return cls(model, ckpt.extra, ckpt.metrics, path)

    @property
    def styles(self) -> tuple[str, ...]:
        return self.config.styles

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    @property
    def bars(self) -> int:
        return self.config.bars

    def _style_rows(self, style: str | Sequence[str | None] | None, n: int) -> np.ndarray:
        names = [style] * n if style is None or isinstance(style, str) else list(style)
        if len(names) != n:
            raise ConfigError(f"got {len(names)} styles for {n} patterns")
        return np.array([self.model.style_index(s) for s in names], dtype=np.int64)

    # --- latent points ---------------------------------------------------------------------
    def sample_latent(
        self, n: int = 1, style: str | None = None, temperature: float = 1.0, seed: int | None = None
    ) -> np.ndarray:
        """``n`` points from the learned prior of ``style`` (None = any): (n, D) float32."""
        if n < 1:
            raise ConfigError(f"n must be at least 1, got {n}")
        if not 0.0 <= temperature <= 3.0:
            raise ConfigError(f"temperature must lie in [0, 3], got {temperature}")
        row = self._style_rows(style, 1)[0]
        eps = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        z = self._prior_mean[row] + temperature * eps @ self._prior_chol[row].T
        return z.astype(np.float32)

    def steer(self, z: np.ndarray, knobs: RhythmKnobs) -> np.ndarray:
        """Move latent points (n, D) along the density and complexity directions."""
        out = np.array(z, dtype=np.float32, copy=True)
        for name in KNOB_NAMES:
            out += getattr(knobs, name) * self.knob_vectors[name]
        return out

    # --- patterns <-> latents --------------------------------------------------------------
    @torch.inference_mode()
    def decode(
        self,
        z: np.ndarray,
        style: str | Sequence[str | None] | None = None,
        bpm: float = 120.0,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> list[Pattern]:
        """Latent points (n, D) or (D,) -> n patterns at ``bpm``.

        ``temperature`` > 0 also draws each hit's velocity and micro-timing from the decoder's
        own spread (0 = its most likely values; reproducible with ``seed``).
        """
        z2 = np.atleast_2d(np.asarray(z, dtype=np.float32))
        if z2.shape[1] != self.latent_dim:
            raise ConfigError(f"latent points must have {self.latent_dim} dimensions, got {z2.shape[1]}")
        s = torch.from_numpy(self._style_rows(style, len(z2)))
        out = self.model.decode(torch.from_numpy(z2), s)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        return from_tensor(out.to_pattern_tensor(self.hit_threshold, temperature, gen), bpm=bpm)

    @torch.inference_mode()
    def encode(self, patterns: Sequence[Pattern], style: str | Sequence[str | None] | None = None) -> np.ndarray:
        """Latent means (n, D) of patterns of exactly this model's length."""
        for p in patterns:
            if p.steps != self.config.steps:
                raise PatternError(
                    f"this model reads {self.bars}-bar patterns ({self.config.steps} steps), got {p.bars} bars; "
                    "cut the pattern into windows first (reconstruct does this for whole files)"
                )
        s = torch.from_numpy(self._style_rows(style, len(patterns)))
        mu, _ = self.model.encode(to_tensor(patterns), s)
        return mu.numpy()

    def interpolate(self, a: Pattern, b: Pattern, steps: int, style: str | None = None) -> list[Pattern]:
        """``steps + 2`` patterns from ``a`` to ``b`` (endpoints included), slerping latent means."""
        if steps < 0:
            raise ConfigError(f"steps must be >= 0, got {steps}")
        za, zb = self.encode([a, b], style)
        ts = np.linspace(0.0, 1.0, steps + 2)
        bpms = np.linspace(a.bpm, b.bpm, steps + 2)
        zs = np.stack([slerp(za, zb, float(t)) for t in ts])
        pats = self.decode(zs, style)
        return [p.with_bpm(float(bpm)) for p, bpm in zip(pats, bpms, strict=True)]

    def reconstruct(self, drums: MidiDrums, style: str | None = None) -> Pattern:
        """Encode and decode every window of a performance, laid back on its own timeline.

        Windows are taken back to back (hop = window length); the result has exactly the input's
        length and tempo.
        """
        bars = self.bars
        total = drums.pattern.bars
        wins = [drums.pattern.slice_bars(s, bars) for s in range(0, total, bars)]
        out = self.decode(self.encode(wins, style), style, bpm=drums.pattern.bpm)
        whole = concat(out)
        return whole.slice_bars(0, total).with_bpm(drums.pattern.bpm)

    # --- the 2D map -------------------------------------------------------------------------
    def to_map(self, z: np.ndarray) -> np.ndarray:
        """Latent points (n, D) -> 2D map positions (n, 2)."""
        return (np.atleast_2d(z) - self.map_mean) @ self.map_axes.T

    def from_map(self, xy: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
        """Map position (2,) -> latent point (D,): ``base`` with its map component replaced by ``xy``."""
        base = self.map_mean if base is None else np.asarray(base, dtype=np.float32)
        current = self.to_map(base)[0]
        return (base + (np.asarray(xy) - current) @ self.map_axes).astype(np.float32)


@torch.inference_mode()
def build_space_extra(model: RhythmVAE, ds: PatternDataset, train_idx: np.ndarray) -> dict[str, torch.Tensor]:
    """What a :class:`RhythmSpace` needs besides the weights, computed from the training windows.

    - learned prior: per style (row 0 = all windows) the mean and Cholesky factor of the
      covariance of the latent means;
    - knob directions: mean latent of the top quarter minus the bottom quarter of the windows by
      density (hits per bar) and by complexity (z-scored syncopation + voices used + off-beat
      ratio), halved, so a knob at +-1 moves about one quarter's worth;
    - a 2D map: PCA axes of the latent means and a sample of map points with their styles.
    """
    from latentdrum.patterns.descriptors import compute

    model.eval()
    x = torch.from_numpy(ds.windows[train_idx])
    style = torch.from_numpy(ds.style[train_idx].astype(np.int64) + 1)
    if not model.config.styles:
        style = torch.zeros_like(style)
    mus = [model.encode(x[i : i + 2048], style[i : i + 2048])[0] for i in range(0, len(x), 2048)]
    z = torch.cat(mus).double().numpy()  # (N, D)
    d = z.shape[1]

    means, chols = [], []
    for s in range(len(model.config.styles) + 1):
        sel = z if s == 0 else z[style.numpy() == s]
        if len(sel) < 2 * d:  # too few windows for a covariance: fall back to all windows
            sel = z
        cov = np.cov(sel, rowvar=False) + 1e-4 * np.eye(d)
        means.append(sel.mean(0))
        chols.append(np.linalg.cholesky(cov))

    v = model.config.voices
    desc = compute(ds.windows[train_idx, :, :v], ds.windows[train_idx, :, v : 2 * v], ds.windows[train_idx, :, 2 * v :])

    def zscore(a: np.ndarray) -> np.ndarray:
        return (a - a.mean()) / (a.std() + 1e-9)

    scores = {
        "density": desc["density"],
        "complexity": zscore(desc["syncopation"]) + zscore(desc["voices_used"]) + zscore(desc["offbeat_ratio"]),
    }
    extra: dict[str, torch.Tensor] = {
        "prior_mean": torch.from_numpy(np.stack(means)).float(),
        "prior_chol": torch.from_numpy(np.stack(chols)).float(),
    }
    for name, score in scores.items():
        lo, hi = np.quantile(score, [0.25, 0.75])
        extra[f"knob_{name}"] = torch.from_numpy(0.5 * (z[score >= hi].mean(0) - z[score <= lo].mean(0))).float()

    mean = z.mean(0)
    _, _, vt = np.linalg.svd(z - mean, full_matrices=False)
    axes = vt[:2]
    pick = np.random.default_rng(0).permutation(len(z))[:_MAP_POINTS]
    extra |= {
        "map_mean": torch.from_numpy(mean).float(),
        "map_axes": torch.from_numpy(axes).float(),
        "map_points": torch.from_numpy((z[pick] - mean) @ axes.T).float(),
        "map_styles": torch.from_numpy(ds.style[train_idx][pick].astype(np.int64)),
    }
    return extra
