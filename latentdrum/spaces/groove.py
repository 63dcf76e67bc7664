"""Humanize and drumify: the groove models (:mod:`latentdrum.models.groove`) as functions on patterns.

- :meth:`GrooveSpace.humanize`: a quantized score -> a performance. Every hit is kept exactly
  (same steps, same voices); velocities and micro-timing come from the model, scaled by
  ``amount`` (0 = the input unchanged, 1 = the model's performance).
- :meth:`GrooveSpace.drumify`: a rhythm -> a full-kit groove that plays on the rhythm's onsets.
  Any pattern is read as taps (all voices collapsed: one tap per step with the loudest hit's
  velocity and timing). The groove's hits fall only on tapped steps, every tapped step gets at
  least its most likely drum, and every hit sits exactly at its tap's time (the taps' timing is
  kept to the sample; the model chooses which drums play and how hard).

Patterns of any length are cut into the model's windows back to back (the last one padded with
silence) and put back together at the input's length and tempo.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import torch

from latentdrum.errors import CheckpointError, ConfigError, PatternError
from latentdrum.models.groove import GrooveConfig, GrooveNet, GrooveOutput
from latentdrum.patterns.midi import concat
from latentdrum.patterns.pattern import MAX_OFFSET, Pattern
from latentdrum.patterns.transforms import tapify

HIT_THRESHOLD = 0.5
DRUMIFY_TEMPERATURE = 0.0


def bundled_groove_checkpoint(task: str) -> Path:
    return Path(str(importlib.resources.files("latentdrum") / "assets" / f"{task}.ckpt"))


class GrooveSpace:
    """A loaded humanize or drumify model."""

    def __init__(self, model: GrooveNet, path: Path, metrics: dict[str, float],
                 hit_thresholds: np.ndarray | None = None) -> None:
        self.model = model.eval()
        v = model.config.voices
        self.hit_thresholds = np.full(v, HIT_THRESHOLD) if hit_thresholds is None else hit_thresholds  # (V,)
        self.config = model.config
        self.path = path
        self.metrics = metrics

    @classmethod
    def load(cls, task: str, path: str | Path | None = None) -> GrooveSpace:
        """Load a ``task`` ('humanize' or 'drumify') checkpoint; None = the bundled one."""
        from latentdrum.models.checkpoint import build_config, load_checkpoint

        path = Path(path) if path is not None else bundled_groove_checkpoint(task)
        ckpt = load_checkpoint(path, "groove")
        config = build_config(GrooveConfig, ckpt.config, path)
        if config.task != task:
            raise CheckpointError(f"{path} is a {config.task!r} model, but {task} needs a {task!r} model; "
                                  f"pass a checkpoint from 'latentdrum rhythm train-groove --task {task}'")
        model = GrooveNet(config)
        try:
            model.load_state_dict({k: v.float() for k, v in ckpt.state_dict.items()})
        except RuntimeError as exc:
            raise CheckpointError(f"{path} does not match its own config; retrain it with this latentdrum") from exc
        thresholds = ckpt.extra.get("hit_thresholds")
        return cls(model, path, dict(ckpt.metrics), None if thresholds is None else thresholds.float().numpy())

    @property
    def styles(self) -> tuple[str, ...]:
        return self.config.styles

    def _windows(self, pattern: Pattern) -> list[Pattern]:
        bars = self.config.steps // 16
        return [pattern.slice_bars(s, bars) for s in range(0, pattern.bars, bars)]

    @torch.inference_mode()
    def _run(self, inputs: np.ndarray, bpm: float, style: str | None) -> GrooveOutput:
        """Model inputs ``(N, T, C_in)`` at one tempo and style -> the model's output."""
        n = len(inputs)
        s = torch.full((n,), self.model.style_index(style), dtype=torch.long)
        return self.model(torch.from_numpy(inputs.astype(np.float32)), torch.full((n,), float(bpm)), s)

    def humanize(self, pattern: Pattern, style: str | None = None, amount: float = 1.0) -> Pattern:
        """The same hits with the model's velocities and timing (see the module docstring)."""
        self._need("humanize")
        if not 0.0 <= amount <= 1.0:
            raise ConfigError(f"amount must lie in [0, 1], got {amount}")
        if pattern.num_hits == 0:
            raise PatternError("the pattern has no hits to humanize; give a MIDI clip with drum notes")
        wins = self._windows(pattern)
        x = np.stack([w.hits for w in wins])  # (N, T, V)
        out = self._run(x, pattern.bpm, style)
        vel_in = np.stack([w.velocities for w in wins])
        off_in = np.stack([w.offsets for w in wins])  # zero for a quantized clip; a played one keeps its own at 0
        vel = vel_in + amount * (out.velocities.numpy() - vel_in)
        off = off_in + amount * (out.offsets.numpy() - off_in)
        parts = [Pattern(h, np.clip(v, 1 / 127, 1.0) * h, np.clip(o, -0.5, MAX_OFFSET) * h, pattern.bpm)
                 for h, v, o in zip(x, vel, off, strict=True)]
        return concat(parts).slice_bars(0, pattern.bars).with_bpm(pattern.bpm)

    def drumify(self, taps: Pattern, style: str | None = None, temperature: float = DRUMIFY_TEMPERATURE,
                seed: int | None = 0) -> Pattern:
        """A full-kit groove on the taps' onsets (see the module docstring and :func:`keep_taps`)."""
        self._need("drumify")
        if taps.num_hits == 0:
            raise PatternError("the rhythm has no taps; record at least one note (any pitch, any channel)")
        wins = self._windows(taps)
        x = tapify(np.stack([w.to_array() for w in wins]))  # (N, T, 3)
        out = self._run(x, taps.bpm, style)
        if not 0.0 <= temperature <= 2.0:
            raise ConfigError(f"temperature must lie in [0, 2], got {temperature}")
        h, vel, off = keep_taps(x, torch.sigmoid(out.hit_logits).numpy(), out.velocities.numpy(), temperature, seed,
                                self.hit_thresholds)
        parts = [Pattern(a, b, c, taps.bpm) for a, b, c in zip(h, vel, off, strict=True)]
        return concat(parts).slice_bars(0, taps.bars).with_bpm(taps.bpm)

    def _need(self, task: str) -> None:
        if self.config.task != task:
            raise ConfigError(f"this is a {self.config.task} model; load a {task} model for {task}")


