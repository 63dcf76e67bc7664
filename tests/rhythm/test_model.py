from pathlib import Path

import pytest
import torch

from latentdrum.models.rhythm import (
    RhythmLossWeights,
    RhythmVAE,
    RhythmVAEConfig,
    kl_divergence,
    reconstruction_loss,
)
from latentdrum.patterns.midi import read_midi, windows
from latentdrum.patterns.pattern import from_tensor, to_tensor


def test_decoder_output_shapes_and_ranges() -> None:
    model = RhythmVAE(RhythmVAEConfig(latent_dim=16, hidden=64, styles=("funk", "rock"))).eval()
    z = torch.randn(5, 16) * 3
    out = model.decode(z, torch.tensor([0, 1, 2, 0, 1]))
    assert out.hit_logits.shape == out.velocities.shape == out.offsets.shape == (5, 32, 9)
    assert out.velocities.min() >= 0 and out.velocities.max() <= 1
    assert out.offsets.min() > -0.5 and out.offsets.max() < 0.5
    pats = from_tensor(out.to_pattern_tensor())  # validates every range
    assert len(pats) == 5 and all(p.bars == 2 for p in pats)


def test_encoder_shapes_and_kl_free_bits() -> None:
    model = RhythmVAE(RhythmVAEConfig(latent_dim=16, hidden=64))
    x = (torch.rand(4, 32, 27) < 0.2).float()
    mu, logvar = model.encode(x, torch.zeros(4, dtype=torch.long))
    assert mu.shape == logvar.shape == (4, 16)
    clamped, true = kl_divergence(torch.zeros(4, 16), torch.zeros(4, 16), free_bits=0.5)
    assert float(true) == 0.0 and float(clamped) == pytest.approx(8.0)  # 16 dims x 0.5 nats


def test_tiny_model_overfits_a_tiny_real_batch(groove_dir: Path) -> None:
    drums = read_midi(groove_dir / "drummer1/session1/1_funk_80_beat_4-4.mid", "roland")
    x = to_tensor([w for _, w in windows(drums)][:16])
    torch.manual_seed(0)
    model = RhythmVAE(RhythmVAEConfig(latent_dim=16, hidden=128, dec_width=128, dropout=0.0))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    style = torch.zeros(len(x), dtype=torch.long)
    weights = RhythmLossWeights()
    for _ in range(400):
        out, mu, logvar = model(x, style)
        loss = reconstruction_loss(out, x, weights)["recon"] + 0.01 * kl_divergence(mu, logvar)[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(x, style)[0].to_pattern_tensor()
    hits, pred_hits = x[..., :9] > 0.5, pred[..., :9] > 0.5
    assert (hits == pred_hits).float().mean() > 0.99
    both = (hits & pred_hits).float()
    vel_mae = float(((pred[..., 9:18] - x[..., 9:18]).abs() * both).sum() / both.sum()) * 127
    assert vel_mae < 8
