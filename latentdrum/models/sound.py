"""The sound VAE: a class-conditional VAE over full-resolution log-magnitude STFTs of one-shots.

Representation (see :mod:`latentdrum.sounds.spectral`): a one-shot is ``(T, F)`` = (517 frames of
5.8 ms = 3 s, 513 STFT bins of 43 Hz) of natural-log magnitudes. Drums change fast at the onset
and slowly in the tail, so encoder and decoder work on ``K`` *control frames* spaced
geometrically in time (every frame at the onset, one in about 40 at the end of a crash); the
decoder's control frames are linearly interpolated (in log magnitude: exponential decays stay
exact) back to all ``T`` frames, and audio is synthesised from those without any learned part,
so one decode is a few matrix products.

Encoder: ``(K*F)`` control frames + class embedding -> MLP -> mean and log-variance ``(D,)``.
Decoder: ``z (D,)`` + class embedding -> MLP -> ``(K, F)`` log magnitudes, added to a learned mean.
Every bin is its own output, so a partial can sit at any frequency and stay sharp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class SoundVAEConfig:
    """Sizes of the sound VAE. ``n_frames``/``n_bins`` must match the spectral representation."""

    n_classes: int = 13
    n_frames: int = 517
    n_bins: int = 513
    n_control: int = 32
    encoder_pool: int = 2  # the encoder sees bins averaged in groups of this many (the decoder writes all)
    latent_dim: int = 32
    class_dim: int = 16
    hidden: int = 384
    log_floor: float = -9.0

    def __post_init__(self) -> None:
        if min(self.n_classes, self.n_frames, self.n_bins, self.n_control, self.latent_dim, self.hidden,
               self.encoder_pool) < 1:
            raise ValueError(f"all sizes must be positive: {self}")
        if self.n_control > self.n_frames:
            raise ValueError(f"n_control ({self.n_control}) cannot exceed n_frames ({self.n_frames})")


def control_frames(n_frames: int, n_control: int) -> np.ndarray:
    """``(K,)`` float64 frame positions, 0 .. n_frames-1, dense at the onset (geometric spacing).

    The first positions are one frame apart; spacing then grows geometrically to the end.
    """
    k = np.arange(n_control, dtype=np.float64)
    # position(k) = a * (r**k - 1) / (r - 1): the first step is a (<= 1 frame), the last lands on T-1.
    last = float(n_frames - 1)
    lo, hi = 1.0 + 1e-9, 2.0
    for _ in range(100):  # solve for r with first step 1 frame
        r = 0.5 * (lo + hi)
        if (r ** (n_control - 1) - 1) / (r - 1) > last:
            hi = r
        else:
            lo = r
    pos = (r**k - 1) / (r - 1)
    if pos[-1] < last - 1e-6:  # too few frames to need geometric spacing
        pos = np.linspace(0.0, last, n_control)
    return pos * (last / pos[-1])


def interpolation_weights(positions: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``(len(src), K)`` float32: linear interpolation of control frames at ``positions`` read at
    frame positions ``src`` (clipped to the first and last control frame)."""
    idx = np.clip(np.searchsorted(positions, src, side="right") - 1, 0, len(positions) - 2)
    frac = np.clip((src - positions[idx]) / (positions[idx + 1] - positions[idx]), 0.0, 1.0)
    m = np.zeros((len(src), len(positions)), dtype=np.float32)
    rows = np.arange(len(src))
    m[rows, idx] = 1.0 - frac
    m[rows, idx + 1] += frac
    return m


def interpolation_matrix(positions: np.ndarray, n_frames: int) -> np.ndarray:
    """``(T, K)`` float32 matrix: frame t = linear interpolation of the control frames at ``positions``."""
    return interpolation_weights(positions, np.arange(n_frames, dtype=np.float64))


def pooling_matrix(positions: np.ndarray, n_frames: int) -> np.ndarray:
    """``(K, T)`` float32: control frame k = mean of the frames nearest to it (the encoder's input)."""
    t = np.arange(n_frames, dtype=np.float64)
    nearest = np.argmin(np.abs(t[:, None] - positions[None, :]), axis=1)
    m = np.zeros((len(positions), n_frames), dtype=np.float32)
    m[nearest, np.arange(n_frames)] = 1.0
    for k in range(len(positions)):
        if m[k].sum() == 0:  # no frame nearest: take the one under it
            m[k, round(positions[k])] = 1.0
    return m / m.sum(axis=1, keepdims=True)


