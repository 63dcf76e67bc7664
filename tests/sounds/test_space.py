"""The bundled sound space: clean audio, knobs that do what they say, intensity, maps, encoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from latentdrum.sounds import spectral
from latentdrum.sounds.audio import load_audio, prepare_one_shot
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.descriptors import describe
from latentdrum.spaces.sound import BUNDLED, Knobs, SoundSpace

KNOBS = ("brightness", "decay", "pitch", "attack")


@pytest.fixture(scope="module")
def space() -> SoundSpace:
    return SoundSpace.load()  # the model bundled in latentdrum/assets


def test_bundled_model_knows_every_class(space: SoundSpace) -> None:
    assert BUNDLED.is_file() and BUNDLED.stat().st_size < 25_000_000  # small enough to ship in the package
    assert space.classes == CLASSES
    assert space.latent_dim == space.sample_latent("kick").shape[1]
    assert len(space.model_id) == 16


def test_decoded_sounds_are_clean(space: SoundSpace) -> None:
    names = list(CLASSES) * 2
    z = np.concatenate([space.sample_latent(c, 1, seed=i) for i, c in enumerate(names)])
    audio = space.decode(z, names, knobs=Knobs(brightness=1.0, decay=1.0, pitch=1.0, attack=-1.0), intensity=1.0)
    assert audio.shape[0] == len(names) and audio.shape[1] <= 3 * 44100 and audio.dtype == np.float32
    assert np.max(np.abs(audio)) <= 10 ** (-0.1 / 20)  # no clipping
    assert np.all(np.abs(audio.mean(axis=1)) < 1e-3)  # no DC
    assert np.all(np.abs(audio[:, 0]) < 1e-3) and np.all(np.abs(audio[:, -1]) < 1e-3)  # no click
    assert np.all(np.max(np.abs(audio), axis=1) > 0.1)  # not silent


def test_batched_decode_equals_one_by_one(space: SoundSpace) -> None:
    z = space.sample_latent("snare", 3, seed=1)
    batch = space.decode(z, "snare", Knobs(pitch=0.3))
    for i in range(3):
        one = space.decode(z[i : i + 1], "snare", Knobs(pitch=0.3))[0]  # as long as it rings
        assert np.allclose(batch[i, : len(one)], one, atol=1e-5) and not np.any(batch[i, len(one) :])


def test_rows_synthesised_side_by_side_are_the_same_sounds(space: SoundSpace) -> None:
    """The instrument's background threads change how fast a voice's layers come, not what they are."""
    z = np.concatenate([space.sample_latent("crash", 2, seed=4), space.sample_latent("closed_hat", 2, seed=4)])
    names = ["crash", "crash", "closed_hat", "closed_hat"]
    assert np.array_equal(space.decode(z, names, workers=1), space.decode(z, names, workers=3))


def test_sampling_is_seeded_and_varied(space: SoundSpace) -> None:
    a = space.sample_latent("kick", 4, seed=3)
    assert np.array_equal(a, space.sample_latent("kick", 4, seed=3))
    assert not np.allclose(a[0], a[1])
    exact = space.sample_latent("kick", 2, seed=3, temperature=0.0)  # no noise: training sounds' latents
    train = space.class_map("kick")[1]
    assert np.all(np.min(np.linalg.norm(exact[:, None] - train[None], axis=-1), axis=1) < 1e-5)


def test_samples_spread_wider_than_the_training_sounds(space: SoundSpace) -> None:
    # The decoder shrinks variety, so samples start from training latents pushed away from the
    # class's mean: without it a class's samples sound more alike than its real sounds.
    train = space.class_map("snare")[1]
    mean = train.mean(axis=0)
    z = space.sample_latent("snare", 400, seed=1)
    assert np.linalg.norm(z - mean, axis=1).mean() > 1.2 * np.linalg.norm(train - mean, axis=1).mean()


@pytest.mark.parametrize(("cls", "knob"), [(c, k) for c in CLASSES for k in KNOBS])
def test_knobs_move_their_descriptor(space: SoundSpace, cls: str, knob: str) -> None:
    """Over a sweep -1..1, each knob's own descriptor rises monotonically (Spearman >= 0.9)."""
    values = np.linspace(-1.0, 1.0, 5)
    z = space.sample_latent(cls, 2, seed=11)
    d = np.stack([describe(space.decode(z, cls, Knobs(**{knob: float(v)})))[knob] for v in values])  # (5, 2)
    rho = np.mean([spearmanr(values, d[:, i]).statistic for i in range(d.shape[1])])
    assert rho >= 0.9, (cls, knob, d.round(4).tolist())


@pytest.mark.parametrize("cls", ["kick", "snare", "closed_hat", "mid_tom", "crash"])
def test_intensity_makes_hits_brighter_and_sharper(space: SoundSpace, cls: str) -> None:
    z = space.sample_latent(cls, 3, seed=5)
    soft, mid, hard = (describe(space.decode(z, cls, intensity=i)) for i in (0.0, 0.5, 1.0))
    assert np.all(soft["brightness"] < mid["brightness"]) and np.all(mid["brightness"] < hard["brightness"])
    assert np.all(hard["attack"] < soft["attack"])  # energy arrives earlier: a sharper attack