def keep_taps(taps: np.ndarray, probs: np.ndarray, velocities: np.ndarray, temperature: float = 0.0,
              seed: int | None = None, thresholds: np.ndarray | float = HIT_THRESHOLD
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drumify's rule: the model's hits, kept only on tapped steps, at the taps' times.

    Args:
        taps: ``(N, T, 3)`` tap hit, velocity, offset (see :func:`~latentdrum.patterns.transforms.tapify`).
        probs: ``(N, T, V)`` hit probabilities; velocities: ``(N, T, V)`` in [0, 1].
        temperature: 0 keeps the voices whose probability reaches ``thresholds`` (one, or
            ``(V,)`` per voice, calibrated for hit F1 when the model was trained); T > 0
            draws each voice from its probability sharpened by 1/T (1 = the model's own
            distribution), reproducibly with ``seed``.

    Returns:
        hits, velocities, offsets, each ``(N, T, V)`` float32: on every tapped step the chosen
        voices (at least the most likely one), nothing elsewhere, every hit at its tap's offset.
    """
    tapped = taps[..., 0] > 0.5  # (N, T)
    if temperature > 0:
        odds = (probs / np.clip(1 - probs, 1e-6, None)) ** (1.0 / temperature)
        chosen = np.random.default_rng(seed).random(probs.shape) < odds / (1 + odds)
    else:
        chosen = probs >= thresholds
    hits = chosen & tapped[..., None]
    best = probs.argmax(axis=-1)  # (N, T)
    n_i, t_i = np.nonzero(tapped & ~hits.any(axis=-1))
    hits[n_i, t_i, best[n_i, t_i]] = True
    h = hits.astype(np.float32)
    vel = np.clip(velocities, 1 / 127, 1.0) * h
    off = np.clip(np.broadcast_to(taps[..., 2:3], h.shape), -0.5, MAX_OFFSET) * h
    return h, vel.astype(np.float32), off.astype(np.float32)
