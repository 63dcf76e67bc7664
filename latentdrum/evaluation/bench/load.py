"""The web server under load: many fast clients dragging the pad at once, on loopback only.

:func:`run` starts ``latentdrum serve`` on a free ``127.0.0.1`` port (a fresh state file) and
connects ``clients`` websockets that each send ``move`` messages at ``rate`` per second for
``seconds`` seconds without waiting for replies (a fast controller, or a page on a fast
machine), plus one client that sends a ``ping`` every 50 ms. It measures:

- **reply to latest** (ms): for every move the server applied (a reply carrying ``data``, not
  ``superseded``), the time from sending it to its reply. Superseded moves are counted apart.
- **ping** (ms): round trip of the pings sent during the load.
- **convergence** (s): after the last move, when each client last heard of a change, counted
  from the last move sent; every client's last puck must equal the server's.
- **memory** (MiB): the server's resident set at the start and the end of the load.

Everything is bounded in time: ``seconds`` of load, then at most ``drain`` seconds to settle.
Nothing is asserted; the targets are reported beside the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.evaluation.bench.web import serving

TARGETS = {"converge_s": 1.0, "reply_to_latest_p95_ms": 50.0, "ping_p95_ms": 20.0}


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


@contextlib.contextmanager
def _server(rhythm_model: str | Path | None, sound_model: str | Path | None) -> Iterator[tuple[str, int]]:
    """``latentdrum serve`` on a free loopback port with a fresh state file; yields ``(host:port, pid)``."""
    with tempfile.TemporaryDirectory() as tmp, \
            serving(rhythm_model, sound_model, Path(tmp) / "session.json", seed=0) as (url, proc):
        yield url.removeprefix("http://").rstrip("/"), proc.pid


class _Client:
    """One websocket client: its sends by id, the latencies of applied replies, its last puck."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.applied_ms: list[float] = []
        self.superseded = 0
        self.errors = 0
        self.puck: list[float] | None = None
        self.last_update = 0.0

    def hear(self, msg: dict[str, Any], now: float) -> None:
        data = msg.get("data") or {}
        if "puck" in data:
            self.puck, self.last_update = data["puck"], now
        if msg.get("broadcast"):
            return
        t0 = self.sent.pop(int(msg.get("id") or 0), None)
        if not msg.get("ok"):
            self.errors += 1
        elif msg.get("superseded"):
            self.superseded += 1
        elif t0 is not None:
            self.applied_ms.append((now - t0) * 1e3)


async def _load(host: str, clients: int, rate: float, seconds: float, drain: float, pid: int) -> dict[str, Any]:
    import websockets

    url, origin = f"ws://{host}/ws", f"http://{host}"
    rng = np.random.default_rng(0)
    conns = [await websockets.connect(url, origin=origin, max_size=2**24) for _ in range(clients)]  # type: ignore[arg-type]
    pinger = await websockets.connect(url, origin=origin, max_size=2**24)  # type: ignore[arg-type]
    state = [_Client() for _ in conns]
    pings: list[float] = []
    ping_sent: dict[int, float] = {}
    stop_at = time.perf_counter() + seconds
    last_send = [0.0]

    async def receive(ws: Any, c: _Client) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                if isinstance(raw, str):
                    c.hear(json.loads(raw), time.perf_counter())

    async def send(ws: Any, c: _Client, k: int) -> None:
        x, y, i = float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2)), 0
        t_next = time.perf_counter() + k / (clients * rate)  # clients start staggered
        while (now := time.perf_counter()) < stop_at:
            i += 1
            x, y = float(np.clip(x + rng.normal(0, 0.05), -3, 3)), float(np.clip(y + rng.normal(0, 0.05), -3, 3))
            c.sent[i] = now
            await ws.send(json.dumps({"id": i, "op": "move", "x": x, "y": y}))
            last_send[0] = max(last_send[0], now)
            t_next += 1 / rate
            await asyncio.sleep(max(0.0, t_next - time.perf_counter()))

    async def ping_loop() -> None:
        i = 0
        while time.perf_counter() < stop_at:
            i += 1
            ping_sent[i] = time.perf_counter()
            await pinger.send(json.dumps({"id": i, "op": "ping"}))
            await asyncio.sleep(0.05)

    async def ping_receive() -> None:
        with contextlib.suppress(Exception):
            async for raw in pinger:
                if isinstance(raw, str):
                    t0 = ping_sent.pop(json.loads(raw).get("id"), None)
                    if t0 is not None:
                        pings.append((time.perf_counter() - t0) * 1e3)

    rss_start = _rss_mib(pid)
    receivers = [asyncio.create_task(receive(ws, c)) for ws, c in zip(conns, state, strict=True)]
    receivers.append(asyncio.create_task(ping_receive()))
    await asyncio.gather(*(send(ws, c, k) for k, (ws, c) in enumerate(zip(conns, state, strict=True))), ping_loop())
    rss_end = _rss_mib(pid)
    pending_pings = len(ping_sent)
    await asyncio.sleep(drain)  # bounded: whatever has not arrived by then counts as unanswered
    for t in receivers:  # what has not arrived by now is not counted
        t.cancel()
    final = json.loads(urllib.request.urlopen(f"http://{host}/api/state", timeout=10).read())["puck"]
    for ws in [*conns, pinger]:
        ws.transport.abort()  # no closing handshake: a backlogged server would make it wait
    converge = [c.last_update - last_send[0] for c in state]
    sent = sum(len(c.applied_ms) + c.superseded + c.errors + len(c.sent) for c in state)
    return {
        "clients": clients, "moves_per_s_each": rate, "seconds": seconds,
        "moves_sent": sent,
        "moves_applied": sum(len(c.applied_ms) for c in state),
        "moves_superseded": sum(c.superseded for c in state),
        "moves_unanswered": sum(len(c.sent) for c in state),
        "errors": sum(c.errors for c in state),
        "reply_to_latest_ms": _stats([x for c in state for x in c.applied_ms]),
        "ping_ms": _stats(pings) | {"unanswered_when_load_ended": pending_pings},
        "converged": all(c.puck is not None and np.allclose(c.puck, final, atol=1e-3) for c in state),
        "converge_s_max": round(max(converge), 3),
        "server_rss_mib": {"start": rss_start, "end_of_load": rss_end, "after_drain": _rss_mib(pid)},
        "loadavg": os.getloadavg(),
        "targets": TARGETS,
    }


def _stats(xs: list[float]) -> dict[str, Any]:
    if not xs:
        return {"n": 0}
    a = np.asarray(xs)
    return {"n": len(xs), "p50": round(float(np.percentile(a, 50)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "max": round(float(a.max()), 1)}


def run(rhythm_model: str | Path | None = None, sound_model: str | Path | None = None, clients: int = 20,
        rate: float = 60.0, seconds: float = 20.0, drain: float = 5.0) -> dict[str, Any]:
    """Load the server as the module docstring says; returns the figures (and the targets)."""
    with _server(rhythm_model, sound_model) as (host, pid):
        return asyncio.run(_load(host, clients, rate, seconds, drain, pid))
