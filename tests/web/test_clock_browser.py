"""MIDI clock in Chromium: the page's own Web MIDI layer, fed and read by a harness (no MIDI device here).

The harness replaces ``navigator.requestMIDIAccess`` before the page loads with one output that
records every message and its timestamp, and one input the test feeds. Figures are printed (run
with ``-s``) for the report; the asserts are about bytes, order and tempo, not wall-clock speed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from latentdrum.evaluation.bench.web import launch

pytestmark = pytest.mark.browser

READY = "window.__ld && window.__ld.ready"
HARNESS = """
(() => {
  const sent = [];
  const output = { id: "harness-out", name: "Harness out", type: "output", state: "connected",
    send(data, ts) { sent.push([Array.from(data), ts === undefined ? performance.now() : ts, performance.now()]); } };
  const input = { id: "harness-in", name: "Harness in", type: "input", state: "connected", onmidimessage: null,
    feed(bytes, ts) { if (this.onmidimessage) this.onmidimessage({ data: Uint8Array.from(bytes), timeStamp: ts }); } };
  window.__midiHarness = { sent, output, input };
  navigator.requestMIDIAccess = async () => ({ inputs: new Map([[input.id, input]]),
                                               outputs: new Map([[output.id, output]]), onstatechange: null });
})();
"""


@pytest.fixture()
def page(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launch(tmp_path_factory.mktemp("chromium-clock")) as ctx:
        page = ctx.new_page()
        page.add_init_script(HARNESS)
        page.goto(server)
        page.wait_for_function(READY, timeout=60_000)
        yield page
        page.close()


def _choose(page: Any, select: str, value: str) -> None:
    page.locator(select).focus()
    page.wait_for_function(f"[...document.querySelector('{select}').options].some(o => o.value === '{value}')")
    page.select_option(select, value)


def test_clock_out_sends_start_24ppqn_pulses_and_stop(page: Any) -> None:
    _choose(page, "#midi-out", "harness-out")
    page.select_option("#clock-mode", "send")
    bpm = page.evaluate("window.__ld.engine.bpm")
    page.evaluate("window.__ld.togglePlay()")
    page.wait_for_timeout(3000)
    page.evaluate("window.__ld.togglePlay()")
    sent = page.evaluate("window.__midiHarness.sent")
    clock = [(m[0][0], m[1], m[2]) for m in sent if len(m[0]) == 1]
    statuses = [s for s, _, _ in clock]
    assert statuses[0] == 0xFA and statuses[-1] == 0xFC and set(statuses[1:-1]) == {0xF8}
    pulses = np.array([t for s, t, _ in clock if s == 0xF8])
    period = 60000 / (bpm * 24)
    intervals = np.diff(pulses)
    assert len(pulses) >= int(1.5 * bpm / 60 * 24)
    assert clock[-1][1] > pulses.max()  # Stop reaches the wire after the last pulse
    assert np.abs(intervals - period).max() < 0.01  # timestamps on the exact grid: jitter never reaches them
    start = clock[0][1]
    assert pulses[0] == pytest.approx(start, abs=1e-6)
    lead = np.array([t - q for s, t, q in clock if s == 0xF8])
    # The first beat's notes go out with the first pulse (the clock is the audio scheduler's).
    first_note = min(m[1] for m in sent if len(m[0]) == 3 and m[0][0] == 0x99)
    pat = page.evaluate("window.__ld.engine.pattern")
    swing = page.evaluate("window.__ld.engine.swing")
    step_ms = 60000 / bpm / 4
    heard = min((s + (swing - 50) / 50 * (s % 2) + pat["offsets"][v][s]) * step_ms
                for v in range(9) for s in range(pat["steps"]) if pat["hits"][v][s])
    print(json.dumps({"clock_out": {"bpm": bpm, "pulses": len(pulses), "period_ms": period,
                                    "interval_dev_ms_max": float(np.abs(intervals - period).max()),
                                    "interval_dev_ms_std": float(np.std(intervals - period)),
                                    "queued_ahead_ms_min": float(lead.min()),
                                    "queued_ahead_ms_mean": float(lead.mean()),
                                    "first_note_minus_start_ms": float(first_note - start),
                                    "first_hit_in_pattern_ms": float(heard)}}))
    # Notes and clock on one timeline: the first note is at its own place after Start (the audio and
    # performance clocks are related at two moments, so allow for a loaded machine: half a step).
    assert abs((first_note - start) - heard) < step_ms / 2


# A clock source as Web MIDI delivers one: each pulse carries the time the interface received it
# (its ideal time plus the interface's jitter, here a seeded +-2 ms, USB MIDI's 1 ms frame and
# then some) and reaches the page whenever its main thread gets to it: on a loaded machine late,
# several at once. The page must time pulses by their stamps, never by when they arrive.
FEED = """
async ([bpm1, bpm2, seconds, jitterMs]) => {
  const h = window.__midiHarness, ld = window.__ld;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let seed = 12345;
  const jitter = () => {  // uniform in [-jitterMs, jitterMs), the same every run
    seed = (seed * 16807) % 2147483647;  // Park-Miller: exact in doubles
    return (seed / 2147483647 * 2 - 1) * jitterMs;
  };
  const log = [];
  let next = performance.now();
  h.input.feed([0xFA], next);
  const run = async (bpm, ms) => {
    const period = 60000 / (bpm * 24), end = next + ms;
    while (next < end) {
      const t = next + jitter();
      await sleep(Math.max(0, t - performance.now()));
      h.input.feed([0xF8], t);
      log.push({ t, ideal: next, late: performance.now() - t, bpm, est: ld.clockIn.bpm, drift: ld.clockIn.drift(),
                 playing: ld.engine.playing, engine: ld.engine.bpm });
      next += period;
    }
  };
  await run(bpm1, seconds * 1000);
  await run(bpm2, seconds * 1000);
  h.input.feed([0xFC], performance.now());
  await sleep(50);
  return { log, playingAfterStop: ld.engine.playing };
}
"""


def test_follow_an_incoming_clock_tempo_start_and_stop(page: Any) -> None:
    page.select_option("#clock-mode", "follow")
    _choose(page, "#midi-in", "harness-in")
    got = page.evaluate(FEED, [120.0, 90.0, 3.0, 2.0])
    log = got["log"]
    assert not got["playingAfterStop"]
    assert all(e["playing"] for e in log[1:])  # started on the first pulse after Start
    half = [e for e in log if e["bpm"] == 120.0], [e for e in log if e["bpm"] == 90.0]
    figures = {}
    for part in half:
        settled = part[48:]  # after two beats the fit holds only this tempo
        bpm = part[0]["bpm"]
        err = np.array([e["est"] - bpm for e in settled])
        drift = np.abs([e["drift"] for e in settled])
        late = np.array([e["late"] for e in part])
        stamp = np.array([e["t"] - e["ideal"] for e in part])
        figures[f"{bpm:g}"] = {"pulses": len(part), "stamp_jitter_ms_max": float(np.abs(stamp).max()),
                               "delivered_late_ms_mean": float(late.mean()), "delivered_late_ms_max": float(late.max()),
                               "tempo_error_bpm_mean": float(np.abs(err).mean()),
                               "tempo_error_bpm_max": float(np.abs(err).max()),
                               "drift_ms_mean": float(drift.mean()), "drift_ms_max": float(drift.max()),
                               "engine_bpm_last": settled[-1]["engine"]}
        assert abs(np.median([e["engine"] for e in settled]) - bpm) < 1.0  # the page plays at the incoming tempo
        assert np.abs(err).mean() < 1.0
        assert drift.mean() < 2.0  # the follower's clock is where the stamps say (within their jitter)
    print(json.dumps({"clock_in": figures}))
