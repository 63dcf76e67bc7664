"""The bundled model works out of the box and its knobs do what their names say."""

import numpy as np

from latentdrum.patterns.descriptors import describe
from latentdrum.spaces.rhythm import RhythmKnobs, RhythmSpace, bundled_rhythm_checkpoint


def test_bundled_model_loads_and_generates() -> None:
    assert bundled_rhythm_checkpoint().is_file()
    space = RhythmSpace.load()
    assert "funk" in space.styles and space.bars == 2
    pats = space.decode(space.sample_latent(16, "funk", seed=0), "funk", bpm=100, temperature=1.0, seed=0)
    assert all(p.bpm == 100 for p in pats) and np.mean([p.num_hits for p in pats]) > 8


def test_density_and_complexity_knobs_move_their_descriptors() -> None:
    space = RhythmSpace.load()
    z = space.sample_latent(200, seed=1)

    def mean_of(name: str, knobs: RhythmKnobs) -> float:
        return float(describe(space.decode(space.steer(z, knobs)))[name].mean())

    assert mean_of("density", RhythmKnobs(density=-1)) < mean_of("density", RhythmKnobs()) < mean_of(
        "density", RhythmKnobs(density=1)
    )
    assert mean_of("syncopation", RhythmKnobs(complexity=-1)) < mean_of("syncopation", RhythmKnobs(complexity=1))


def test_temperature_zero_is_deterministic_and_one_adds_spread() -> None:
    space = RhythmSpace.load()
    z = space.sample_latent(64, seed=2)
    a, b = space.decode(z, seed=1), space.decode(z, seed=2)
    assert all(p.equals(q) for p, q in zip(a, b, strict=True))
    hot = space.decode(z, temperature=1.0, seed=1)
    cold_spread = describe(a)["velocity_spread"].mean()
    assert describe(hot)["velocity_spread"].mean() > cold_spread