def bin_pooling_matrix(n_bins: int, group: int) -> np.ndarray:
    """``(n_bins, ceil(n_bins / group))`` float32: each output the mean of ``group`` adjacent bins."""
    n_out = -(-n_bins // group)
    m = np.zeros((n_bins, n_out), dtype=np.float32)
    m[np.arange(n_bins), np.arange(n_bins) // group] = 1.0
    return m / m.sum(axis=0, keepdims=True)


def frame_level(logmag: torch.Tensor) -> torch.Tensor:
    """``(..., T, F)`` ln magnitudes -> ``(..., T)`` each frame's overall level (ln of the root of
    its summed power): the envelope a listener hears as attack and decay, dominated by the loudest
    bins where a per-bin error weighs every bin alike."""
    return torch.logsumexp(2.0 * logmag, dim=-1) / 2.0


def _mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)


class SoundVAE(nn.Module):
    """Class-conditional VAE over ``(T, F)`` log-magnitude spectrograms (see the module docstring)."""

    interp: torch.Tensor  # (T, K) control frames -> frames
    pool: torch.Tensor  # (K, T) frames -> control frames
    bin_pool: torch.Tensor  # (F, F') bins -> the encoder's coarser bins
    input_mean: torch.Tensor  # (K, F) mean control-frame log magnitudes of the training data
    input_std: torch.Tensor  # () their overall standard deviation

    def __init__(self, config: SoundVAEConfig) -> None:
        super().__init__()
        self.config = c = config
        pos = control_frames(c.n_frames, c.n_control)
        self.register_buffer("interp", torch.from_numpy(interpolation_matrix(pos, c.n_frames)), persistent=False)
        self.register_buffer("pool", torch.from_numpy(pooling_matrix(pos, c.n_frames)), persistent=False)
        self.class_embedding = nn.Embedding(c.n_classes, c.class_dim)
        self.register_buffer("bin_pool", torch.from_numpy(bin_pooling_matrix(c.n_bins, c.encoder_pool)),
                             persistent=False)
        self.encoder = _mlp([c.n_control * self.bin_pool.shape[1] + c.class_dim, c.hidden, c.hidden, 2 * c.latent_dim])
        self.decoder = _mlp([c.latent_dim + c.class_dim, c.hidden, c.hidden, c.n_control * c.n_bins])
        # Statistics of the training data, set once before training: they centre the input and
        # give the decoder a sensible starting point (the mean spectrogram).
        self.register_buffer("input_mean", torch.zeros(c.n_control, c.n_bins))
        self.register_buffer("input_std", torch.ones(()))

    def set_data_statistics(self, ctrl: torch.Tensor) -> None:
        """``ctrl (N, K, F)`` training control frames: store their mean and overall std."""
        self.input_mean.copy_(ctrl.mean(dim=0))
        self.input_std.copy_(ctrl.std().clamp_min(1e-3))

    def control(self, logmag: torch.Tensor) -> torch.Tensor:
        """``logmag (B, T, F)`` -> ``(B, K, F)`` control frames (each the mean of its nearest frames)."""
        return self.pool @ logmag

    def encode_control(self, ctrl: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``ctrl (B, K, F)`` control frames, ``cls (B,)`` long -> mean, log-variance, each ``(B, D)``."""
        x = ((ctrl - self.input_mean) / self.input_std) @ self.bin_pool  # (B, K, F / pool)
        h = torch.cat([x.flatten(1), self.class_embedding(cls)], dim=1)
        mu, logvar = self.encoder(h).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 6.0)

    def encode(self, logmag: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``logmag (B, T, F)`` log magnitudes, ``cls (B,)`` long -> mean, log-variance, each ``(B, D)``."""
        return self.encode_control(self.control(logmag), cls)

    def decode_control(self, z: torch.Tensor, cls: torch.Tensor, n_control: int | None = None) -> torch.Tensor:
        """``z (B, D)``, ``cls (B,)`` -> ``(B, K, F)`` log magnitudes at the control frames; with
        ``n_control`` only the first K = ``n_control`` of them (the last layer computes only
        their rows: a preview reads less of it)."""
        c = self.config
        k = c.n_control if n_control is None else min(n_control, c.n_control)
        h = torch.cat([z, self.class_embedding(cls)], dim=1)
        if k == c.n_control:
            y = self.decoder(h)
        else:
            last = self.decoder[-1]
            assert isinstance(last, nn.Linear)
            rows = k * c.n_bins
            y = nn.functional.linear(self.decoder[:-1](h), last.weight[:rows], last.bias[:rows])
        return (y.view(-1, k, c.n_bins) * self.input_std + self.input_mean[:k]).clamp_min(c.log_floor)

    def decode(self, z: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
        """``z (B, D)``, ``cls (B,)`` -> ``(B, T, F)`` log magnitudes at every frame."""
        return self.interp @ self.decode_control(z, cls)  # (T, K) @ (B, K, F) -> (B, T, F)

    def forward(self, ctrl: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reconstruct control frames ``ctrl (B, K, F)`` through a sampled ``z``; returns (recon, mu, logvar)."""
        mu, logvar = self.encode_control(ctrl, cls)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.decode_control(z, cls), mu, logvar
