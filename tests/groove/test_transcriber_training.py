"""The transcriber network judges a loop's onsets as a set, and its training renders are made
the way the module says (choke, augmentation, labels), on tiny inputs."""

from __future__ import annotations

import numpy as np
import torch

from latentdrum.models.transcriber import Transcriber, TranscriberConfig, transcriber_loss
from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.training.transcriber_data import augment_mix, augment_voice, label_onsets, mix

CH, OH = VOICES.index("closed_hat"), VOICES.index("open_hat")


def _model() -> Transcriber:
    torch.manual_seed(0)
    return Transcriber(TranscriberConfig(features=12, hidden=32, context_layers=2, dropout=0.0)).eval()


def test_padding_and_order_do_not_change_what_an_onset_is_heard_as() -> None:
    model = _model()
    x = torch.randn(1, 7, 12)
    with torch.inference_mode():
        alone, _ = model(x)
        padded = torch.cat([x, torch.randn(1, 5, 12) * 10], dim=1)  # a batch-mate's longer loop
        mask = torch.tensor([[True] * 7 + [False] * 5])
        batched, _ = model(padded, mask)
        perm = torch.randperm(7)
        shuffled, _ = model(x[:, perm])
    torch.testing.assert_close(batched[:, :7], alone, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(shuffled, alone[:, perm], atol=1e-5, rtol=1e-5)


def test_each_onset_is_judged_against_the_rest_of_its_loop() -> None:
    model = _model()
    x = torch.randn(1, 6, 12)
    other = torch.cat([x[:, :1], torch.randn(1, 5, 12)], dim=1)  # same first onset, another loop
    with torch.inference_mode():
        a, _ = model(x)
        b, _ = model(other)
    assert not torch.allclose(a[0, 0], b[0, 0], atol=1e-4)


def test_the_loss_ignores_padding() -> None:
    logits, vel = torch.zeros(1, 4, 9), torch.full((1, 4, 9), 0.5)
    hits = torch.zeros(1, 4, 9)
    hits[0, 0, 0] = 1.0
    mask = torch.tensor([[True, True, False, False]])
    garbage = hits.clone()
    garbage[0, 2:] = 1.0  # labels of padded onsets must not count
    assert transcriber_loss(logits, vel, hits, hits, mask) == transcriber_loss(logits, vel, garbage, garbage, mask)


def test_a_closed_hat_chokes_the_ringing_open_hat_and_labels_follow_the_hits() -> None:
    p = Pattern.empty(1, 120.0)
    p.hits[0, OH], p.velocities[0, OH] = 1.0, 1.0
    p.hits[2, CH], p.velocities[2, CH] = 1.0, 1.0  # 250 ms later
    ring = np.ones(SAMPLE_RATE, dtype=np.float32) * 0.1  # a 1 s open hat
    silent = np.zeros(10, dtype=np.float32)
    shots = [[silent] for _ in VOICES]
    shots[OH] = [ring]
    choked = mix(p, shots, np.zeros(len(VOICES)), choke=True)
    free = mix(p, shots, np.zeros(len(VOICES)), choke=False)
    cut = round(0.25 * SAMPLE_RATE)
    assert np.abs(choked[cut + 500 :]).max() == 0.0 and free[cut + 500] > 0.05  # cut after a 10 ms fade
    hits, vel = label_onsets(np.array([0.001, 0.26, 0.4]), p)
    assert hits[0, OH] == 1 and hits[1, CH] == 1 and hits[2].sum() == 0 and vel[1, CH] == 1.0


def test_augmentation_keeps_the_audio_usable() -> None:
    rng = np.random.default_rng(3)
    shot = (np.random.default_rng(0).standard_normal(4410) * np.exp(-np.arange(4410) / 800)).astype(np.float32)
    for _ in range(5):
        a = augment_voice(shot, rng, shot[::-1].copy())
        assert a.dtype == np.float32 and len(a) > 100 and np.isfinite(a).all() and np.abs(a).max() > 0
        loop = augment_mix(np.tile(shot, 10), rng)
        assert loop.shape == (44100,) and np.isfinite(loop).all() and np.abs(loop).max() > 0


def test_training_on_examples_files_writes_a_checkpoint_from_audio_loads(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from latentdrum.cli import main
    from latentdrum.sounds.onsets import N_FEATURES
    from latentdrum.spaces.listen import LoopTranscriber

    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 30, 24)
    k = int(lengths.sum())
    hits = (rng.random((k, 9)) < 0.2).astype(np.float32)
    x = rng.standard_normal((k, N_FEATURES)).astype(np.float32)
    x[:, :9] += 3 * hits  # learnable: a hit shows in its features
    np.savez(tmp_path / "a.npz", x=x, hits=hits, velocity=hits * 0.7, lengths=lengths)
    assert main(["rhythm", "train-transcriber", "--data", str(tmp_path), "--samples", str(tmp_path), "--out",
                 str(tmp_path / "run"), "--examples", str(tmp_path / "a.npz"), str(tmp_path / "a.npz"),
                 "--epochs", "3", "--hidden", "16", "--context-layers", "1", "--no-progress"]) == 0
    tr = LoopTranscriber.load(tmp_path / "run" / "transcriber.ckpt")
    assert tr.metrics["loops"] == 48 and len(tr.model.config.thresholds) == 9
    found, vel = tr.voices(x[:20])
    assert found.shape == (20, 9) and vel.shape == (20, 9)
    assert main(["rhythm", "train-transcriber", "--data", str(tmp_path), "--samples", str(tmp_path), "--out",
                 str(tmp_path / "bad"), "--examples", str(tmp_path / "missing.npz")]) != 0
    assert "render it with --render-only" in capsys.readouterr().err