def test_class_map_and_encoding(space: SoundSpace) -> None:
    pos, lat = space.class_map("snare")
    assert pos.shape == (len(lat), 2) and lat.shape[1] == space.latent_dim
    z = space.map_to_latent("snare", pos[0])
    assert z.shape == (space.latent_dim,)
    # A decoded sound, encoded again, lands near where it came from (closer than the other
    # sounds). Four snares far apart: velocity layers of one drum are nearly the same sound.
    pick = [0]
    for _ in range(3):
        pick.append(int(np.argmax(np.min(np.linalg.norm(lat[:, None] - lat[None, pick], axis=-1), axis=1))))
    audio = space.decode(lat[pick], "snare")
    back = np.stack([space.encode(a, "snare") for a in audio])
    dist = np.linalg.norm(back[:, None] - lat[None, pick], axis=-1)
    assert np.all(np.argmin(dist, axis=1) == np.arange(4))


def _low_share_db(x: np.ndarray) -> float:
    """Share of a sound's power under 125 Hz, dB."""
    p = np.exp(2 * spectral.log_magnitude(x[None])[0]).sum(axis=0)
    return float(10 * np.log10(p[:3].sum() / p.sum()))


def test_encoding_keeps_a_sounds_low_end(space: SoundSpace, samples_dir: Path) -> None:
    # A real snare and tom from a kit the model never trained on, encoded and decoded: the low end
    # stays where it was (a per-bin error alone let the decoder add 13 dB of boom under 125 Hz).
    errors = []
    for name, cls in (("oramics/MRK-2/snare.wav", "snare"), ("oramics/pearl-master-studio/tom-01.wav", "mid_tom")):
        real = load_audio(samples_dir / name)
        errors.append(abs(_low_share_db(space.decode(space.encode(real, cls), cls)[0]) - _low_share_db(real)))
    assert np.mean(errors) < 9.0, errors


def test_pitching_up_keeps_the_top_under_20_khz() -> None:
    # A bright hat's sizzle near 20 kHz moves up a little instead of off the top of hearing (a
    # plain shift by 3 semitones puts 16.8-19.5 kHz past 20 kHz), with its power kept; partials
    # lower down move by the exact interval.
    from latentdrum.spaces.knobs import PITCH_CEILING_HZ, apply_pitch, pitch_shift

    hz = spectral.BIN_HZ
    floor = -9.0
    ctrl = np.full((1, spectral.N_BINS), floor, dtype=np.float32)
    sizzle = (hz >= 16000) & (hz <= 19500)
    ctrl[0, sizzle] = 0.0
    ctrl[0, int(np.argmin(np.abs(hz - 1000)))] = 0.0
    up = apply_pitch(ctrl, pitch_shift(2 ** (3 / 12)), floor)[0]
    low, audible = hz < 5000, (hz > 10000) & (hz <= PITCH_CEILING_HZ)
    assert abs(hz[low][np.argmax(up[low])] - 1000 * 2 ** (3 / 12)) < hz[1]
    assert np.exp(2 * up[audible]).sum() > 0.9 * sizzle.sum()  # its power, all still under 20 kHz
    assert np.average(hz[audible], weights=np.exp(2 * up[audible])) > np.average(hz[sizzle])  # and higher
    assert np.all(up[hz > PITCH_CEILING_HZ] <= floor + 1e-3)


def test_reconstructed_toms_and_kicks_keep_their_pitch(space: SoundSpace, samples_dir: Path) -> None:
    # Drums from kits the model never trained on: the latent alone brings them back near training
    # drums tuned elsewhere (this tom 4.5 semitones low, this kick 5 low); encode_tuned retunes the
    # body so the fundamental a player hears is the original's.
    from latentdrum.sounds.descriptors import fundamental

    for name, cls in (("oramics/MRK-2/tom.wav", "mid_tom"), ("oramics/CR-78/kick.wav", "kick")):
        real = prepare_one_shot(load_audio(samples_dir / name)).audio
        z, semitones = space.encode_tuned(real, cls)
        back = space.decode(z[None], cls, transpose=semitones)[0]
        off = 12 * np.log2(fundamental(back)[0] / fundamental(real)[0])
        assert abs(off) < 1.0, (name, off, semitones)


def test_retuning_moves_the_body_and_leaves_the_click() -> None:
    from latentdrum.spaces.knobs import BODY_HZ, pitch_shift, retune_body

    hz = spectral.BIN_HZ
    floor = -9.0
    ctrl = np.full((1, spectral.N_BINS), floor, dtype=np.float32)
    body, click = int(np.argmin(np.abs(hz - 120))), hz >= 3000
    ctrl[0, body] = 0.0
    ctrl[0, click] = -2.0
    up = retune_body(ctrl, pitch_shift(2.0), floor)[0]  # an octave
    low = hz < BODY_HZ[0]
    assert abs(hz[low][np.argmax(up[low])] - 2 * hz[body]) < hz[1]
    assert np.allclose(up[click], ctrl[0, click])


def test_a_preview_reads_the_full_decodes_first_control_frames(space: SoundSpace) -> None:
    # A knob's draft plays the first second: decoding only the first control frames gives the
    # full decode's first control frames, and the preview is that second long.
    import torch

    z = torch.from_numpy(space.sample_latent("ride", 2, seed=3))
    cls = torch.tensor([CLASSES.index("ride")] * 2)
    full = space.model.decode_control(z, cls)
    part = space.model.decode_control(z, cls, n_control=20)
    assert part.shape == (2, 20, full.shape[2])
    assert torch.allclose(part, full[:, :20], atol=1e-4)
    short = space.decode(z.numpy(), "ride", max_seconds=1.0, gla_iters=1)
    assert 0.9 * 44100 < np.count_nonzero(np.abs(short[0]) > 1e-6) <= 44100 + 1024
