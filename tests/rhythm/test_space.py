from pathlib import Path

import numpy as np
import pytest
import torch

from latentdrum.errors import CheckpointError, ConfigError, PatternError
from latentdrum.models.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from latentdrum.patterns.midi import read_midi
from latentdrum.patterns.pattern import Pattern
from latentdrum.spaces.rhythm import RhythmKnobs, RhythmSpace, slerp


def test_checkpoint_round_trip_decodes_identically(tiny_rhythm_ckpt: Path, tmp_path: Path) -> None:
    a = RhythmSpace.load(tiny_rhythm_ckpt)
    ckpt = load_checkpoint(tiny_rhythm_ckpt, "rhythm")
    assert ckpt.metrics["hit_f1"] >= 0 and ckpt.data_summary["windows"] > 0
    assert tuple(ckpt.config["styles"]) == ("funk", "rock")
    copy = save_checkpoint(tmp_path / "copy.ckpt", ckpt)
    b = RhythmSpace.load(copy)
    z = a.sample_latent(4, "funk", seed=1)
    assert np.array_equal(z, b.sample_latent(4, "funk", seed=1))
    for p, q in zip(a.decode(z, "funk"), b.decode(z, "funk"), strict=True):
        assert p.equals(q)
    for name, tensor in a.model.state_dict().items():
        assert torch.equal(tensor, b.model.state_dict()[name])


def test_sampling_is_reproducible_and_steerable(tiny_rhythm_ckpt: Path) -> None:
    space = RhythmSpace.load(tiny_rhythm_ckpt)
    z1, z2 = space.sample_latent(3, seed=7), space.sample_latent(3, seed=7)
    assert np.array_equal(z1, z2) and not np.array_equal(z1, space.sample_latent(3, seed=8))
    # Temperature 0 is the style's typical groove; temperature 1 samples its learned prior.
    assert np.allclose(space.sample_latent(2, "rock", temperature=0.0, seed=1)[0], space._prior_mode[2])
    hot = space.sample_latent(4000, "rock", temperature=1.0, seed=1)
    assert np.allclose(hot.mean(0), space._prior_mean[2], atol=0.1)
    moved = space.steer(z1, RhythmKnobs(density=1.0))
    assert np.allclose(moved - z1, space.knob_vectors["density"], atol=1e-6)


def test_interpolation_endpoints_and_count(tiny_rhythm_ckpt: Path, midi_folder: Path) -> None:
    space = RhythmSpace.load(tiny_rhythm_ckpt)
    a = read_midi(midi_folder / "funk" / "funk_0.mid").pattern.slice_bars(0, 2)
    b = read_midi(midi_folder / "rock" / "rock_3.mid").pattern.slice_bars(0, 2)
    clips = space.interpolate(a, b, steps=4)
    assert len(clips) == 6
    za, zb = space.encode([a, b])
    assert clips[0].equals(space.decode(za)[0]) and clips[-1].equals(space.decode(zb)[0])
    assert np.allclose(slerp(za, zb, 0.0), za) and np.allclose(slerp(za, zb, 1.0), zb, atol=1e-5)


def test_reconstruct_keeps_length_and_tempo(tiny_rhythm_ckpt: Path, midi_folder: Path) -> None:
    space = RhythmSpace.load(tiny_rhythm_ckpt)
    drums = read_midi(midi_folder / "funk" / "funk_2.mid")
    out = space.reconstruct(drums)
    assert out.bars == drums.pattern.bars and out.bpm == pytest.approx(drums.pattern.bpm)


def test_map_round_trip(tiny_rhythm_ckpt: Path) -> None:
    space = RhythmSpace.load(tiny_rhythm_ckpt)
    z = space.sample_latent(1, seed=3)[0]
    xy = np.array([0.3, -0.2])
    assert np.allclose(space.to_map(space.from_map(xy, z))[0], xy, atol=1e-4)
    assert space.map_points.shape[1] == 2 and len(space.map_points) == len(space.map_styles)


def test_bad_inputs_give_clear_errors(tiny_rhythm_ckpt: Path, tmp_path: Path) -> None:
    space = RhythmSpace.load(tiny_rhythm_ckpt)
    with pytest.raises(PatternError, match="2-bar patterns"):
        space.encode([Pattern.empty(1)])
    with pytest.raises(ConfigError, match=r"unknown style 'polka'.*funk, rock"):
        space.sample_latent(1, "polka")
    with pytest.raises(ConfigError, match="temperature"):
        space.sample_latent(1, temperature=-1)
    corrupt = tmp_path / "corrupt.ckpt"
    corrupt.write_bytes(tiny_rhythm_ckpt.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        RhythmSpace.load(corrupt)
    other = save_checkpoint(tmp_path / "sound.ckpt", Checkpoint("sound", {}, {"w": torch.zeros(1)}))
    with pytest.raises(CheckpointError, match="holds a 'sound' model"):
        RhythmSpace.load(other)
    ckpt = load_checkpoint(tiny_rhythm_ckpt, "rhythm")
    ckpt.state_dict.pop("head.weight")
    with pytest.raises(CheckpointError, match="does not match its own config"):
        RhythmSpace.load(save_checkpoint(tmp_path / "mangled.ckpt", ckpt))
    with pytest.raises(CheckpointError, match="does not exist"):
        RhythmSpace.load(tmp_path / "missing.ckpt")
