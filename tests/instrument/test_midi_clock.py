"""The server's MIDI clock: the bytes it sends and when, tempo and transport, and real ports.

Timing is checked on the clock's own schedule, driven by a test clock (no wall-clock asserts):
a fake output stamps each message with the test clock's time. The rtmidi path is tried for real:
where this system can open a virtual port, clock goes out through it; where it has no MIDI
(no ALSA sequencer here), the message that ``serve --clock`` prints is checked instead.
"""

from __future__ import annotations

import numpy as np
import pytest

from latentdrum.cli.instrument import midi_clock_or_none
from latentdrum.errors import ConfigError, MidiPortError
from latentdrum.instrument.midi_clock import CLOCK, PPQN, START, STOP, MidiClock, open_midi_out


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class FakeOut:
    """Records ``(time, bytes)`` of every message, stamped by the test clock."""

    def __init__(self, now: FakeTime) -> None:
        self.now = now
        self.sent: list[tuple[float, list[int]]] = []

    def send_message(self, message: list[int]) -> None:
        self.sent.append((self.now(), list(message)))


def run(clock: MidiClock, now: FakeTime, until: float) -> None:
    """Pump the clock as its thread would: wake at each due time (or earlier), up to ``until``."""
    while True:
        due = clock.pump(now.t)
        if due > until:
            now.t = until
            clock.pump(until)
            return
        now.t = due


def clock_times(out: FakeOut) -> np.ndarray:
    return np.array([t for t, m in out.sent if m == [CLOCK]])


def test_24_clocks_per_quarter_note_on_exact_times() -> None:
    now = FakeTime()
    out = FakeOut(now)
    clock = MidiClock(out, bpm=120.0, now=now)
    run(clock, now, 2.0)
    assert {tuple(m) for _, m in out.sent} == {(CLOCK,)}  # single-byte real-time messages, nothing else
    times = clock_times(out)
    assert len(times) == 4 * PPQN + 1  # 4 beats in 2 s at 120 BPM, ticks 0..96
    np.testing.assert_allclose(np.diff(times), 60.0 / (120.0 * PPQN), atol=1e-12)


def test_start_comes_with_the_bars_first_clock_at_the_pages_first_beat() -> None:
    now = FakeTime()
    out = FakeOut(now)
    clock = MidiClock(out, bpm=100.0, now=now)
    run(clock, now, 0.31)
    clock.follow({"playing": True, "lead_ms": 60.0})  # the page's first beat is 60 ms from now
    run(clock, now, 1.0)
    i = next(i for i, (_, m) in enumerate(out.sent) if m == [START])
    assert out.sent[i] == (pytest.approx(0.37), [START]) and out.sent[i + 1] == (pytest.approx(0.37), [CLOCK])
    after = clock_times(out)[clock_times(out) >= 0.37 - 1e-9]
    np.testing.assert_allclose(after - 0.37, np.arange(len(after)) * 60.0 / (100.0 * PPQN), atol=1e-9)
    assert clock.playing
    clock.follow({"playing": False})
    run(clock, now, 1.5)
    assert [m for _, m in out.sent].count([STOP]) == 1
    assert clock_times(out)[-1] > 1.4  # the clock runs on while stopped: the receiver keeps the tempo


def test_a_tempo_change_keeps_the_phase_and_changes_the_period_from_the_next_clock() -> None:
    now = FakeTime()
    out = FakeOut(now)
    clock = MidiClock(out, bpm=120.0, now=now)
    run(clock, now, 0.51)
    due = clock.next_tick()
    clock.follow({"transport": {"bpm": 60.0, "swing": 50.0}})
    assert clock.next_tick() == pytest.approx(due)  # the clock already due keeps its time
    run(clock, now, 2.0)
    later = clock_times(out)[clock_times(out) >= due - 1e-9]
    np.testing.assert_allclose(np.diff(later), 60.0 / (60.0 * PPQN), atol=1e-9)
    with pytest.raises(ConfigError, match="20, 400"):
        clock.set_tempo(1000.0)


def test_late_wake_ups_send_the_missed_clocks_and_never_drift() -> None:
    now = FakeTime()
    out = FakeOut(now)
    clock = MidiClock(out, bpm=133.0, now=now)
    rng = np.random.default_rng(0)
    while now.t < 600.0:  # ten minutes of irregular, often late wake-ups
        clock.pump(now.t)
        now.t += float(rng.uniform(0.0, 0.05))
    clock.pump(now.t)
    period = 60.0 / (133.0 * PPQN)
    assert len(clock_times(out)) == int(now.t / period) + 1  # exactly as many clocks as time allows


def test_the_thread_sends_clocks_and_close_stops_with_a_stop() -> None:
    import time

    sent: list[list[int]] = []

    class Out:
        def send_message(self, m: list[int]) -> None:
            sent.append(list(m))

    clock = MidiClock(Out(), bpm=400.0)
    clock.run_thread()
    clock.start()
    deadline = time.monotonic() + 10.0
    while sent.count([CLOCK]) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    clock.close()
    assert sent.count([CLOCK]) >= 10 and sent[-1] == [STOP] and sent.count([START]) == 1


def test_a_real_midi_port_or_the_message_saying_why_not(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rtmidi", reason="python-rtmidi is not installed (pip install 'latentdrum[midi]')")
    try:
        out, port = open_midi_out("latentdrum test clock")
    except MidiPortError as exc:
        assert "no MIDI ports" in str(exc) or "no MIDI output named" in str(exc)
        assert midi_clock_or_none("latentdrum test clock") is None
        err = capsys.readouterr().err
        assert err.startswith("latentdrum: MIDI clock skipped:") and len(err.strip().splitlines()) == 1
        return
    try:  # this system has MIDI: a virtual port opens and takes the clock's bytes
        assert "latentdrum test clock" in port
        out.send_message([START])
        out.send_message([CLOCK])
        out.send_message([STOP])
    finally:
        out.close_port()


def test_serve_takes_clock_and_midi_out_together(capsys: pytest.CaptureFixture[str]) -> None:
    from latentdrum.cli import main

    for argv in (["serve", "--clock"], ["serve", "--midi-out", "IAC"]):
        assert main(argv) == 2
        assert "--clock and --midi-out NAME go together" in capsys.readouterr().err
