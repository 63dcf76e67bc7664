"""Which drums struck at each onset of a loop: a small network over the loop's onset features.

Input ``(B, K, F)`` float32: the features of a loop's ``K`` onsets
(:func:`latentdrum.sounds.onsets.onset_features`: per mel band what is new at the onset, and the
level before and after it), with a ``(B, K)`` bool mask of the real onsets (padding is False).
Output per onset and voice of the 9-voice layout a hit logit (several drums can strike
together: kick and hat on a downbeat) and a velocity in [0, 1].

Each onset is first embedded alone (an MLP); then, with ``context_layers > 0``, self-attention
over all onsets of the loop lets each one be judged against the others: which sound is this
kit's kick, which of three toms is the lowest, how loud this hit is against the loop's own
hits. There is no position encoding: the onsets are a set, and a loop of any length works.
A sound never heard in training (another kit) is easier to place against its own loop than
against the training kits alone. With ``context_layers = 0`` it is a per-onset MLP.
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
    context_layers: int = 0  # self-attention blocks over the loop's onsets (0 = each onset alone)
    heads: int = 4
    thresholds: tuple[float, ...] = ()  # per voice, tuned for hit F1 after training; () = 0.5

    def __post_init__(self) -> None:
        if self.features < 1 or self.hidden < 8 or self.layers < 1:
            raise ConfigError("features must be >= 1, hidden >= 8 and layers >= 1")
        if self.context_layers < 0 or self.heads < 1 or self.hidden % self.heads:
            raise ConfigError("context_layers must be >= 0 and hidden a multiple of heads")
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
        self.context = nn.ModuleList(
            nn.TransformerEncoderLayer(c.hidden, c.heads, 2 * c.hidden, c.dropout, activation="gelu",
                                       batch_first=True, norm_first=True)
            for _ in range(c.context_layers))
        self.head = nn.Linear(c.hidden, 2 * c.voices)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` (B, K, F), ``mask`` (B, K) True on real onsets (None: all) -> hit logits (B, K, V)
        and velocities (B, K, V) in [0, 1]."""
        h = x
        for lin, norm in zip(self.body, self.norms, strict=True):
            h = self.drop(F.gelu(norm(lin(h))))  # (B, K, H)
        pad = None if mask is None else ~mask
        for block in self.context:
            h = block(h, src_key_padding_mask=pad)  # (B, K, H)
        y = self.head(h)  # (B, K, 2V)
        v = self.config.voices
        return y[..., :v], torch.sigmoid(y[..., v:])

    def thresholds(self) -> torch.Tensor:
        """(V,) hit-probability thresholds."""
        c = self.config
        return torch.tensor(c.thresholds if c.thresholds else (0.5,) * c.voices)


def transcriber_loss(logits: torch.Tensor, velocity: torch.Tensor, hits: torch.Tensor, target_velocity: torch.Tensor,
                     mask: torch.Tensor | None = None) -> torch.Tensor:
    """Binary cross-entropy of every voice's hit plus the L1 velocity error on the true hits;
    all ``(B, K, V)``, ``mask`` ``(B, K)`` True on real onsets (padding does not count)."""
    w = torch.ones_like(hits) if mask is None else mask[..., None].expand_as(hits).to(hits.dtype)
    bce = (F.binary_cross_entropy_with_logits(logits, hits, reduction="none") * w).sum() / w.sum().clamp_min(1.0)
    on = hits * w
    vel = ((velocity - target_velocity).abs() * on).sum() / on.sum().clamp_min(1.0)
    return bce + vel
