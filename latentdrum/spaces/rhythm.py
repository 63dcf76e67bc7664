"""The rhythm space: a trained groove VAE as something to play with.

:class:`RhythmSpace` loads a checkpoint (the bundled one by default, never from the internet) and
offers the operations the CLI, the instrument and the web page share: sample, encode, decode,
interpolate, reconstruct a whole MIDI performance, steer with knobs, and a 2D map of the space.

Sampling uses the model's *learned prior* (stored in the checkpoint, see
:mod:`latentdrum.spaces.rhythm_prior`): per style, a Gaussian kernel density over the latent
means of its training windows. With the small KL weight that keeps reconstructions sharp, the
aggregate posterior is not N(0, I), and sampling N(0, I) lands in regions the decoder never saw;
fitting the aggregate posterior is what a two-stage VAE does, at no cost. (Checkpoints from
before the kernel density sample the full-covariance Gaussian they hold.)

``temperature`` T in [0, 3] does two things. The latent point lies T of the way from the
style's *typical groove* (the latent of its most typical real window) to a draw of the learned
prior: ``z = typical + T (draw - typical)``; T = 1 samples the learned prior itself. And the
decoder draws hits, velocities and timing with spread T, keeping each voice's expected number of
hits (:mod:`latentdrum.models.hit_sampling`), so a low temperature is a clean groove, never a
thin one. :meth:`RhythmSpace.sample` also refuses degenerate samples (an empty bar, or far
sparser than the style's real grooves) and draws again; phrases of 1-8 bars with fills are in
:mod:`latentdrum.spaces.phrase`.
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
from latentdrum.patterns.grooves import GrooveStats
from latentdrum.patterns.midi import MidiDrums, concat
from latentdrum.patterns.pattern import Pattern, from_tensor, to_tensor

if TYPE_CHECKING:
    from latentdrum.models.rhythm import RhythmVAE

KNOB_NAMES = ("density", "complexity")
# A model trained before groove statistics were kept: a floor of 2 hits per bar, no backbeat.
_UNKNOWN_STATS = GrooveStats(0, 2.0, 4.0, 0.0, 0.0, 0.0, 0.0)


def check_temperature(temperature: float) -> None:
    if not 0.0 <= temperature <= 3.0:
        raise ConfigError(f"temperature must lie in [0, 3], got {temperature}")


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


NEUTRAL = RhythmKnobs()


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
        mode = extra.get("prior_mode")  # absent in models trained before typical grooves were kept
        self._prior_mode = mode.double().numpy() if mode is not None else self._prior_mean.copy()  # (S + 1, D)
        kde = extra.get("prior_latents")  # the kernel density's centres, if the checkpoint has them
        self._kde = kde.double().numpy() if kde is not None else None  # (M, D)
        self._kde_styles = extra["prior_latent_styles"].long().numpy() if kde is not None else None  # (M,)
        self._kde_uniform = extra["prior_latent_uniform"].bool().numpy() if kde is not None else None  # (M,)
        self._kde_bandwidth = float(extra.get("prior_bandwidth", 0.5))
        stats = extra.get("groove_stats")
        self._groove_stats = ([GrooveStats.from_list(r) for r in stats.tolist()] if stats is not None
                              else [_UNKNOWN_STATS] * len(self._prior_mean))
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

    @property
    def has_fills(self) -> bool:
        """Whether the model reads fill flags (trained on data with beat and fill labels)."""
        return self.config.fills

    def groove_stats(self, style: str | None) -> GrooveStats:
        """Reference numbers of ``style``'s real grooves (None = all), from the training windows."""
        return self._groove_stats[self.model.style_index(style)]

    def prior_chol(self, style: str | None) -> np.ndarray:
        """``(D, D)`` Cholesky factor of ``style``'s learned prior covariance."""
        return self._prior_chol[self.model.style_index(style)]

    def _style_rows(self, style: str | Sequence[str | None] | None, n: int) -> np.ndarray:
        names = [style] * n if style is None or isinstance(style, str) else list(style)
        if len(names) != n:
            raise ConfigError(f"got {len(names)} styles for {n} patterns")
        return np.array([self.model.style_index(s) for s in names], dtype=np.int64)

    # --- latent points ---------------------------------------------------------------------
    def sample_latent(
        self, n: int = 1, style: str | None = None, temperature: float = 1.0, seed: int | None = None
    ) -> np.ndarray:
        """``n`` points of ``style`` (None = any) at ``temperature``: (n, D) float32.

        ``z = typical + T (draw - typical)`` with ``draw`` from the learned prior (module
        docstring); T = 0 gives the style's typical groove n times, T = 1 the learned prior.
        """
        if n < 1:
            raise ConfigError(f"n must be at least 1, got {n}")
        check_temperature(temperature)
        row = self._style_rows(style, 1)[0]
        rng = np.random.default_rng(seed)
        eps = rng.standard_normal((n, self.latent_dim))
        chol = self._prior_chol[row]
        if self._kde is not None:  # kernel density: a training latent of the style, plus a kernel's noise
            assert self._kde_styles is not None and self._kde_uniform is not None
            own = self._kde_styles == row if row > 0 else self._kde_uniform
            centres = self._kde[own] if own.any() else self._kde[self._kde_uniform]
            draw = centres[rng.integers(len(centres), size=n)] + self._kde_bandwidth * eps @ chol.T
        else:
            draw = self._prior_mean[row] + eps @ chol.T
        mode = self._prior_mode[row]
        return (mode + temperature * (draw - mode)).astype(np.float32)

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
        fill: np.ndarray | None = None,
        exact: bool = False,
    ) -> list[Pattern]:
        """Latent points (n, D) or (D,) -> n patterns of :attr:`bars` bars at ``bpm``.

        ``temperature`` T: hits, velocities and micro-timing drawn with spread T (0 = the most
        likely pattern that keeps each voice's expected number of hits; reproducible with
        ``seed``). ``fill`` (n, bars) in {0, 1} marks fill bars (models with fills only).
        ``exact`` decodes by the calibrated hit threshold instead: what reconstruction uses and
        its metrics measure.
        """
        check_temperature(temperature)
        z2 = np.atleast_2d(np.asarray(z, dtype=np.float32))
        if z2.shape[1] != self.latent_dim:
            raise ConfigError(f"latent points must have {self.latent_dim} dimensions, got {z2.shape[1]}")
        s = torch.from_numpy(self._style_rows(style, len(z2)))
        flags = None
        if fill is not None and np.any(fill):
            if not self.has_fills:
                raise ConfigError(f"{self.path} was trained without fill labels, so it cannot play fills; "
                                  "retrain it on data with fill files (Groove MIDI's 'fill' clips)")
            flags = torch.from_numpy(np.asarray(fill, dtype=np.float32).reshape(len(z2), self.bars))
        out = self.model.decode(torch.from_numpy(z2), s, flags)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        tensor = out.to_pattern_tensor(self.hit_threshold, temperature, gen, keep_counts=not exact)
        return from_tensor(tensor, bpm=bpm)

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
        """``steps + 2`` patterns from ``a`` to ``b`` (endpoints included), slerping latent means.

        ``a`` and ``b`` have the same number of bars, a whole number of the model's windows: a
        phrase morphs window by window (window k of ``a`` to window k of ``b``).
        """
        if steps < 0:
            raise ConfigError(f"steps must be >= 0, got {steps}")
        if a.bars != b.bars or a.bars % self.bars:
            raise PatternError(f"interpolation needs two patterns of the same length in whole {self.bars}-bar "
                               f"windows, got {a.bars} and {b.bars} bars")
        wins = a.bars // self.bars
        za = self.encode([a.slice_bars(k * self.bars, self.bars) for k in range(wins)], style)
        zb = self.encode([b.slice_bars(k * self.bars, self.bars) for k in range(wins)], style)
        ts = np.linspace(0.0, 1.0, steps + 2)
        bpms = np.linspace(a.bpm, b.bpm, steps + 2)
        zs = np.stack([slerp(za[k], zb[k], float(t)) for t in ts for k in range(wins)])  # (steps+2) x wins
        pats = self.decode(zs, style)
        return [concat(pats[i * wins : (i + 1) * wins]).with_bpm(float(bpm)) for i, bpm in enumerate(bpms)]

    def reconstruct(self, drums: MidiDrums, style: str | None = None) -> Pattern:
        """Encode and decode every window of a performance, laid back on its own timeline.

        Windows are taken back to back (hop = window length); the result has exactly the input's
        length and tempo.
        """
        bars = self.bars
        total = drums.pattern.bars
        wins = [drums.pattern.slice_bars(s, bars) for s in range(0, total, bars)]
        out = self.decode(self.encode(wins, style), style, bpm=drums.pattern.bpm, exact=True)
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
