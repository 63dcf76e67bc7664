"""Speed of the instrument (issue 5), server side, on one thread.

``run()`` times, with the given (default: bundled) models:

- ``new_scene_draft``: a full new scene as the web page gets it first: sample a groove, decode
  it, sample a kit, decode its 9 kit sounds in one batch, render 2 bars (target <= 150 ms);
- ``new_scene_kit``: the same with the 9 kit sounds at full quality (the sound model's own
  Griffin-Lim iterations), one sound per voice: the issue's "pattern + 9 new sounds + render";
- ``new_scene_full``: the same with every intensity layer and variation of the coupling;
- ``pad_move``: one XY-pad move -> the new pattern (what the page waits for; target <= 30 ms);
- ``knob_draft``: a sound knob change -> that voice's new kit sound (target <= 50 ms).

Medians and p95 in ms. Speed targets are checked here, never in unit tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.evaluation.bench.timing import one_thread, time_calls


def _times(fn: Callable[[int], Any], repeats: int) -> dict[str, float]:
    t = time_calls(fn, repeats)  # one warm-up call
    return {"median_ms": t.median(), "p95_ms": t.p95()}


def run(
    rhythm_model: str | Path | None = None, sound_model: str | Path | None = None, repeats: int = 10
) -> dict[str, Any]:
    from latentdrum.instrument.coupling import DRAFT, Coupling, kit_sounds
    from latentdrum.instrument.render import RenderSettings, render
    from latentdrum.instrument.scene import new_scene
    from latentdrum.instrument.session import Session
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

    with one_thread():
        rhythm, sound = RhythmSpace.load(rhythm_model), SoundSpace.load(sound_model)
        kit_only = Coupling(layers=1, variations=1, dynamics=0.0, variation=0.0)

        def scene(i: int, coupling: Coupling) -> np.ndarray:
            s = new_scene(rhythm, sound, seed=1000 + i, bpm=120.0)
            pattern = s.decode_pattern(rhythm)
            return render(pattern, kit_sounds(sound, s.kit, coupling), RenderSettings(bpm=120.0))

        session = Session(rhythm, sound, None, seed=0)
        x0, y0 = session.puck()

        def move(i: int) -> dict[str, Any]:
            return session.move(x0 + 0.05 * np.sin(i), y0 + 0.05 * np.cos(i))

        def knob(i: int) -> Any:
            session.set_voice(1, knobs={"brightness": float(np.clip(0.1 * (i % 19) - 0.9, -1, 1))})
            return session.sounds([1], "draft")

        return {
            "new_scene_draft": _times(lambda i: scene(i, DRAFT), repeats) | {"target_ms": 150.0},
            "new_scene_kit": _times(lambda i: scene(i, kit_only), repeats) | {"target_ms": 150.0},
            "new_scene_full": _times(lambda i: scene(i, Coupling()), max(3, repeats // 3)),
            "pad_move": _times(move, repeats * 3) | {"target_ms": 30.0},
            "knob_draft": _times(knob, repeats * 2) | {"target_ms": 50.0},
            "coupling": {"layers": Coupling().layers, "variations": Coupling().variations},
            "sound_model_id": sound.model_id,
            "threads": 1,
        }
