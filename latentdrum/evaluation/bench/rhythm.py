"""Speed of the rhythm space where a player feels it: one latent point -> one pattern."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from latentdrum.evaluation.bench.timing import Timings, one_thread, time_calls


def _summary(t: Timings) -> dict[str, float]:
    return {"median": t.median(4), "p95": t.p95(4)}


def run(model: str | Path | None = None, repeats: int = 500) -> dict[str, Any]:
    """Decode latency at batch 1 on one CPU thread, and 1,000 samples end to end (ms)."""
    from latentdrum.spaces.rhythm import RhythmSpace

    with one_thread():
        space = RhythmSpace.load(model)
        z1 = space.sample_latent(1, seed=0)
        zt = torch.from_numpy(z1)
        style = torch.zeros(1, dtype=torch.long)

        def raw(_: int) -> None:
            with torch.inference_mode():
                space.model.decode(zt, style).to_pattern_tensor(space.hit_threshold)

        net = time_calls(raw, repeats, warmup=20)
        full = time_calls(lambda _: space.decode(z1), repeats, warmup=20)
        thousand = time_calls(lambda _: space.decode(space.sample_latent(1000, seed=1), temperature=1.0, seed=1), 5)
    return {
        "model": str(space.path),
        "threads": 1,
        "decode_batch1_network_ms": _summary(net),
        "decode_batch1_to_pattern_ms": _summary(full),
        "sample_1000_patterns_ms": thousand.median(),
    }
