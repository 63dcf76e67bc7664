"""The server's traffic: one queue of work on the session, one outbox per connected page.

Why: many pages (or one fast controller) can send far more moves than the CPU can decode. Work
is therefore

- **latest-wins** for continuous controls: a waiting message of the same control
  (:func:`latentdrum.web.protocol.lane`) is answered ``superseded`` and replaced by the newer
  one, so the queue never holds stale moves; discrete edits keep their order and are never
  dropped (a page with more than :data:`MAX_WAITING_PER_CLIENT` waiting is told to slow down);
- **off the event loop**: decoding and rendering run on one worker thread, in arrival order, so
  the loop stays free to read messages and answer pings at once;
- **broadcast at the display rate**: the other pages get what changed at most
  :data:`BROADCAST_HZ` times a second, the changes in between merged (later values win);
- **listeners** (:meth:`Hub.notify`): what each applied change says, and what a page says about
  its own transport (``play``), is also handed to the server's listeners, e.g. the MIDI clock
  (:class:`latentdrum.instrument.midi_clock.MidiClock.follow`) that follows tempo and play/stop;
- **per page**: each page has its own outbox and sender task, so a slow page delays only itself;
  a page that stops reading (outbox over :data:`MAX_OUTBOX`) is disconnected (code 1013).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket

log = logging.getLogger("latentdrum.web")

BROADCAST_HZ = 30.0
MAX_WAITING = 512  # jobs waiting on the session, all pages together
MAX_WAITING_PER_CLIENT = 32
MAX_OUTBOX = 256  # frames waiting to be sent to one page


@dataclass(eq=False)
class Client:
    """One connected page: what is waiting to be sent to it, and what changed for it since its last broadcast."""

    socket: WebSocket
    outbox: deque[str | bytes] = field(default_factory=deque)
    changes: dict[str, Any] = field(default_factory=dict)
    waiting: int = 0  # its jobs in the session queue
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def post(self, frame: str | bytes | dict[str, Any]) -> None:
        if self.closed:
            return
        self.outbox.append(json.dumps(frame) if isinstance(frame, dict) else frame)
        if len(self.outbox) > MAX_OUTBOX:
            self.closed = True  # it does not read: let it go rather than hold its backlog
        self.wake.set()


@dataclass(eq=False)
class Job:
    """Work on the session: ``call`` runs on the worker thread and returns (reply data, extra binary frame)."""

    call: Callable[[], tuple[dict[str, Any], bytes | None]]
    op: str
    client: Client | None = None
    mid: int | None = None
    lane: tuple[Any, ...] | None = None
    broadcast: bool = True
    done: asyncio.Future[dict[str, Any]] | None = None  # for HTTP callers, who await the data


class Busy(Exception):
    """A job refused because too many are waiting; the message says what to do."""


class Hub:
    """The queue, the worker thread and the pages; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()
        self._jobs: deque[Job] = deque()
        self._ready = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="latentdrum-session")
        self._tasks: list[asyncio.Task[None]] = []
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work()), asyncio.create_task(self._broadcast_loop())]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._executor.shutdown(wait=True)

    async def run_blocking(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the session's worker thread (in order with the queued jobs already running)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def notify(self, changes: dict[str, Any]) -> None:
        """Hand ``changes`` (what a job changed, or a page's ``playing``) to every listener."""
        for listen in self.listeners:
            try:
                listen(changes)
            except Exception as exc:  # a listener's failure must not stop the session's work
                log.error("listener %r failed", listen, exc_info=exc)

    # --- the queue ---------------------------------------------------------------------------------
    def submit(self, job: Job) -> None:
        """Queue ``job``, superseding a waiting job of the same lane; :class:`Busy` when full."""
        if job.lane is not None:
            for i in range(len(self._jobs) - 1, -1, -1):
                waiting = self._jobs[i]
                if waiting.lane is None:
                    break  # never jump over a discrete edit: order matters there
                if waiting.lane == job.lane:
                    self._jobs[i] = job
                    self._count(waiting.client, -1)
                    self._count(job.client, +1)
                    if waiting.client is not None:
                        waiting.client.post({"id": waiting.mid, "ok": True, "op": waiting.op, "superseded": True})
                    return
        if len(self._jobs) >= MAX_WAITING:
            raise Busy(f"the server is busy ({len(self._jobs)} messages waiting); try again in a moment")
        if job.client is not None and job.client.waiting >= MAX_WAITING_PER_CLIENT:
            raise Busy(f"{job.client.waiting} of this page's messages are waiting; wait for replies before "
                       "sending more")
        self._count(job.client, +1)
        self._jobs.append(job)
        self._ready.set()

    @staticmethod
    def _count(client: Client | None, n: int) -> None:
        if client is not None:
            client.waiting += n

    async def _work(self) -> None:
        while True:
            if not self._jobs:
                self._ready.clear()
                await self._ready.wait()
                continue
            job = self._jobs.popleft()
            self._count(job.client, -1)
            t0 = time.perf_counter()
            try:
                data, extra = await self.run_blocking(job.call)
            except Exception as exc:  # reported to the sender; a bug is also logged
                self._fail(job, exc)
                continue
            self.notify(data)
            if job.done is not None and not job.done.done():
                job.done.set_result(data)
            if job.client is not None:
                job.client.post({"id": job.mid, "ok": True, "op": job.op, "data": data,
                                 "server_ms": round((time.perf_counter() - t0) * 1e3, 2)})
                if extra is not None:
                    job.client.post(extra)
                for key in data:  # the reply is newer than what was waiting to be broadcast to it
                    job.client.changes.pop(key, None)
            if job.broadcast:
                for c in self.clients:
                    if c is not job.client:
                        c.changes |= data

    def _fail(self, job: Job, exc: Exception) -> None:
        from latentdrum.errors import LatentDrumError

        if not isinstance(exc, LatentDrumError):
            log.error("%s failed", job.op, exc_info=exc)
        if job.done is not None and not job.done.done():
            job.done.set_exception(exc)
        if job.client is not None:
            message = str(exc) if isinstance(exc, LatentDrumError) else "internal error"
            job.client.post({"id": job.mid, "ok": False, "op": job.op, "error": message})

    # --- the pages ---------------------------------------------------------------------------------
    async def _broadcast_loop(self) -> None:
        while True:
            await asyncio.sleep(1 / BROADCAST_HZ)
            for c in self.clients:
                if c.changes:
                    c.post({"ok": True, "op": "update", "data": c.changes, "broadcast": True})
                    c.changes = {}

    async def serve(self, client: Client) -> None:
        """Send ``client`` its outbox until it closes (run as the page's sender task)."""
        while not client.closed:
            await client.wake.wait()
            client.wake.clear()
            while client.outbox and not client.closed:
                frame = client.outbox.popleft()
                if isinstance(frame, bytes):
                    await client.socket.send_bytes(frame)
                else:
                    await client.socket.send_text(frame)
        with contextlib.suppress(Exception):
            await client.socket.close(code=1013)  # "try again later": it fell too far behind
