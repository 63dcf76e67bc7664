"""Speed of the rhythm space where a player feels it: one latent point -> one pattern."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch


def _timings(fn: Any, repeats: int, warmup: int = 20) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - t0
    return out * 1000.0


def _summary(ms: np.ndarray) -> dict[str, float]:
    return {"median": round(float(np.median(ms)), 4), "p95": round(float(np.percentile(ms, 95)), 4)}


def run(model: str | Path | None = None, repeats: int = 500) -> dict[str, Any]:
    """Decode latency at batch 1 on one CPU thread, and 1,000 samples end to end (ms)."""
    from latentdrum.spaces.rhythm import RhythmSpace

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        space = RhythmSpace.load(model)
        z1 = space.sample_latent(1, seed=0)
        zt = torch.from_numpy(z1)
        style = torch.zeros(1, dtype=torch.long)

        def raw() -> None:
            with torch.inference_mode():
                space.model.decode(zt, style).to_pattern_tensor(space.hit_threshold)

        net = _timings(raw, repeats)
        full = _timings(lambda: space.decode(z1), repeats)
        thousand = _timings(lambda: space.decode(space.sample_latent(1000, seed=1), temperature=1.0, seed=1), 5, 1)
    finally:
        torch.set_num_threads(threads)
    return {
        "model": str(space.path),
        "threads": 1,
        "decode_batch1_network_ms": _summary(net),
        "decode_batch1_to_pattern_ms": _summary(full),
        "sample_1000_patterns_ms": round(float(np.median(thousand)), 2),
    }
