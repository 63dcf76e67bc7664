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
from latentdrum.sounds.synthesis import synthesize
from latentdrum.spaces.sound import Knobs, SoundSpace
from latentdrum.training.sound import control_features, vae_loss
from latentdrum.training.sound_calibration import calibrate_space
from tests.sounds.factory import write_kit

TINY = SoundVAEConfig(latent_dim=4, hidden=32, n_control=24)


def test_control_frames_are_dense_at_the_onset() -> None:
    pos = control_frames(517, 32)
    assert pos[0] == 0 and pos[-1] == pytest.approx(516) and np.all(np.diff(pos) > 0)
    assert pos[1] - pos[0] <= 1.0 and pos[-1] - pos[-2] > 20
    m = interpolation_matrix(pos, 517)
    assert np.allclose(m.sum(axis=1), 1.0)


def _tom(seconds: float = 1.0) -> np.ndarray:
    """A struck tom: a gliding damped sine and its overtone, a noise burst at the onset."""
    rng = np.random.default_rng(0)
    t = np.arange(int(44100 * seconds)) / 44100
    f = 110.0 + 60.0 * np.exp(-t / 0.03)  # pitch falls after the strike
    phase = 2 * np.pi * np.cumsum(f) / 44100
    x = 0.5 * np.sin(phase) * np.exp(-t / 0.25) + 0.15 * np.sin(2.7 * phase) * np.exp(-t / 0.1)
    x += 0.2 * rng.standard_normal(len(t)) * np.exp(-t / 0.01)
    return np.concatenate([np.zeros(64), x]).astype(np.float32)


def test_stft_round_trip_is_exact_at_any_length() -> None:
    for n in (5000, 44100, 132300):
        x = _tom(n / 44100)[:n]
        assert np.allclose(spectral.istft(spectral.stft(x[None]), n), x, atol=1e-5)


def test_synthesis_keeps_partials_pitch_and_attack() -> None:
    x = _tom()
    logmag = spectral.log_magnitude(x, len(x) - len(x) % spectral.HOP)
    y = synthesize(logmag, iters=4)[0]
    loud = logmag > logmag.max() - 6.0  # ln: within ~50 dB of the loudest bin
    err = np.abs(spectral.log_magnitude(y, len(y)) - logmag)
    assert np.mean(err[loud]) < 0.5  # nats: the spectrogram survives phase reconstruction
    # The partials stay sharp: the tail's spectrum peaks at the tom's pitch and its overtone.
    tail = np.abs(np.fft.rfft(y[8000:30000] * np.hanning(22000))) ** 2
    hz = np.fft.rfftfreq(22000, 1 / 44100)
    peak = hz[np.argmax(tail)]
    assert abs(peak - 110.0) < 3.0
    around = (np.abs(hz - peak) > 20) & (np.abs(hz - peak) < 100)
    assert tail.max() > 100 * np.median(tail[around])  # a partial, not a noise band
    # The attack stays sharp: loud within 3 ms of the onset.
    env = np.abs(y[:2000])
    assert env[64 : 64 + 132].max() > 0.5 * np.abs(y).max()


def test_tiny_model_overfits_a_tiny_real_batch(samples_dir: Path) -> None:
    files = {"sonic-pi/bd_808.flac": "kick", "sonic-pi/drum_snare_hard.flac": "snare",
             "sonic-pi/drum_cymbal_closed.flac": "closed_hat", "sonic-pi/drum_cymbal_open.flac": "open_hat"}
    audio = np.stack([prepare_one_shot(load_audio(samples_dir / f)).audio for f in files])
    torch.manual_seed(0)
    model = SoundVAE(TINY)
    x = torch.from_numpy(control_features(model, audio))
    cls = torch.tensor([CLASSES.index(c) for c in files.values()])
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
    feats = control_features(model, ds.audio)
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
    assert np.array_equal(a, b) and a.shape[0] == 3 and 0 < a.shape[1] <= 3 * 44100
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


def test_a_checkpoint_of_the_first_engine_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path, _ = _tiny_space(tmp_path)
    ckpt = torch.load(path, weights_only=False)
    ckpt["extra"]["engine"] = 1
    torch.save(ckpt, tmp_path / "old.ckpt")
    with pytest.raises(CheckpointError, match=r"older sound engine.*latentdrum sound train"):
        SoundSpace.load(tmp_path / "old.ckpt")
