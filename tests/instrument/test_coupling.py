"""Coupling: a kit's sound-space points -> intensity layers x seeded variations for the renderer."""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.errors import ConfigError
from latentdrum.instrument.coupling import DRAFT, FADE_IN, Coupling, decode_voices, kit_sounds, sample_kit
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.sounds.audio import PRE_ROLL
from tests.instrument.helpers import pattern, spectral_centroid


@pytest.fixture(scope="module")
def kit(sound_space):  # type: ignore[no-untyped-def]
    return sample_kit(sound_space, seed=3)


def test_every_voice_gets_layers_by_variations(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    out = decode_voices(sound_space, kit, Coupling(layers=3, variations=2))
    assert sorted(out) == list(range(NUM_VOICES))
    for audio in out.values():
        assert audio.shape[:2] == (3, 2) and audio.dtype == np.float32
        assert np.all(np.isfinite(audio)) and np.abs(audio).max() > 0.01


def test_kit_sound_is_the_hardest_layer_first_variation_with_onset_at_sample_zero(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    full = decode_voices(sound_space, kit, Coupling(layers=3, variations=2, gla_iters=1), voices=[1])[1]
    draft = decode_voices(sound_space, kit, DRAFT, voices=[1])[1]
    assert draft.shape[:2] == (1, 1)
    n = min(full.shape[2], draft.shape[2])  # the draft previews long sounds for 1 s, its last 0.2 s faded
    np.testing.assert_allclose(full[-1, 0, : n - 8820], draft[0, 0, : n - 8820], atol=1e-5)
    # The decoder's pre-roll is gone: what was sample PRE_ROLL is now sample 0 (after a short fade).
    raw = sound_space.decode(np.asarray(kit.voices[1].latent)[None], kit.voices[1].sound_class, gla_iters=1)[0]
    n = min(draft.shape[2], len(raw) - PRE_ROLL)
    np.testing.assert_allclose(draft[0, 0, FADE_IN : n - 8820], raw[PRE_ROLL + FADE_IN : PRE_ROLL + n - 8820],
                               atol=1e-5)


def test_layers_are_the_kit_point_decoded_at_rising_intensity(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    c = Coupling(layers=3, variations=1)
    np.testing.assert_allclose(c.intensities(), [0.5 - 1 / 3, 0.5 - 1 / 6, 0.5])
    audio = decode_voices(sound_space, kit, c, voices=[4])[4]
    kv = kit.voices[4]
    for i, intensity in enumerate(c.intensities()):
        raw = sound_space.decode(np.asarray(kv.latent)[None], kv.sound_class, intensity=intensity)[0]
        n = len(raw) - PRE_ROLL  # each layer as long as it rings; the batch is padded with silence
        np.testing.assert_allclose(audio[i, 0, FADE_IN:n], raw[PRE_ROLL + FADE_IN:], atol=1e-5)
        assert not np.any(audio[i, 0, n:])
    flat = decode_voices(sound_space, kit, Coupling(layers=4, variations=1, dynamics=0.0), voices=[1])[1]
    assert flat.shape[0] == 1  # dynamics off: nothing to vary, one layer is decoded


def test_harder_layers_are_brighter(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    out = decode_voices(sound_space, kit, Coupling(layers=3, variations=1))
    ratios = [spectral_centroid(a[-1, 0, :8192]) / spectral_centroid(a[0, 0, :8192]) for a in out.values()]
    assert sum(r > 1.0 for r in ratios) >= 7, ratios  # the sound model's intensity direction, voice by voice
    assert np.mean(ratios) > 1.02, ratios


def test_variations_are_seeded_small_and_off_at_zero(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    a = decode_voices(sound_space, kit, Coupling(layers=1, variations=3, seed=5), voices=[1])[1]
    b = decode_voices(sound_space, kit, Coupling(layers=1, variations=3, seed=5), voices=[1])[1]
    c = decode_voices(sound_space, kit, Coupling(layers=1, variations=3, seed=6), voices=[1])[1]
    np.testing.assert_array_equal(a, b)  # reproducible
    n = min(a.shape[-1], c.shape[-1])  # each as long as it rings
    assert not np.allclose(a[0, 1, :n], c[0, 1, :n])  # another seed, other variations
    assert not np.allclose(a[0, 0], a[0, 1])  # variations differ from the kit sound...
    n = min(a.shape[-1], 8192)
    corr = np.corrcoef(a[0, 0, :n], a[0, 1, :n])[0, 1]
    assert corr > 0.3  # ...but stay close to it
    off = decode_voices(sound_space, kit, Coupling(layers=1, variations=3, variation=0.0), voices=[1])[1]
    assert off.shape[1] == 1


def test_kit_sounds_render_a_pattern(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    voices = kit_sounds(sound_space, kit, Coupling(layers=2, variations=2))
    p = pattern([(0, "kick", 1.0, 0.0), (4, "snare", 0.8, 0.0), (8, "closed_hat", 0.5, 0.0)])
    audio = render(p, voices, RenderSettings(bpm=120.0))
    assert audio.shape == (round(16 * 0.125 * 44100), 2)
    assert np.abs(audio).max() > 0.01


def test_a_kit_of_another_sound_model_is_refused(sound_space, kit) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    other = dataclasses.replace(kit, sound_model_id="some-other-model")
    with pytest.raises(ConfigError, match="not the loaded"):
        decode_voices(sound_space, other)


def test_bad_coupling_settings_are_refused() -> None:
    with pytest.raises(ConfigError):
        Coupling(layers=0)
    with pytest.raises(ConfigError):
        Coupling(variation=1.5)
