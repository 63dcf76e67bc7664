"""Speed of the sound space (issue 4): decoding one-shots from latent points on the CPU.

``run()`` returns a JSON-able dict: the median time to decode one 1 s, 44.1 kHz one-shot on one
thread (target <= 10 ms, i.e. >= 100x real time) and batch timings for a whole kit (9 and 40
sounds, the instrument's new-kit case), each with the real-time factor. Wall-clock times depend
on what else runs on the machine, so the CPU time of the decoding thread and the load average
are reported beside them.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np


def _single_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it BLAS may use more threads (numbers still honest per call)
        return nullcontext()
    return threadpool_limits(limits=1)


def _median_ms(fn: Any, repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (this thread) milliseconds of ``fn()``."""
    fn()  # warm-up (first call builds caches)
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return float(np.median(wall) * 1000.0), float(np.median(cpu) * 1000.0)


def run(model: str | Path | None = None, repeats: int = 30) -> dict[str, Any]:
    """Time :meth:`SoundSpace.decode` on one thread; returns medians in ms and real-time factors."""
    import torch

    from latentdrum.spaces.sound import Knobs, SoundSpace

    space = SoundSpace.load(model)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _single_thread():
            cls = "snare" if "snare" in space.classes else space.classes[0]
            z1 = space.sample_latent(cls, 1, seed=0)
            one, one_cpu = _median_ms(lambda: space.decode(z1, cls), repeats)
            knobbed, _ = _median_ms(lambda: space.decode(z1, cls, Knobs(0.3, -0.4, 0.5, -0.2), intensity=0.8),
                                    repeats)
            batches = {}
            for n in (9, 40):
                names = [space.classes[i % len(space.classes)] for i in range(n)]
                z = np.concatenate([space.sample_latent(c, 1, seed=i) for i, c in enumerate(names)])
                ms, ms_cpu = _median_ms(lambda z=z, names=names: space.decode(z, names), max(3, repeats // 5))
                batches[str(n)] = {"ms": round(ms, 2), "ms_per_sound": round(ms / n, 2),
                                   "cpu_ms_per_sound": round(ms_cpu / n, 2), "x_realtime": round(n * 1000.0 / ms, 1)}
    finally:
        torch.set_num_threads(threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "sound_decode_one_1s_ms_median": round(one, 2),
        "sound_decode_one_1s_x_realtime": round(1000.0 / one, 1),
        "sound_decode_one_1s_cpu_ms_median": round(one_cpu, 2),
        "sound_decode_one_with_knobs_ms_median": round(knobbed, 2),
        "sound_decode_batch": batches,
        "target_ms": 10.0,
        "threads": 1,
        "cpus": os.cpu_count(),
        "load_average_1min": None if load is None else round(load, 2),
        "model_id": space.model_id,
        "train_seconds": space.metrics.get("train_seconds"),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
