"""The benchmarks' one timing loop and one-thread setup.

:func:`time_calls` runs a function a few times to warm it up, then ``repeats`` times under the
clock, and keeps each call's wall-clock and CPU time (of the calling thread) in milliseconds;
:func:`one_thread` pins torch and the BLAS/OpenMP pools to one thread for the block and puts
them back after, so every speed number means "one CPU core".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timings:
    """Per-call times of one benchmark, in milliseconds: ``wall`` and ``cpu`` are ``(repeats,)``."""

    wall: np.ndarray
    cpu: np.ndarray

    def median(self, digits: int = 2) -> float:
        return round(float(np.median(self.wall)), digits)

    def p95(self, digits: int = 2) -> float:
        return round(float(np.percentile(self.wall, 95)), digits)

    def min(self, digits: int = 2) -> float:
        return round(float(np.min(self.wall)), digits)

    def cpu_median(self, digits: int = 2) -> float:
        return round(float(np.median(self.cpu)), digits)


def time_calls(fn: Callable[[int], object], repeats: int, warmup: int = 1) -> Timings:
    """Call ``fn(-1)`` ``warmup`` times (caches, allocator), then ``fn(i)`` for i < ``repeats`` timed.

    ``fn`` gets the repeat's index so a benchmark can vary its input per call.
    """
    for _ in range(warmup):
        fn(-1)
    wall, cpu = np.empty(repeats), np.empty(repeats)
    for i in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(i)
        wall[i], cpu[i] = time.perf_counter() - t0, time.thread_time() - c0
    return Timings(wall * 1e3, cpu * 1e3)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with torch on one thread and BLAS limited to one thread (threadpoolctl, when
    installed: without it BLAS may use more threads, and the numbers are still honest per call)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    limits = None
    try:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=1)
    except ImportError:
        pass
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if limits is not None:
            limits.restore_original_limits()
