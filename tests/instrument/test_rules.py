"""The renderer's rules as data (what the page plays by) and its portable random draws."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from latentdrum.instrument import draws
from latentdrum.instrument.limiter import LOOKAHEAD_MS, RELEASE_MS
from latentdrum.instrument.render import LEVEL_JITTER_DB, RenderSettings, plan
from latentdrum.instrument.rules import engine_rules
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import GENERAL_MIDI, NUM_VOICES
from tests.instrument.helpers import PLAIN, V, click, pattern


def test_the_rules_carry_every_setting_the_render_plays_by() -> None:
    settings = RenderSettings(loops=3, seed=11, velocity_curve=2.0, velocity_timbre=0.5, reference_velocity=0.8,
                              variation=0.4, humanize_ms=2.0, choke_groups=((2, 3), (7, 8)), choke_fade_ms=20.0,
                              layer_mode="nearest", master_gain_db=-3.0, limiter=False, ceiling_db=-1.0)
    rules = json.loads(json.dumps(engine_rules(settings)))  # what the page receives
    assert rules["format"] == "latentdrum-engine-rules" and rules["version"] == 1
    assert rules["loops"] == 3 and rules["seed"] == 11
    assert (rules["velocity_curve"], rules["velocity_timbre"], rules["reference_velocity"]) == (2.0, 0.5, 0.8)
    assert rules["layer_mode"] == "nearest" and rules["variation"] == 0.4 and rules["humanize_ms"] == 2.0
    assert rules["choke_groups"] == [[2, 3], [7, 8]] and rules["choke_fade_ms"] == 20.0
    assert rules["master_gain_db"] == -3.0 and rules["level_jitter_db"] == LEVEL_JITTER_DB
    assert rules["limiter"] == {"on": False, "ceiling_db": -1.0, "lookahead_ms": LOOKAHEAD_MS,
                                "release_ms": RELEASE_MS}
    assert rules["gm_pitches"] == list(GENERAL_MIDI.write_pitches)
    assert rules["sample_rate"] == 44_100


def test_draws_are_fixed_numbers_shaped_as_documented() -> None:
    index = np.arange(20_000)
    z = draws.normal(3, 1, (draws.JITTER_U1, draws.JITTER_U2), index)
    np.testing.assert_array_equal(z, draws.normal(3, 1, (draws.JITTER_U1, draws.JITTER_U2), index))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03
    assert not np.array_equal(z, draws.normal(3, 2, (draws.JITTER_U1, draws.JITTER_U2), index))  # per voice
    steps = draws.round_robin_steps(3, 1, index, 4)
    assert set(np.unique(steps)) == {1, 2, 3}
    # The hash is part of the file format of renders: pinned (the page's draws.js must match).
    assert draws.hash32(0, 0, 0, np.array([0, 1]))[0] != draws.hash32(0, 0, 0, np.array([0, 1]))[1]
    assert int(draws.hash32(7, 3, 2, np.array([5]))[0]) == int(draws.hash32(7 + 2**32, 3, 2, np.array([5]))[0])


def test_editing_one_cell_leaves_every_other_hits_jitter_alone() -> None:
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["snare"]] = VoiceSounds(np.stack([click(), click() * 0.9]))
    base = [(s, "snare", 0.8, 0.0) for s in (0, 4, 8, 12)]
    settings = dataclasses.replace(PLAIN, variation=1.0, loops=2, tail="ring")
    before = plan(pattern(base), voices, settings).hits[V["snare"]]
    after = plan(pattern([*base, (6, "snare", 0.5, 0.0)]), voices, settings).hits[V["snare"]]
    keep = ~np.isin(after.start, before.start)
    assert keep.sum() == 2  # the new hit in each loop
    np.testing.assert_array_equal(after.amp[~keep], before.amp)
