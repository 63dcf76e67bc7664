"""The groove model: a score in, a performance out (GrooVAE's humanize and Tap2Drum tasks).

One plain module serves both tasks; :class:`GrooveConfig` says which.

- **humanize**: input per step the 9 voices' hits of a quantized score (velocities flattened,
  offsets zero); output per hit a velocity and a timing offset. Hits are kept exactly.
- **drumify**: input per step one tapped rhythm (hit, velocity, offset of the tap); output a
  full-kit pattern: per step and voice a hit logit, a velocity and an offset.

Both also read the tempo (timing feel depends on it: a 16th at 70 BPM is twice as long as at 140)
and, optionally, a style. The body is a stack of dilated residual 1D convolutions over the steps
(kernel 3, dilations 1, 2, 4, 8 repeated: a receptive field of the whole 2-bar window), which
on one CPU thread trains in minutes and runs a window in well under a millisecond.

Tensors: input ``(B, T, C_in)`` float32 (``C_in`` = 9 for humanize, 3 for drumify; hit channels
in {0, 1}, velocities in [0, 1], offsets in [-0.5, 0.5) of a step), ``bpm`` ``(B,)``, ``style``
``(B,)`` long (0 = any). Output :class:`GrooveOutput` of ``(B, T, V)`` tensors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from latentdrum.errors import ConfigError
from latentdrum.models.rhythm import style_embedding_index

Task = Literal["humanize", "drumify"]
TASKS: tuple[str, ...] = ("humanize", "drumify")


@dataclass(frozen=True)
class GrooveConfig:
    """Shape of the model. ``styles`` lists style names; style index i+1 is styles[i], 0 = any."""

    task: Task = "humanize"
    steps: int = 32
    voices: int = 9
    width: int = 128
    blocks: int = 8
    style_dim: int = 16
    dropout: float = 0.1
    styles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ConfigError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.steps < 16 or self.steps % 16:
            raise ConfigError(f"steps must be a whole number of bars (16 per bar), got {self.steps}")
        if self.width < 8 or self.blocks < 1:
            raise ConfigError("width must be >= 8 and blocks >= 1")

    @property
    def in_channels(self) -> int:
        return self.voices if self.task == "humanize" else 3


@dataclass
class GrooveOutput:
    """All ``(B, T, V)``: hit logits (drumify only; humanize keeps the input's hits), and Laplace
    locations and scales of velocity (in [0, 1]) and offset (in (-0.5, 0.5) of a step)."""

    hit_logits: torch.Tensor
    velocities: torch.Tensor
    offsets: torch.Tensor
    velocity_scale: torch.Tensor
    offset_scale: torch.Tensor


class _Block(nn.Module):
    """Pre-norm residual dilated conv: (B, W, T) -> (B, W, T)."""

    def __init__(self, width: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(1, width)
        self.conv = nn.Conv1d(width, 2 * width, 3, padding=dilation, dilation=dilation)
        self.out = nn.Conv1d(width, width, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        a, b = self.conv(self.norm(x) + cond).chunk(2, dim=1)  # (B, W, T) each
        return x + self.drop(self.out(torch.tanh(a) * torch.sigmoid(b)))


class GrooveNet(nn.Module):
    def __init__(self, config: GrooveConfig) -> None:
        super().__init__()
        self.config = c = config
        self.style_emb = nn.Embedding(len(c.styles) + 1, c.style_dim)
        self.step_emb = nn.Parameter(torch.randn(16, c.width) * 0.02)  # position in the bar
        self.inp = nn.Conv1d(c.in_channels, c.width, 1)
        self.cond = nn.Linear(c.style_dim + 1, c.width)
        self.blocks = nn.ModuleList(_Block(c.width, 2 ** (i % 4), c.dropout) for i in range(c.blocks))
        self.norm = nn.GroupNorm(1, c.width)
        self.head = nn.Conv1d(c.width, 5 * c.voices, 1)

    def style_index(self, style: str | None) -> int:
        """Embedding index of a style name; None or "any" = 0."""
        return style_embedding_index(self.config.styles, style)

    def forward(self, x: torch.Tensor, bpm: torch.Tensor, style: torch.Tensor) -> GrooveOutput:
        """``x`` (B, T, C_in), ``bpm`` (B,), ``style`` (B,) long -> :class:`GrooveOutput`."""
        c = self.config
        _b, t, _ = x.shape
        tempo = (torch.log(bpm.float().clamp(20, 400)) - math.log(110.0)).unsqueeze(-1)  # (B, 1)
        cond = self.cond(torch.cat([self.style_emb(style), tempo], dim=-1)).unsqueeze(-1)  # (B, W, 1)
        pos = self.step_emb.repeat(t // 16, 1).T.unsqueeze(0)  # (1, W, T)
        h = self.inp(x.transpose(1, 2)) + pos  # (B, W, T)
        for block in self.blocks:
            h = block(h, cond)  # (B, W, T)
        y = self.head(F.gelu(self.norm(h))).transpose(1, 2)  # (B, T, 5V)
        v = c.voices
        return GrooveOutput(
            hit_logits=y[..., :v],
            velocities=torch.sigmoid(y[..., v : 2 * v]),
            offsets=0.5 * torch.tanh(y[..., 2 * v : 3 * v]),
            velocity_scale=F.softplus(y[..., 3 * v : 4 * v]) * 0.1 + 1e-3,
            offset_scale=F.softplus(y[..., 4 * v :]) * 0.1 + 1e-3,
        )


def groove_loss(out: GrooveOutput, target: torch.Tensor, bpm: torch.Tensor, task: Task) -> dict[str, torch.Tensor]:
    """Per-window loss against the real performance ``target`` (B, T, 3V) at ``bpm`` (B,).

    On the true hits only: the absolute timing error in ms (/ 10) and velocity error (x 10),
    what the evaluation reports (an error in steps costs twice the ms at half the tempo), plus
    the Laplace NLL of the scales around the detached locations (the spread sampling draws
    from). Drumify adds the binary cross-entropy of every step and voice's hit.
    """
    v = out.velocities.shape[-1]
    hits, vel, off = target[..., :v], target[..., v : 2 * v], target[..., 2 * v :]
    b = target.shape[0]
    step_ms = (60_000.0 / bpm.float() / 4)[:, None, None]  # (B, 1, 1)
    timing = ((out.offsets - off).abs() * step_ms / 10.0 * hits).sum() / b
    velocity = ((out.velocities - vel).abs() * 10.0 * hits).sum() / b
    scales = ((_laplace_nll(vel, out.velocities.detach(), out.velocity_scale)
               + _laplace_nll(off, out.offsets.detach(), out.offset_scale)) * hits).sum() / b
    hit = F.binary_cross_entropy_with_logits(out.hit_logits, hits, reduction="sum") / b
    total = timing + velocity + 0.1 * scales + (hit if task == "drumify" else 0.0)
    return {"loss": total, "hit": hit, "velocity": velocity, "timing": timing, "scales": scales}


def _laplace_nll(x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (x - loc).abs() / scale + torch.log(2 * scale)
