"""Scene and kit files with the wrong JSON types are refused with one line naming file and place."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from latentdrum.errors import KitError
from latentdrum.instrument.kit import Kit
from latentdrum.instrument.scene import Scene, SceneError
from tests.instrument.test_kit import make_kit


def _scene_json() -> dict[str, Any]:
    return Scene(np.linspace(-1, 1, 8, dtype=np.float32), make_kit(), "rhythm-test-1", style="funk", bpm=96.0).to_json()


def test_a_valid_scene_document_loads_with_its_values() -> None:
    back = Scene.from_json(_scene_json(), "rhythm-test-1", "sound-vae-test-1", source="s.json")
    assert back.style == "funk" and back.bpm == 96.0 and back.bars == 2 and back.kit == make_kit()
    np.testing.assert_allclose(back.z, np.linspace(-1, 1, 8), atol=1e-6)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rhythm"].update(latent=[0.1, "x"]), r"^s\.json: rhythm\.latent\[1\] must be a number, got 'x'$"),
        (lambda d: d["rhythm"].update(seed=1.5), r"^s\.json: rhythm\.seed must be a whole number, got 1\.5$"),
        (lambda d: d["rhythm"].update(style=3), r"^s\.json: rhythm\.style must be a string"),
        (lambda d: d.update(bpm="96"), r"^s\.json: 'bpm' must be a number, got '96'$"),  # a string is not a number
        (lambda d: d.update(swing=True), r"^s\.json: 'swing' must be a number, got True$"),
        (lambda d: d.update(rhythm=[1]), r"^s\.json: 'rhythm' must be an object, got \[1\]$"),
        (lambda d: d.pop("rhythm"), r"^s\.json: needs 'rhythm'$"),
        (lambda d: d["rhythm"].pop("latent"), r"^s\.json: rhythm needs 'latent'$"),
        (lambda d: d.update(bpm=1000), r"^s\.json: bpm must lie in \[20, 400\], got 1000"),
        (lambda d: d["kit"]["voices"][0].update(pan="left"), r"^s\.json: kit: voice 1 \(kick\): pan must be a number"),
        (lambda d: d.update(version=2), r"^s\.json is scene format version 2; this latentdrum reads version 1\."),
        (lambda d: d.update(format="x"), r"^s\.json is not a latentdrum scene \(its 'format' is 'x'\)$"),
    ],
)
def test_malformed_scenes_name_the_file_and_the_place(change: Any, message: str) -> None:
    data = _scene_json()
    change(data)
    with pytest.raises(SceneError, match=message):
        Scene.from_json(data, source="s.json")


def test_kit_numbers_must_be_json_numbers_and_unknown_keys_are_ignored() -> None:
    data = make_kit().to_json()
    data["made_with"] = "a newer latentdrum"  # an extra key: still opens
    data["voices"][0]["colour"] = "red"
    assert Kit.from_json(data) == make_kit()
    data["voices"][8]["tune"] = "12"
    with pytest.raises(KitError, match=r"^k\.json: voice 9 \(ride\): tune must be a number, got '12'$"):
        Kit.from_json(data, source="k.json")
