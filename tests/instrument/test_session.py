"""The session the web page drives: plain-dict replies, edits that move the puck, undo, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from latentdrum.errors import ConfigError
from latentdrum.instrument.session import Session


@pytest.fixture()
def session(tmp_path: Path, rhythm_space, sound_space) -> Session:  # type: ignore[no-untyped-def]
    return Session(rhythm_space, sound_space, tmp_path / "state" / "session.json", seed=0)


def test_state_is_plain_json(session: Session) -> None:
    state = session.state()
    text = json.dumps(state)  # nothing numpy, nothing custom
    assert len(state["pattern"]["hits"]) == 9 and len(state["pattern"]["hits"][0]) == session.pattern.steps
    assert len(state["voices"]) == 9 and len(state["corners"]) == 4
    assert state["sound_model_id"] == session.sound.model_id
    assert json.loads(text)["puck"] == state["puck"]


def test_move_puts_the_groove_where_the_puck_is(session: Session, rhythm_space) -> None:  # type: ignore[no-untyped-def]
    x, y = session.puck()
    out = session.move(x + 0.3, y - 0.2)
    assert out["puck"] == pytest.approx([x + 0.3, y - 0.2], abs=1e-3)
    steered = session.scene.steered(rhythm_space)
    sc = session.scene
    assert session.pattern.equals(rhythm_space.decode(steered, sc.style, sc.bpm, sc.temperature, sc.seed)[0])
    assert out["pattern"]["hits"] == session.pattern.hits.T.astype(int).tolist()


def test_far_moves_change_the_pattern(session: Session) -> None:
    before = session.pattern.hits.copy()
    points = session.rhythm.map_points
    changed = False
    for q in ([0.05, 0.05], [0.95, 0.95], [0.05, 0.95], [0.95, 0.05]):
        xy = [np.quantile(points[:, 0], q[0]), np.quantile(points[:, 1], q[1])]
        session.move(float(xy[0]), float(xy[1]))
        changed |= not np.array_equal(session.pattern.hits, before)
    assert changed


def test_cell_edit_keeps_the_edit_and_moves_the_puck_to_its_encoding(session: Session, rhythm_space) -> None:  # type: ignore[no-untyped-def]
    before = session.pattern.copy()
    step, voice = 5, 2
    out = session.edit_cell(step, voice)
    assert session.pattern.hits[step, voice] == 1 - before.hits[step, voice]
    assert out["pattern"]["pinned"] is True
    others = np.ones_like(before.hits, dtype=bool)
    others[step, voice] = False
    np.testing.assert_array_equal(session.pattern.hits[others], before.hits[others])
    where = rhythm_space.to_map(rhythm_space.encode([session.pattern], session.scene.style))[0]
    assert out["puck"] == pytest.approx(where.tolist(), abs=1e-3)
    # The scene's latent (steered by its knobs) is the edited pattern's encoding.
    np.testing.assert_allclose(session.scene.steered(rhythm_space),
                               rhythm_space.encode([session.pattern], session.scene.style)[0], atol=1e-4)
    session.undo()
    assert session.pattern.equals(before, 1e-5, 1e-5)
    session.redo()
    assert session.pattern.hits[step, voice] == 1 - before.hits[step, voice]
    with pytest.raises(ConfigError):
        session.edit_cell(999, 0)


def test_a_run_of_pad_moves_is_one_undo_step(session: Session) -> None:
    z0 = session.scene.z.copy()
    x, y = session.puck()
    for i in range(5):
        session.move(x + 0.1 * i, y)
    session.undo()
    np.testing.assert_allclose(session.scene.z, z0, atol=1e-6)


def test_knob_changes_that_voice_only(session: Session) -> None:
    keys = [v["key"] for v in session.sounds_json()["voices"]]
    before = session.sounds([1], "draft")[1][1].copy()
    out = session.set_voice(1, knobs={"brightness": 0.8, "decay": -0.5})
    new_keys = [v["key"] for v in out["voices"]]
    assert new_keys[1] != keys[1] and new_keys[:1] + new_keys[2:] == keys[:1] + keys[2:]
    assert out["voices"][1]["knobs"]["brightness"] == pytest.approx(0.8)
    after = session.sounds([1], "draft")[1][1]
    n = min(before.shape[-1], after.shape[-1])
    assert not np.allclose(before[..., :n], after[..., :n])
    with pytest.raises(ConfigError):
        session.set_voice(1, knobs={"loudness": 0.5})


def test_dice_and_blend_change_the_kit_and_full_sounds_have_layers(session: Session) -> None:
    key = session.sounds_json()["voices"][0]["key"]
    session.dice("kit", 1.0, seed=4)
    assert session.sounds_json()["voices"][0]["key"] != key
    full = session.sounds([0], "full")[0][1]
    assert full.shape[:2] == (session.coupling.layers, session.coupling.variations)
    out = session.blend(0.5, 0.5)
    assert out["blend"] == [0.5, 0.5] and "voices" in out


def test_render_loop_is_stereo_and_audible(session: Session) -> None:
    audio = session.render_loop(loops=1, quality="draft")
    assert audio.shape == (round(session.pattern.steps * 15 / session.scene.bpm * 44100), 2)
    if session.pattern.num_hits:
        assert np.abs(audio).max() > 1e-3
    assert np.abs(audio).max() <= 1.0


def test_state_survives_a_restart(tmp_path: Path, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    a = Session(rhythm_space, sound_space, path, seed=1)
    x, y = a.puck()
    a.move(x + 0.2, y)
    a.set_voice(3, knobs={"pitch": 0.4}, gain_db=-3.0)
    a.store_corner(2)
    a.flush()
    b = Session(rhythm_space, sound_space, path, seed=99)
    assert b.restored
    np.testing.assert_allclose(b.scene.z, a.scene.z, atol=1e-5)
    assert b.scene.kit.voices[3].knobs["pitch"] == pytest.approx(0.4)
    assert b.scene.kit.voices[3].gain_db == pytest.approx(-3.0)
    np.testing.assert_allclose(b.corners[2].z, a.scene.z, atol=1e-5)
    assert b.state()["pattern"] == a.state()["pattern"]


def test_a_damaged_state_file_starts_fresh(tmp_path: Path, rhythm_space, sound_space) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.json"
    path.write_text("{ damaged")
    s = Session(rhythm_space, sound_space, path, seed=1)
    assert not s.restored
    assert json.loads(path.read_text())["format"] == "latentdrum-session"  # rewritten, valid
