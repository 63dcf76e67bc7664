"""The groove VAE: residual-MLP encoder and decoder over whole drum patterns.

Input and output use the pattern tensor layout of :mod:`latentdrum.patterns.pattern`:
``(B, T, 3V)`` float32 with hits in {0, 1}, velocities in [0, 1] and offsets in [-0.5, 0.5).

The encoder reads the whole flattened pattern at once: a bidirectional GRU encoder (GrooVAE's)
took about 1.8 s per training batch of 256 on this 2-core machine, this MLP 0.13 s, which is what
makes training the bundled model in minutes possible. The decoder is *not* autoregressive: a
residual MLP turns the latent point into a feature vector for every step (plus a learned step
embedding), and a small per-step MLP reads hits, velocities and offsets off it, all steps in one
pass. A pattern comes out of a latent point in about 0.3 ms on one CPU thread (an
autoregressive GRU decoder took 3 ms, a dilated-conv decoder 2 ms: at batch 1 the CPU time goes
to per-op overhead and weight reads, so the decoder is kept small), and moving the latent point
moves the whole groove smoothly. Optional style conditioning uses an embedding whose index 0
means "any style"; training drops the style now and then so the same model also samples
model samples unconditionally.

With ``fills`` on, both encoder and decoder also read a per-bar *fill flag* ``(B, bars)`` in
{0, 1}: 1 marks a bar the drummer fills (Groove MIDI's ``fill`` label). The flag enters the
decoder's trunk (so the whole pattern knows which bar breaks the groove) and, per step, a learned
vector for each position of a fill bar. The same latent point decoded with flags (0, 0) and
(0, 1) is one groove, played straight through or ending in its fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from latentdrum.errors import ConfigError
from latentdrum.models.hit_sampling import count_preserving_hits


def style_embedding_index(styles: Sequence[str], style: str | None) -> int:
    """Embedding index of ``style`` among a model's ``styles``: 0 for None or "any" (the
    unconditional embedding), else its position + 1.

    Raises:
        ConfigError: the model does not know the style.
    """
    if style is None or style == "any":
        return 0
    if style not in styles:
        raise ConfigError(f"unknown style {style!r}; this model knows {', '.join(styles) or 'none'}")
    return list(styles).index(style) + 1

@dataclass(frozen=True)
class RhythmVAEConfig:
    """Shape of the model. ``styles`` lists the style names; style index i+1 is styles[i], 0 = any."""

    steps: int = 32
    voices: int = 9
    latent_dim: int = 128
    hidden: int = 512
    enc_blocks: int = 2
    dec_width: int = 256
    dec_blocks: int = 2
    step_dim: int = 48
    style_dim: int = 16
    dropout: float = 0.1
    styles: tuple[str, ...] = ()
    fills: bool = False

    def __post_init__(self) -> None:
        if self.steps % 16:
            raise ConfigError(f"steps must be a whole number of bars (16 per bar), got {self.steps}")
        if self.latent_dim < 2 or self.hidden < 8:
            raise ConfigError("latent_dim must be >= 2 and hidden >= 8")

    @property
    def bars(self) -> int:
        return self.steps // 16

    @property
    def features(self) -> int:
        return 3 * self.voices


@dataclass
class RhythmOutput:
    """Decoder output, all ``(B, T, V)``.

    Hits are Bernoulli (``hit_logits``); velocities and offsets are Laplace distributions with
    location ``velocities`` in [0, 1] / ``offsets`` in (-0.5, 0.5) and scales ``velocity_scale`` /
    ``offset_scale`` (same units). The location is what a reconstruction plays; sampling the
    scale back in gives prior samples the velocity and timing spread of real drumming, which a
    mean-only decoder averages away.
    """

    hit_logits: torch.Tensor
    velocities: torch.Tensor
    offsets: torch.Tensor
    velocity_scale: torch.Tensor
    offset_scale: torch.Tensor

    def to_pattern_tensor(
        self,
        threshold: float = 0.5,
        temperature: float = 0.0,
        generator: torch.Generator | None = None,
        keep_counts: bool = False,
    ) -> torch.Tensor:
        """``(B, T, 3V)`` in pattern layout.

        ``keep_counts`` (what generation uses): hits by
        :func:`~latentdrum.models.hit_sampling.count_preserving_hits`, so every temperature keeps
        each voice's expected number of hits. Otherwise (what reconstruction metrics use):
        ``temperature`` 0 takes hits where their probability reaches ``threshold``; T > 0 draws
        each from a Bernoulli whose odds are raised to 1/T. Either way ``temperature`` 0 plays
        velocities and offsets at their locations and T > 0 draws them from their Laplace
        distributions with scales multiplied by T.
        """
        probs = torch.sigmoid(self.hit_logits)
        if keep_counts:
            hits = count_preserving_hits(self.hit_logits, temperature, generator)
        elif temperature > 0:
            sharp = (probs / (1 - probs).clamp_min(1e-6)).pow(1.0 / temperature)  # odds ** (1/T)
            u = torch.rand(probs.shape, generator=generator, dtype=probs.dtype)
            hits = (u < sharp / (1 + sharp)).float()
        else:
            hits = (probs >= threshold).float()
        vel, off = self.velocities, self.offsets
        if temperature > 0:
            vel = vel + temperature * self.velocity_scale * _laplace_like(vel, generator)
            off = off + temperature * self.offset_scale * _laplace_like(off, generator)
            vel, off = vel.clamp(1 / 127, 1.0), off.clamp(-0.5, 0.4999)
        return torch.cat([hits, vel * hits, off * hits], dim=-1)


def _laplace_like(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype) - 0.5
    return -torch.sign(u) * torch.log1p(-2 * u.abs().clamp(max=0.4999999))


class RhythmVAE(nn.Module):
    def __init__(self, config: RhythmVAEConfig) -> None:
        super().__init__()
        self.config = c = config
        self.style_emb = nn.Embedding(len(c.styles) + 1, c.style_dim)
        nf = c.bars if c.fills else 0  # fill flags, one per bar
        self.enc_in = nn.Linear(c.steps * c.features + c.style_dim + nf, c.hidden)
        self.enc_blocks = nn.ModuleList(ResidualMLP(c.hidden, c.dropout) for _ in range(c.enc_blocks))
        self.enc_norm = nn.LayerNorm(c.hidden)
        self.to_mu = nn.Linear(c.hidden, c.latent_dim)
        self.to_logvar = nn.Linear(c.hidden, c.latent_dim)
        self.dec_in = nn.Linear(c.latent_dim + c.style_dim + nf, c.dec_width)
        self.blocks = nn.ModuleList(ResidualMLP(c.dec_width, c.dropout) for _ in range(c.dec_blocks))
        self.to_steps = nn.Linear(c.dec_width, c.steps * c.step_dim)
        self.step_emb = nn.Parameter(torch.randn(c.steps, c.step_dim) * 0.02)
        if c.fills:
            self.fill_emb = nn.Parameter(torch.randn(16, c.step_dim) * 0.02)  # per position in a fill bar
        self.step_mlp = nn.Linear(c.step_dim, c.step_dim)
        self.head = nn.Linear(c.step_dim, 5 * c.voices)  # hit logit, 2 x (location, scale)

    def style_index(self, style: str | None) -> int:
        """Embedding index of a style name; None or "any" = 0."""
        return style_embedding_index(self.config.styles, style)

    def _fill_flags(self, fill: torch.Tensor | None, batch: int) -> list[torch.Tensor]:
        """The fill flags as inputs: ``[(B, bars) float]``, or ``[]`` for a model without fills."""
        c = self.config
        if not c.fills:
            return []
        if fill is None:
            return [torch.zeros(batch, c.bars)]
        if fill.shape != (batch, c.bars):
            raise ConfigError(f"fill flags must have shape ({batch}, {c.bars}), got {tuple(fill.shape)}")
        return [fill.float()]

    def encode(
        self, x: torch.Tensor, style: torch.Tensor, fill: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` (B, T, 3V), ``style`` (B,) long, ``fill`` (B, bars) or None -> mean, log-variance (B, D)."""
        parts = [x.flatten(1), self.style_emb(style), *self._fill_flags(fill, x.shape[0])]
        h = self.enc_in(torch.cat(parts, dim=-1))  # (B, H)
        for block in self.enc_blocks:
            h = block(h)  # (B, H)
        h = F.gelu(self.enc_norm(h))
        return self.to_mu(h), self.to_logvar(h).clamp(-10.0, 5.0)

    def decode(self, z: torch.Tensor, style: torch.Tensor, fill: torch.Tensor | None = None) -> RhythmOutput:
        """``z`` (B, D), ``style`` (B,) long, ``fill`` (B, bars) or None (no fill) -> (B, T, V) outputs."""
        c = self.config
        flags = self._fill_flags(fill, z.shape[0])
        h = self.dec_in(torch.cat([z, self.style_emb(style), *flags], dim=-1))  # (B, W)
        for block in self.blocks:
            h = block(h)  # (B, W)
        steps = self.to_steps(F.gelu(h)).view(-1, c.steps, c.step_dim) + self.step_emb  # (B, T, E)
        if flags:
            per_step = flags[0].repeat_interleave(16, dim=1)  # (B, T)
            steps = steps + per_step[..., None] * self.fill_emb.repeat(c.bars, 1)  # (B, T, E)
        y = self.head(F.gelu(self.step_mlp(F.gelu(steps))))  # (B, T, 5V)
        v = c.voices
        return RhythmOutput(
            hit_logits=y[..., :v],
            velocities=torch.sigmoid(y[..., v : 2 * v]),
            offsets=0.5 * torch.tanh(y[..., 2 * v : 3 * v]),
            velocity_scale=F.softplus(y[..., 3 * v : 4 * v]) * 0.1 + 1e-3,
            offset_scale=F.softplus(y[..., 4 * v :]) * 0.1 + 1e-3,
        )

    def forward(
        self,
        x: torch.Tensor,
        style: torch.Tensor,
        fill: torch.Tensor | None = None,
        target_fill: torch.Tensor | None = None,
    ) -> tuple[RhythmOutput, torch.Tensor, torch.Tensor]:
        """Encode ``x`` with its fill flags ``fill``, decode with ``target_fill`` (default: the same)."""
        mu, logvar = self.encode(x, style, fill)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.decode(z, style, fill if target_fill is None else target_fill), mu, logvar


