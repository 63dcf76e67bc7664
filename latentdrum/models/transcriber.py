"""Which drums struck at an onset: a small multi-label network over onset features.

Input ``(B, F)`` float32 onset features (:func:`latentdrum.sounds.onsets.onset_features`: per mel
band what is new at the onset, and the level before and after it); output per voice of the
9-voice layout a hit logit (several drums can strike together: kick and hat on a downbeat) and a
velocity in [0, 1]. Plain MLP: onsets are few (a few per second), so this costs nothing at
run time, and it trains in a minute on renders of real grooves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from latentdrum.errors import ConfigError


@dataclass(frozen=True)
class TranscriberConfig:
    features: int = 194
    voices: int = 9
    hidden: int = 256
    layers: int = 3
    dropout: float = 0.1
    thresholds: tuple[float, ...] = ()  # per voice, tuned for hit F1 after training; () = 0.5

    def __post_init__(self) -> None:
        if self.features < 1 or self.hidden < 8 or self.layers < 1:
            raise ConfigError("features must be >= 1, hidden >= 8 and layers >= 1")
        if self.thresholds and len(self.thresholds) != self.voices:
            raise ConfigError(f"thresholds must list one value per voice ({self.voices})")


class Transcriber(nn.Module):
    def __init__(self, config: TranscriberConfig) -> None:
        super().__init__()
        self.config = c = config
        dims = [c.features] + [c.hidden] * c.layers
        self.body = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(dims))
        self.norms = nn.ModuleList(nn.LayerNorm(b) for b in dims[1:])
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden, 2 * c.voices)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` (B, F) -> hit logits (B, V) and velocities (B, V) in [0, 1]."""
        h = x
        for lin, norm in zip(self.body, self.norms, strict=True):
            h = self.drop(F.gelu(norm(lin(h))))  # (B, H)
        y = self.head(h)  # (B, 2V)
        v = self.config.voices
        return y[:, :v], torch.sigmoid(y[:, v:])

    def thresholds(self) -> torch.Tensor:
        """(V,) hit-probability thresholds."""
        c = self.config
        return torch.tensor(c.thresholds if c.thresholds else (0.5,) * c.voices)


def transcriber_loss(logits: torch.Tensor, velocity: torch.Tensor, hits: torch.Tensor, target_velocity: torch.Tensor
                     ) -> torch.Tensor:
    """Binary cross-entropy of every voice's hit plus the L1 velocity error on the true hits (B, V)."""
    bce = F.binary_cross_entropy_with_logits(logits, hits)
    vel = ((velocity - target_velocity).abs() * hits).sum() / hits.sum().clamp_min(1.0)
    return bce + vel
