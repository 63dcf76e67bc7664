import numpy as np
import pytest

from latentdrum.patterns.descriptors import DESCRIPTOR_NAMES, describe, describe_one
from latentdrum.patterns.pattern import Pattern


def _pattern(hit_steps: dict[int, list[int]], offsets: dict[int, float] | None = None, vel: float = 0.8) -> Pattern:
    p = Pattern.empty(1)
    for voice, steps in hit_steps.items():
        p.hits[steps, voice] = 1
        p.velocities[steps, voice] = vel
    for step, o in (offsets or {}).items():
        p.offsets[step, 2] = o
    return Pattern(p.hits, p.velocities, p.offsets)


def test_at_least_twelve_descriptors_for_every_pattern() -> None:
    d = describe([Pattern.empty(1), _pattern({0: [0, 8]})])
    assert len(DESCRIPTOR_NAMES) >= 12 and set(d) == set(DESCRIPTOR_NAMES)
    assert all(v.shape == (2,) for v in d.values())


def test_densities_count_hits_per_bar_and_group() -> None:
    d = describe_one(_pattern({0: [0, 8], 1: [4, 12], 2: list(range(0, 16, 2)), 3: [14]}))
    assert d["density"] == 13 and d["density_kick"] == 2 and d["density_hats"] == 9
    assert d["voices_used"] == 4


def test_swing_is_the_mean_offset_of_offbeat_sixteenths() -> None:
    steps = list(range(16))
    d = describe_one(_pattern({2: steps}, offsets={s: 0.3 for s in range(1, 16, 2)}))
    assert d["swing"] == pytest.approx(0.3, abs=1e-4)
    assert d["timing_spread"] == pytest.approx(0.15, abs=1e-4)


def test_syncopation_rises_when_notes_anticipate_strong_beats() -> None:
    straight = describe_one(_pattern({0: [0, 4, 8, 12]}))["syncopation"]
    pushed = describe_one(_pattern({0: [0, 3, 7, 11]}))["syncopation"]
    assert straight == 0 and pushed > 0


def test_velocity_spread() -> None:
    p = _pattern({0: [0, 8]})
    p.velocities[8, 0] = 0.4
    d = describe_one(p)
    assert d["velocity_mean"] == pytest.approx(0.6) and d["velocity_spread"] == pytest.approx(0.2)
    assert np.isfinite(list(describe_one(Pattern.empty(1)).values())).all()
