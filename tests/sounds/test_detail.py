"""Spectral detail banks: real partials on decoded envelopes, morphing smoothly, stored compactly."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.spaces.sound import SoundSpace
from latentdrum.spaces.sound_detail import BANK_PER_CLASS, DetailBank, build_bank, detail, envelope


def _peaky(rng: np.random.Generator, n: int, k: int = 4, f: int = 64) -> np.ndarray:
    """``(n, k, f)`` log spectra: a smooth slope with a few sharp partials at random bins."""
    base = np.linspace(0.0, -4.0, f)[None, None].repeat(n, 0).repeat(k, 1).astype(np.float32)
    for i in range(n):
        base[i, :, rng.choice(np.arange(5, f - 5), 3, replace=False)] += 3.0
    return base


def test_envelope_keeps_the_slope_and_detail_keeps_the_partials() -> None:
    x = _peaky(np.random.default_rng(0), 1)[0]
    smooth = np.linspace(0.0, -4.0, 64, dtype=np.float32)[None].repeat(4, 0)
    assert np.allclose(envelope(smooth)[:, 8:-8], smooth[:, 8:-8], atol=1e-5)
    d = detail(x)
    peaks = np.argsort(d[0])[-3:]
    assert set(peaks) == set(np.nonzero(x[0] - smooth[0] > 1)[0])  # the partials are the detail


def test_bank_blend_is_the_member_at_its_own_latent_and_moves_smoothly() -> None:
    rng = np.random.default_rng(1)
    z = rng.standard_normal((10, 3)).astype(np.float32) * 2
    ctrl = _peaky(rng, 10)
    bank = build_bank(z, ctrl, size=10)
    j = 4
    own = np.nonzero(np.all(bank.latents == z[j], axis=1))[0][0]
    at = bank.blend(z[j])
    # At a sound's own latent its detail dominates the blend.
    assert bank.weights(z[j])[1][0] > 0.5
    assert np.corrcoef(at.ravel(), bank.detail[own].ravel())[0, 1] > 0.8
    # A small step in latent space changes the detail a little: morphs do not jump.
    step = bank.blend(z[j] + 1e-3)
    assert np.max(np.abs(step - at)) < 0.05


def test_bank_keeps_at_most_its_size_spread_over_the_class() -> None:
    rng = np.random.default_rng(2)
    z = np.concatenate([rng.normal(0, 0.1, (40, 2)), [[5.0, 5.0]]]).astype(np.float32)
    bank = build_bank(z, _peaky(rng, 41), size=BANK_PER_CLASS)
    assert len(bank.latents) == BANK_PER_CLASS
    assert np.any(np.all(bank.latents == [5.0, 5.0], axis=1))  # the outlier is covered, not dropped


def test_bank_survives_the_checkpoint_form_within_its_step() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((6, 3)).astype(np.float32)
    bank = build_bank(z, _peaky(rng, 6))
    back = DetailBank.from_extra(bank.to_extra())
    assert back is not None
    assert np.allclose(back.latents, bank.latents)
    assert np.max(np.abs(back.detail - bank.detail)) <= 0.016  # half of the 0.03 nats step
    assert DetailBank.from_extra({"latents": z}) is None  # a checkpoint without banks


@pytest.fixture(scope="module")
def space() -> SoundSpace:
    return SoundSpace.load()


def test_bundled_space_plays_real_partials_on_cymbals(space: SoundSpace) -> None:
    """A crash at a bank sound's latent carries that real crash's partials: its decoded detail
    correlates with the stored one (the decoder alone writes a smooth hiss there)."""
    bank = space._detail["crash"]
    assert bank is not None
    logmag, _ = space.decode_spectra(bank.latents[:1], "crash")
    k_pos = np.round(space._positions).astype(int)
    played = detail(logmag[0, k_pos])
    near, w = bank.weights(bank.latents[0])
    assert near[0] == 0 and w[0] > 0.5
    late = slice(len(k_pos) // 2, None)  # the tail, where a cymbal's partials ring
    assert np.corrcoef(played[late].ravel(), bank.detail[0][late].ravel())[0, 1] > 0.5
