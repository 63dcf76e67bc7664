"""The sound VAE learns, its checkpoint round-trips exactly, and wrong checkpoints fail clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from latentdrum.errors import CheckpointError, ConfigError
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.sound import SoundVAE, SoundVAEConfig, control_frames, interpolation_matrix
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import load_audio, prepare_one_shot
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import build_sound_dataset
from latentdrum.spaces.sound import Knobs, SoundSpace
from latentdrum.training.sound import calibrate_space, features, vae_loss
from tests.sounds.factory import write_kit

TINY = SoundVAEConfig(latent_dim=4, hidden=32, n_control=24)


def test_control_frames_are_dense_at_the_onset() -> None:
    pos = control_frames(173, 48)
    assert pos[0] == 0 and pos[-1] == pytest.approx(172) and np.all(np.diff(pos) > 0)
    assert pos[1] - pos[0] <= 1.0 and pos[-1] - pos[-2] > 5
    m = interpolation_matrix(pos, 173)
    assert np.allclose(m.sum(axis=1), 1.0)


def test_spectral_round_trip_keeps_the_sound() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(44100) / 44100
    x = (0.3 * np.sin(2 * np.pi * 300 * t) * np.exp(-t / 0.2) + 0.05 * rng.standard_normal(44100) * np.exp(-t / 0.05))
    x[:64] = 0
    assert np.allclose(spectral.istft(spectral.stft(x[None].astype(np.float32))), x, atol=1e-5)
    y = spectral.synthesize(spectral.log_bands(x), iters=8)
    err = np.abs(spectral.log_bands(y) - spectral.log_bands(x))[spectral.log_bands(x) > -6].mean()
    assert err < 0.5  # nats: the band spectrogram survives phase reconstruction


def test_tiny_model_overfits_a_tiny_real_batch(samples_dir: Path) -> None:
    files = {"sonic-pi/bd_808.flac": "kick", "sonic-pi/drum_snare_hard.flac": "snare",
             "sonic-pi/drum_cymbal_closed.flac": "closed_hat", "sonic-pi/drum_cymbal_open.flac": "open_hat"}
    audio = np.stack([prepare_one_shot(load_audio(samples_dir / f)).audio for f in files])
    x = torch.from_numpy(features(audio))
    cls = torch.tensor([CLASSES.index(c) for c in files.values()])
    torch.manual_seed(0)
    model = SoundVAE(TINY)
    model.set_data_statistics(x)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.eval()
    start = vae_loss(model, x, cls, 0.0)["l1"].item()
    model.train()
    for _ in range(300):
        opt.zero_grad()
        vae_loss(model, x, cls, 1e-3)["loss"].backward()
        opt.step()
    model.eval()
    end = vae_loss(model, x, cls, 0.0)["l1"].item()
    assert end < 0.35 * start, (start, end)


def _tiny_space(tmp_path: Path) -> tuple[Path, SoundVAE]:
    ds = build_sound_dataset(write_kit(tmp_path / "kit", kits=("a",)), progress=False)
    torch.manual_seed(1)
    model = SoundVAE(TINY)
    feats = features(ds.audio)
    model.set_data_statistics(torch.from_numpy(feats))
    extra = calibrate_space(model, ds, feats)
    path = save_checkpoint(tmp_path / "sound.ckpt", Checkpoint(
        "sound", config_to_dict(TINY), dict(model.state_dict()), {"train_kits": ["a"]}, {}, extra))
    return path, model


def test_checkpoint_round_trip_is_exact(tmp_path: Path) -> None:
    path, model = _tiny_space(tmp_path)
    space = SoundSpace.load(path)
    for k, v in model.state_dict().items():
        assert torch.equal(v, space.model.state_dict()[k]), k
    assert space.classes == ("kick", "closed_hat", "snare") or set(space.classes) == {"kick", "snare", "closed_hat"}
    z = space.sample_latent("kick", 3, seed=7)
    assert np.array_equal(z, SoundSpace.load(path).sample_latent("kick", 3, seed=7))
    a, b = space.decode(z, "kick"), SoundSpace.load(path).decode(z, "kick")
    assert np.array_equal(a, b) and a.shape == (3, 44100)
    assert space.model_id == SoundSpace.load(path).model_id and len(space.model_id) == 16
    pos, lat = space.class_map("snare")
    assert pos.shape == (len(lat), 2) and lat.shape[1] == space.latent_dim


def test_wrong_inputs_fail_clearly(tmp_path: Path) -> None:
    path, _ = _tiny_space(tmp_path)
    space = SoundSpace.load(path)
    with pytest.raises(ConfigError, match="unknown sound class 'banjo'"):
        space.sample_latent("banjo")
    with pytest.raises(ConfigError, match="has no 'ride' sounds"):
        space.sample_latent("ride")
    with pytest.raises(ConfigError, match="knob pitch"):
        Knobs(pitch=1.5)
    with pytest.raises(ConfigError, match="intensity"):
        space.decode(space.sample_latent("kick"), "kick", intensity=2.0)
    with pytest.raises(ConfigError, match="dimensions"):
        space.decode(np.zeros((1, 99)), "kick")
    rhythm = save_checkpoint(tmp_path / "rhythm.ckpt", Checkpoint("rhythm", {}, {}))
    with pytest.raises(CheckpointError, match="'rhythm' model"):
        SoundSpace.load(rhythm)
    (tmp_path / "junk.ckpt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        SoundSpace.load(tmp_path / "junk.ckpt")
    with pytest.raises(CheckpointError, match="does not exist"):
        SoundSpace.load(tmp_path / "missing.ckpt")
