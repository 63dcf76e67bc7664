"""Spectral detail: the partials a decoder cannot place, taken from real sounds of the class.

A VAE decoder trained with an L1 loss on log magnitudes regresses to the mean: for a cymbal it
has never heard it cannot know where that cymbal's partials lie, so it writes the average of
all the places they could be, a smooth hiss (issue 10: the partials of held-out crashes, rides
and open hats keep 0.05-0.4 of their real peak-to-neighbour ratio). The *envelope* it writes is
right (decay, spectral balance, attack); the *fine structure* across bins is what is lost.

So a decoded spectrogram is split in two, both in log magnitude over the control frames:

- its **envelope**: a moving average over :data:`SMOOTH_BINS` bins (387 Hz), kept;
- its **detail** (what is left: partials, the comb of a metal plate, a shell's ring) replaced by
  the detail of the class's real training sounds nearest in latent space, blended by a softmax
  over their distances (:class:`DetailBank`), so moving through the space morphs the detail
  smoothly from one real instrument's partials to the next instead of switching. The bank's
  detail fades in over :data:`RAMP_MS` (10-50 ms after the onset): the fine structure of an
  attack is a noise burst's random pattern, different in every hit, where the tail's is the
  instrument's partials (measured: taking it from the first frame too moved reconstructions
  farther from their originals, paired distance 0.573 against 0.559 on the validation files).

Measured on the held-out kits (``latentdrum sound evaluate``; ``scripts/sound_detail.py`` compares
with and without), the banks bring the partial ratio of cymbal reconstructions to that of real
ones (crash 5.1 -> 34.5, ride 11.8 -> 178, open hat 5.2 -> 29.8; real 13.1, 226, 34.2) at a
slightly larger paired feature distance overall (0.60 -> 0.62: another snare's wire noise is
not this snare's, 0.75 -> 0.88).

The bank holds at most :data:`BANK_PER_CLASS` sounds per class, chosen to cover the class's
latent space (farthest-point order from its medoid), stored as int8 (0.03 nats steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

SMOOTH_BINS = 9  # the envelope's moving average across bins (9 x 43 Hz)
BANK_PER_CLASS = 24
NEIGHBOURS = 3  # bank sounds blended for one latent
# Softmax temperature, relative to the class's median latent distance. Blending log detail averages
# the partials of different instruments away: held-out rides' partial ratio 0.67 of real at 0.5,
# 0.83 at 0.3 (paired distance 0.533 / 0.534; one neighbour only: 0.553, and detail that jumps).
SOFTNESS = 0.3
RAMP_MS = (10.0, 50.0)  # the bank's detail fades in between these times after the onset
_STEP = 0.03  # int8 quantisation step of stored detail, nats (+-3.8 nats = +-33 dB)


def envelope(ctrl: np.ndarray) -> np.ndarray:
    """``(..., F)`` log magnitudes -> ``(..., F)`` their moving average over :data:`SMOOTH_BINS`
    bins (edges repeat the end bins)."""
    x = np.asarray(ctrl, dtype=np.float32)
    h = SMOOTH_BINS // 2
    pad = np.concatenate([np.repeat(x[..., :1], h, -1), x, np.repeat(x[..., -1:], h, -1)], axis=-1)
    c = np.cumsum(pad, axis=-1, dtype=np.float64)
    c = np.concatenate([np.zeros((*c.shape[:-1], 1)), c], axis=-1)
    return ((c[..., SMOOTH_BINS:] - c[..., :-SMOOTH_BINS]) / SMOOTH_BINS).astype(np.float32)


def detail(ctrl: np.ndarray) -> np.ndarray:
    """``(..., F)`` log magnitudes -> their fine structure across bins (minus :func:`envelope`)."""
    x = np.asarray(ctrl, dtype=np.float32)
    return x - envelope(x)


@dataclass(frozen=True)
class DetailBank:
    """Real sounds' spectral detail for one class, addressed by latent position.

    ``latents (M, D)`` float32 where the bank's sounds sit in latent space, ``detail (M, K, F)``
    float32 their control frames' :func:`detail`, ``scale``: the class's median distance between
    two latents (the softmax's unit).
    """

    latents: np.ndarray
    detail: np.ndarray
    scale: float

    def weights(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``z (D,)`` -> indices ``(n,)`` of the nearest bank sounds and their weights (sum 1)."""
        d = np.linalg.norm(self.latents - np.asarray(z, dtype=np.float32)[None], axis=1)
        near = np.argsort(d)[:NEIGHBOURS]
        w = np.exp(-(d[near] - d[near[0]]) / (SOFTNESS * self.scale))
        return near, w / w.sum()

    def blend(self, z: np.ndarray) -> np.ndarray:
        """``z (D,)`` -> ``(K, F)`` float32 detail: the nearest bank sounds' detail, softmax-weighted."""
        near, w = self.weights(z)
        return np.tensordot(w.astype(np.float32), self.detail[near], axes=1)

    def apply(self, ctrl: np.ndarray, z: np.ndarray, floor: float, amount: np.ndarray) -> np.ndarray:
        """``ctrl (K, F)`` decoded log magnitudes of latent ``z (D,)`` -> the same envelope with
        ``amount (K,)`` of the bank's detail and the rest of the decoder's own (clamped at
        ``floor``): the sound the space plays. ``ctrl`` may hold only the first K control frames
        (a preview's)."""
        env = envelope(ctrl)
        k = len(ctrl)
        a = np.asarray(amount, dtype=np.float32)[:k, None]
        return np.maximum(env + a * self.blend(z)[:k] + (1.0 - a) * (ctrl - env), floor)

    # ---- the checkpoint's form ---------------------------------------------------------------

    def to_extra(self) -> dict[str, Any]:
        """Tensors for a checkpoint's ``extra`` (detail as int8 steps of 0.03 nats)."""
        q = np.clip(np.round(self.detail / _STEP), -127, 127).astype(np.int8)
        return {"detail_latents": torch.from_numpy(self.latents.astype(np.float32)),
                "detail": torch.from_numpy(q), "detail_scale": float(self.scale)}

    @classmethod
    def from_extra(cls, c: dict[str, Any]) -> DetailBank | None:
        """The bank stored by :meth:`to_extra` in one class's ``extra`` entry (``None``: none stored)."""
        if "detail" not in c:
            return None
        q = np.asarray(c["detail"].numpy() if isinstance(c["detail"], torch.Tensor) else c["detail"])
        lat = c["detail_latents"]
        lat = np.asarray(lat.numpy() if isinstance(lat, torch.Tensor) else lat, dtype=np.float32)
        return cls(lat, q.astype(np.float32) * _STEP, float(c["detail_scale"]))


def detail_amount(positions: np.ndarray, frame_seconds: float) -> np.ndarray:
    """``(K,)`` float32: how much of the bank's detail each control frame takes, from its position
    ``positions (K,)`` in STFT frames of ``frame_seconds`` (0 until 10 ms, 1 from 50 ms)."""
    ms = np.asarray(positions, dtype=np.float64) * frame_seconds * 1000.0
    return np.clip((ms - RAMP_MS[0]) / (RAMP_MS[1] - RAMP_MS[0]), 0.0, 1.0).astype(np.float32)


def build_bank(latents: np.ndarray, ctrl: np.ndarray, size: int = BANK_PER_CLASS) -> DetailBank:
    """A class's bank from its training sounds: ``latents (N, D)`` and their real control frames
    ``ctrl (N, K, F)``. Keeps up to ``size`` sounds spread over the class's latent space (greedy
    farthest-point order starting at the medoid)."""
    z = np.asarray(latents, dtype=np.float64)
    dist = np.linalg.norm(z[:, None] - z[None], axis=-1)  # (N, N)
    chosen = [int(np.argmin(dist.sum(axis=1)))]
    gap = dist[chosen[0]].copy()
    while len(chosen) < min(size, len(z)):
        nxt = int(np.argmax(gap))
        chosen.append(nxt)
        gap = np.minimum(gap, dist[nxt])
    pairs = dist[np.triu_indices(len(z), 1)]
    scale = float(np.median(pairs)) if len(pairs) else 1.0
    sel = np.array(chosen)
    return DetailBank(z[sel].astype(np.float32), detail(ctrl[sel]), max(scale, 1e-6))
