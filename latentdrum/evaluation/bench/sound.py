"""Speed of the sound space: decoding one-shots from latent points on one CPU thread.

``run()`` returns a JSON-able dict, per class (kick, snare, closed hat, crash, ride):

- ``draft_ms``: the one-shot a turned knob makes playable (the instrument's draft: one row, one
  Griffin-Lim step, cymbals previewed for 1 s) — target <= 15 ms;
- ``full_ms``: all intensity layers x round-robin variations of a voice (3 x 2 rows at the
  full quality, full length) on one thread (median and 95th percentile of 15 calls), and
  ``full_parallel_ms`` the same with the rows synthesised side by side on ``max(2, WORKERS)``
  threads (the instrument uses :data:`~latentdrum.sounds.synthesis.WORKERS`: up to 4 on 4
  cores or more, else 1) — target <= 150 ms, in the background;

and the time to load the model (target <= 1 s) and batch timings for a whole kit (9 and 40
sounds). Wall-clock times depend on what else runs on the machine, so the CPU time of the
decoding thread and the load average are reported beside them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.evaluation.bench.timing import one_thread, time_calls
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.synthesis import WORKERS


def _median_ms(fn: Callable[..., object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (this thread) milliseconds of ``fn()``."""
    t = time_calls(lambda _: fn(), repeats)  # one warm-up call builds the caches
    return float(np.median(t.wall)), float(np.median(t.cpu))


def run(model: str | Path | None = None, repeats: int = 30) -> dict[str, Any]:
    """Time :meth:`SoundSpace.decode` on one thread; returns medians in ms and real-time factors."""
    from latentdrum.spaces.sound import Knobs, SoundSpace

    t0 = time.perf_counter()
    space = SoundSpace.load(model)
    load_s = time.perf_counter() - t0
    with one_thread():
        per_class = {}
        for cls in [c for c in ("kick", "snare", "closed_hat", "crash", "ride") if c in space.classes]:
            z1 = space.sample_latent(cls, 1, seed=0)
            z6 = np.repeat(z1, 6, axis=0) + 0.05 * np.random.default_rng(0).standard_normal((6, space.latent_dim))
            inten = np.repeat([0.2, 0.6, 1.0], 2)
            draft, draft_cpu = _median_ms(lambda z1=z1, cls=cls: space.decode(
                z1, cls, Knobs(0.3, -0.4, 0.5, -0.2), gla_iters=1, max_seconds=1.0), repeats)

            def full_render(_: int, z6: np.ndarray = z6, cls: str = cls, inten: np.ndarray = inten) -> object:
                return space.decode(z6.astype(np.float32), cls, intensity=inten, workers=1)

            full_t = time_calls(full_render, max(5, repeats // 2))
            full, full_cpu = full_t.median(1), full_t.cpu_median(1)
            parallel, _ = _median_ms(lambda z6=z6, cls=cls, inten=inten: space.decode(
                z6.astype(np.float32), cls, intensity=inten, workers=max(2, WORKERS)), max(3, repeats // 5))
            per_class[cls] = {"draft_ms": round(draft, 2), "draft_cpu_ms": round(draft_cpu, 2),
                              "full_6_rows_ms": full, "full_6_rows_p95_ms": full_t.p95(1),
                              "full_6_rows_cpu_ms": full_cpu,
                              "full_6_rows_parallel_ms": round(parallel, 1),
                              "seconds": round(space.decode(z1, cls).shape[1] / SAMPLE_RATE, 2)}
        batches = {}
        for n in (9, 40):
            names = [space.classes[i % len(space.classes)] for i in range(n)]
            z = np.concatenate([space.sample_latent(c, 1, seed=i) for i, c in enumerate(names)])
            ms, ms_cpu = _median_ms(lambda z=z, names=names: space.decode(z, names), max(3, repeats // 5))
            batches[str(n)] = {"ms": round(ms, 2), "ms_per_sound": round(ms / n, 2),
                               "cpu_ms_per_sound": round(ms_cpu / n, 2)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "sound_load_s": round(load_s, 3),
        "sound_per_class": per_class,
        "sound_decode_batch": batches,
        "targets_ms": {"draft": 15.0, "full_6_rows": 150.0, "load": 1000.0},
        "threads": 1,
        "synthesis_workers": WORKERS,
        "parallel_workers": max(2, WORKERS),
        "cpus": os.cpu_count(),
        "load_average_1min": None if load is None else round(load, 2),
        "model_id": space.model_id,
        "train_seconds": space.metrics.get("train_seconds"),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