class ResidualMLP(nn.Module):
    """Pre-norm residual block: LayerNorm, Linear, GELU, Linear. (B, W) -> (B, W)."""

    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.norm(x)))))


@dataclass(frozen=True)
class RhythmLossWeights:
    velocity: float = 1.0
    offset: float = 1.0


def reconstruction_loss(out: RhythmOutput, x: torch.Tensor, weights: RhythmLossWeights) -> dict[str, torch.Tensor]:
    """Per-pattern negative log-likelihoods, summed over steps and voices and averaged over the batch.

    Hits: binary cross-entropy everywhere. Velocities and offsets: Laplace NLL on the true hits
    only (where nothing is struck they mean nothing, as in GrooVAE). The Laplace location is the
    median, so reconstructions minimise the absolute error the metrics report.
    """
    v = out.hit_logits.shape[-1]
    hits, vel, off = x[..., :v], x[..., v : 2 * v], x[..., 2 * v :]
    b = x.shape[0]
    hit = F.binary_cross_entropy_with_logits(out.hit_logits, hits, reduction="sum") / b
    vel_l = (_laplace_nll(vel, out.velocities, out.velocity_scale) * hits).sum() / b
    off_l = (_laplace_nll(off, out.offsets, out.offset_scale) * hits).sum() / b
    total = hit + weights.velocity * vel_l + weights.offset * off_l
    return {"recon": total, "hit": hit, "velocity": vel_l, "offset": off_l}


def _laplace_nll(x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (x - loc).abs() / scale + torch.log(2 * scale)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor, free_bits: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """KL(q || N(0, I)) per pattern: (the free-bits-clamped value to optimise, the true value).

    ``free_bits`` is in nats per latent dimension, averaged over the batch before clamping
    (Kingma et al. 2016), so dimensions below it cost nothing and are not pushed into collapse.
    """
    kl_dim = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)  # (B, D)
    true = kl_dim.sum(-1).mean()
    clamped = kl_dim.mean(0).clamp(min=free_bits).sum()
    return clamped, true
