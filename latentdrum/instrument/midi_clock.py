"""MIDI clock from the server: 24 ppqn Timing Clock plus Start/Stop, following the session's tempo.

``latentdrum serve --midi-out NAME --clock`` sends, through python-rtmidi, to the output port
whose name contains ``NAME`` (or, where the system allows it, to a new virtual port ``NAME``
that a DAW or a hardware box connects to):

- **Timing Clock** (``0xF8``) 24 times per quarter note, always while the server runs, so a
  receiver locks to the tempo before it is started (as hardware clock masters do);
- **Start** (``0xFA``) when the page starts playing (the page always plays from bar 1, so a
  restart is a Start, never a Continue), the first clock of the bar sent with it;
  **Stop** (``0xFC``) when it stops;
- a tempo change takes effect from the next clock: the clock's phase is kept, never reset.

Ticks are scheduled on absolute times (``anchor + k * period`` on a monotonic clock, re-anchored
at each tempo change), so waiting late for one tick never delays the next ones: there is
jitter, but no drift. :meth:`MidiClock.pump` does the scheduling for a given time (tests drive
it with their own clock); :meth:`MidiClock.run_thread` calls it from a thread.

Where the system has no MIDI (no ALSA sequencer, no JACK, no CoreMIDI/WinMM), or python-rtmidi
is missing, :func:`open_midi_out` raises :class:`~latentdrum.errors.MidiPortError` saying so,
and ``serve`` goes on without the clock (the page's own Web MIDI clock still works).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from latentdrum.errors import ConfigError, MidiPortError

CLOCK, START, CONTINUE, STOP = 0xF8, 0xFA, 0xFB, 0xFC
PPQN = 24


class MidiSink(Protocol):
    """What the clock sends to: python-rtmidi's ``MidiOut`` has this method."""

    def send_message(self, message: Sequence[int]) -> None: ...


def open_midi_out(name: str) -> tuple[Any, str]:
    """The rtmidi output port whose name contains ``name`` (case-insensitive), else a new virtual
    port called ``name``; returns the open ``MidiOut`` and the port's name.

    Raises:
        MidiPortError: python-rtmidi is missing, the system has no MIDI, or no port matches and
            no virtual port can be made (the message lists the ports there are).
    """
    if not name.strip():
        raise MidiPortError("--midi-out needs a port name (or part of one)")
    try:
        import rtmidi
    except ImportError:
        raise MidiPortError("python-rtmidi is not installed: pip install 'latentdrum[midi]' to send MIDI clock"
                            ) from None
    try:
        out = rtmidi.MidiOut(name="latentdrum")
    except (rtmidi.RtMidiError, OSError) as exc:
        raise MidiPortError(f"this system has no MIDI ports ({str(exc).strip()}): no MIDI clock sent; "
                            "on Linux load the ALSA sequencer (snd-seq) or start JACK") from None
    ports = list(out.get_ports())
    for i, port in enumerate(ports):
        if name.lower() in port.lower():
            out.open_port(i, name="latentdrum clock")
            return out, port
    try:
        out.open_virtual_port(name)
    except (rtmidi.RtMidiError, NotImplementedError, OSError):
        listed = ", ".join(repr(p) for p in ports) or "none"
        out.delete()
        raise MidiPortError(f"no MIDI output named {name!r} (ports: {listed}) and this system cannot make a "
                            "virtual one; pass part of a listed port's name") from None
    return out, name


class MidiClock:
    """24 ppqn clock and transport to ``out``; see the module docstring.

    ``now``: the monotonic clock in seconds (``time.perf_counter`` by default; tests pass their
    own). The clock starts ticking at construction; :meth:`start` and :meth:`stop` are the
    transport, :meth:`set_tempo` the tempo (20-400 BPM).
    """

    def __init__(self, out: MidiSink, bpm: float = 120.0, now: Callable[[], float] = time.perf_counter) -> None:
        self.out = out
        self._now = now
        self._lock = threading.Lock()
        self.bpm = self._check(bpm)
        self.playing = False
        self._anchor = now()  # time of tick 0 of the current tempo
        self._k = 0  # ticks sent since the anchor
        self._start_at: float | None = None  # a Start waiting for its time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _check(bpm: float) -> float:
        if not 20.0 <= float(bpm) <= 400.0:
            raise ConfigError(f"clock tempo must lie in [20, 400] BPM, got {bpm}")
        return float(bpm)

    @property
    def period(self) -> float:
        """Seconds between two clocks: 60 / (bpm * 24)."""
        return 60.0 / (self.bpm * PPQN)

    def next_tick(self) -> float:
        """When the next clock is due (seconds on ``now``'s clock)."""
        return self._anchor + self._k * self.period

    def pump(self, now: float | None = None) -> float:
        """Send every clock (and a pending Start) due by ``now``; returns when the next is due.
        A late call sends the missed clocks at once (a receiver counts clocks to place beats)."""
        t = self._now() if now is None else now
        with self._lock:
            while True:
                due = self.next_tick()
                if self._start_at is not None and self._start_at <= min(due, t):
                    self.out.send_message([START])
                    self.out.send_message([CLOCK])  # the bar's first clock, with the Start
                    self.playing = True
                    self._anchor, self._k, self._start_at = self._start_at, 1, None
                elif due <= t:
                    self.out.send_message([CLOCK])
                    self._k += 1
                else:
                    break
            return self.next_tick() if self._start_at is None else min(self.next_tick(), self._start_at)

    def set_tempo(self, bpm: float) -> None:
        """New tempo from the next clock on (the one already due keeps its time)."""
        bpm = self._check(bpm)
        with self._lock:
            if bpm == self.bpm:
                return
            self._anchor, self._k = self.next_tick(), 0
            self.bpm = bpm

    def start(self, at: float | None = None) -> None:
        """Start (0xFA) and the bar's first clock at time ``at`` (default now: sent at once);
        clocks follow on from that phase. The page's first beat is a little ahead of its
        message, so it says when (``lead_ms``)."""
        now = self._now()
        t = now if at is None else at
        with self._lock:
            self._start_at = t
        if t <= now:
            self.pump(now)

    def stop(self) -> None:
        """Stop (0xFC); the clock keeps ticking so the receiver keeps the tempo."""
        with self._lock:
            if self.playing:
                self.out.send_message([STOP])
            self.playing, self._start_at = False, None

    def follow(self, changes: dict[str, Any]) -> None:
        """Apply what changed in the session or the page: ``transport.bpm``, ``playing`` and
        ``lead_ms`` (how far ahead of now the page's first beat is)."""
        bpm = (changes.get("transport") or {}).get("bpm")
        if bpm is not None:
            self.set_tempo(float(bpm))
        if "playing" in changes:
            if changes["playing"]:
                self.start(self._now() + float(changes.get("lead_ms") or 0.0) / 1000.0)
            else:
                self.stop()

    def run_thread(self) -> None:
        """Tick from a daemon thread until :meth:`close`."""

        def loop() -> None:
            while not self._stop.is_set():
                due = self.pump()
                wait = due - self._now()
                if wait > 0:
                    time.sleep(min(wait, 0.05))  # short naps: a tempo change or close is seen soon

        self._thread = threading.Thread(target=loop, name="latentdrum-midi-clock", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread, send Stop if playing, close the port (where it can be closed)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self.stop()
        for method in ("close_port", "delete"):
            fn = getattr(self.out, method, None)
            if callable(fn):
                fn()
