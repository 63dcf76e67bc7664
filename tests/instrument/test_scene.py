"""Scenes: morph groove and timbre together, blend four corners, dice with an amount, save/load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from latentdrum.instrument.kit import Kit
from latentdrum.instrument.scene import (
    Scene,
    SceneError,
    blend4,
    morph,
    new_scene,
    randomise,
)
from latentdrum.spaces.rhythm import RhythmKnobs


@pytest.fixture(scope="module")
def pair(rhythm_space, sound_space):  # type: ignore[no-untyped-def]
    a = new_scene(rhythm_space, sound_space, seed=1, bpm=90.0)
    b = new_scene(rhythm_space, sound_space, seed=2, bpm=130.0).replace(
        swing=62.0, rhythm_knobs=RhythmKnobs(0.5, -0.5)
    )
    return a, b


def _latents(kit: Kit) -> np.ndarray:
    return np.array([v.latent for v in kit.voices])


def test_morph_ends_are_the_scenes_and_the_middle_lies_between(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    m0, m1, mid = morph(a, b, 0.0), morph(a, b, 1.0), morph(a, b, 0.5)
    np.testing.assert_allclose(m0.z, a.z, atol=1e-5)
    np.testing.assert_allclose(m1.z, b.z, atol=1e-5)
    np.testing.assert_allclose(_latents(m0.kit), _latents(a.kit), atol=1e-6)
    np.testing.assert_allclose(_latents(m1.kit), _latents(b.kit), atol=1e-6)
    np.testing.assert_allclose(_latents(mid.kit), (_latents(a.kit) + _latents(b.kit)) / 2, atol=1e-5)
    assert mid.bpm == pytest.approx(110.0) and mid.swing == pytest.approx(56.0)
    assert mid.rhythm_knobs.density == pytest.approx(0.25)
    # Groove morphs too: the slerped latent is neither end.
    assert np.linalg.norm(mid.z - a.z) > 1e-3 and np.linalg.norm(mid.z - b.z) > 1e-3


def test_morph_moves_the_pattern_from_one_groove_to_the_other(rhythm_space, pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    pa, pb = a.decode_pattern(rhythm_space), b.decode_pattern(rhythm_space)
    ends = [morph(a, b, t).decode_pattern(rhythm_space) for t in (0.0, 1.0)]
    assert ends[0].equals(pa, 1e-4, 1e-4) and ends[1].equals(pb.with_bpm(ends[1].bpm), 1e-4, 1e-4)


def test_blend4_corners_and_centre(pair, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    c = new_scene(rhythm_space, sound_space, seed=3)
    d = new_scene(rhythm_space, sound_space, seed=4)
    corners = [a, b, c, d]
    for (x, y), s in zip([(0, 0), (1, 0), (0, 1), (1, 1)], corners, strict=True):
        got = blend4(corners, x, y)
        np.testing.assert_allclose(got.z, s.z, atol=1e-5)
        np.testing.assert_allclose(_latents(got.kit), _latents(s.kit), atol=1e-6)
    centre = blend4(corners, 0.5, 0.5)
    want = np.mean([_latents(s.kit) for s in corners], axis=0)  # bilinear at the centre = mean
    np.testing.assert_allclose(_latents(centre.kit), want, atol=1e-5)
    with pytest.raises(SceneError):
        blend4(corners, 1.5, 0.0)
    with pytest.raises(SceneError):
        blend4(corners[:3], 0.0, 0.0)


def test_dice_amount_and_seed(pair, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    a, _ = pair
    same = randomise(a, rhythm_space, sound_space, "everything", amount=0.0, seed=9)
    np.testing.assert_allclose(same.z, a.z, atol=1e-6)
    np.testing.assert_allclose(_latents(same.kit), _latents(a.kit), atol=1e-6)
    r1 = randomise(a, rhythm_space, sound_space, "pattern", amount=1.0, seed=9)
    r2 = randomise(a, rhythm_space, sound_space, "pattern", amount=1.0, seed=9)
    np.testing.assert_array_equal(r1.z, r2.z)  # reproducible by seed
    np.testing.assert_array_equal(_latents(r1.kit), _latents(a.kit))  # pattern dice keeps the kit
    near = randomise(a, rhythm_space, sound_space, "pattern", amount=0.2, seed=9)
    assert 0 < np.linalg.norm(near.z - a.z) < np.linalg.norm(r1.z - a.z)  # "how far from here"
    k = randomise(a, rhythm_space, sound_space, "kit", amount=0.5, seed=9)
    np.testing.assert_array_equal(k.z, a.z)  # kit dice keeps the groove
    assert not np.allclose(_latents(k.kit), _latents(a.kit))
    other = randomise(a, rhythm_space, sound_space, "kit", amount=0.5, seed=10)
    assert not np.allclose(_latents(k.kit), _latents(other.kit))


def test_scene_json_round_trip_with_pinned_pattern(tmp_path: Path, pair, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    a, _ = pair
    p = a.decode_pattern(rhythm_space)
    p.hits[3, 2], p.velocities[3, 2] = 1.0, 0.5
    scene = a.replace(pattern=p)
    path = scene.save(tmp_path / "scene.json")
    data = json.loads(path.read_text())
    assert data["format"] == "latentdrum-scene" and data["version"] == 1
    assert data["rhythm_model_id"] == a.rhythm_model_id and data["sound_model_id"] == sound_space.model_id
    back = Scene.load(path, a.rhythm_model_id, sound_space.model_id)
    np.testing.assert_allclose(back.z, scene.z, atol=1e-5)
    assert back.pattern is not None and back.pattern.equals(p, 1e-3, 1e-3)
    np.testing.assert_allclose(_latents(back.kit), _latents(scene.kit), atol=1e-6)
    assert (back.bpm, back.swing, back.style) == (scene.bpm, scene.swing, scene.style)


def test_scene_of_other_models_or_malformed_is_refused(tmp_path: Path, pair, sound_space) -> None:  # type: ignore[no-untyped-def]
    a, _ = pair
    path = a.save(tmp_path / "scene.json")
    with pytest.raises(SceneError, match="rhythm model"):
        Scene.load(path, "another-rhythm-model", sound_space.model_id)
    with pytest.raises(SceneError, match="sound model"):
        Scene.load(path, a.rhythm_model_id, "another-sound-model")
    data = json.loads(path.read_text())
    data["bpm"] = 1000
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(SceneError, match="bpm"):
        Scene.load(tmp_path / "bad.json")
    (tmp_path / "worse.json").write_text("{not json")
    with pytest.raises(SceneError, match="cannot read"):
        Scene.load(tmp_path / "worse.json")
    data = json.loads(path.read_text())
    data["rhythm"]["latent"] = ["x"]
    with pytest.raises(SceneError, match="latent"):
        Scene.from_json(data)
