"""One sound engine: the page's engine (real Chromium, OfflineAudioContext) plays what the WAV export holds.

The scene (:data:`latentdrum.evaluation.parity.PARITY_SCENE`) exercises every rule: the limiter
at work, layer crossfades, round robin with its jitter, a choke, pan and tune. The page renders it
with its own engine; the server's ``loop.wav`` is :func:`latentdrum.instrument.render.render`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy.signal import resample_poly

from latentdrum.evaluation.bench.web import launch
from latentdrum.evaluation.parity import compare, export_render, hit_times, page_render, page_scene, set_up_scene
from latentdrum.instrument import draws

pytestmark = pytest.mark.browser

READY = "window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9"
LOOPS = 5  # from silence; loops 2 and 3 are the export's two loops in their steady state


@pytest.fixture(scope="module")
def page(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launch(tmp_path_factory.mktemp("chromium-parity")) as ctx:
        page = ctx.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.goto(server)
        page.wait_for_function(READY, timeout=120_000)
        set_up_scene(page)
        yield page


def _steady(page: Any, server: str) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    played, sr = page_render(page, LOOPS)
    exported, sr_export = export_render(server)
    assert sr == sr_export == 44_100
    loop = exported.shape[0] // 2
    pattern, bpm, swing = page_scene(page)
    return played[2 * loop : 4 * loop], exported, sr, hit_times(pattern, bpm, swing, 2)


def test_the_page_draws_the_renderers_random_numbers(page: Any) -> None:
    keys = [(0, 0), (7, 3), (2**31 - 1, 8), (-5, 2), (123456789, 1)]
    index = np.arange(0, 4000, 37)
    got = page.evaluate("""async ([keys, index]) => {
      const d = await import("/static/js/draws.js");
      return keys.map(([seed, v]) => ({
        hash: index.map((i) => d.hash32(seed, v, 2, i)),
        normal: index.map((i) => d.normal(seed, v, [0, 1], i)),
        rr: index.map((i) => d.roundRobinStep(seed, v, 2, i, 3)),
      }));
    }""", [keys, index.tolist()])
    for (seed, v), js in zip(keys, got, strict=True):
        assert js["hash"] == draws.hash32(seed, v, 2, index).tolist()
        np.testing.assert_allclose(js["normal"], draws.normal(seed, v, (0, 1), index), rtol=0, atol=1e-12)
        assert js["rr"] == draws.round_robin_steps(seed, v, index, 3).tolist()


def test_the_page_tunes_as_the_renderer(page: Any) -> None:
    semitones = [0.01, -0.37, 1.0, 3.0, -5.0, 7.25, -11.9, 12.0, -24.0, 24.0]
    signal = np.random.default_rng(0).standard_normal(3000).astype(np.float32) * np.float32(0.3)
    got = page.evaluate("""async ([semitones, x]) => {
      const t = await import("/static/js/tune.js");
      const shots = [[Float32Array.from(x)]];
      return semitones.map((s) => ({ ratio: t.tuneRatio(s), audio: Array.from(t.tuneShots(shots, s)[0][0]) }));
    }""", [semitones, signal.tolist()])
    for s, js in zip(semitones, got, strict=True):
        ratio = Fraction(2.0 ** (s / 12.0)).limit_denominator(1024)
        assert js["ratio"] == [ratio.numerator, ratio.denominator]
        want = resample_poly(signal, ratio.denominator, ratio.numerator).astype(np.float32)
        assert len(js["audio"]) == want.shape[0]
        np.testing.assert_allclose(js["audio"], want, rtol=0, atol=2e-6)


def test_the_page_plays_what_the_wav_export_holds(page: Any, server: str) -> None:
    page_audio, export, sr, times = _steady(page, server)
    report = compare(page_audio, export, sr, times)
    print("engine parity (page OfflineAudioContext vs loop.wav):", json.dumps(report.to_json()))
    assert report.hits >= 40
    assert report.export_peak_dbfs == pytest.approx(-0.3, abs=0.01)  # the scene drives the limiter
    assert report.max_abs_onset_lag_ms <= 1.0
    assert report.max_abs_level_diff_db <= 1.0
    assert report.log_mel_distance_db <= 0.5
    assert report.residual_db <= -60.0  # sample for sample, not only alike
    assert page.console_errors == []


def test_the_comparison_hears_an_engine_that_breaks_a_rule(page: Any, server: str) -> None:
    """The old page's rules (nearest layer, no level jitter) fail the same comparison."""
    page.evaluate("""async () => {
      const { HitRules } = await import("/static/js/hits.js");
      const e = window.__ld.engine;
      e.savedRules = e.hitRules;
      e.hitRules = new HitRules({ ...e.rules, layer_mode: "nearest", level_jitter_db: 0 });
    }""")
    try:
        page_audio, export, sr, times = _steady(page, server)
    finally:
        page.evaluate("(() => { const e = window.__ld.engine; e.hitRules = e.savedRules; })()")
    report = compare(page_audio, export, sr, times)
    print("old rules vs loop.wav:", json.dumps(report.to_json()))
    assert report.max_abs_level_diff_db > 1.0 or report.residual_db > -20.0


def test_the_live_engine_plays_a_tuned_voice_from_the_renderers_resampling(page: Any) -> None:
    """Live, the resampling runs in a worker: until it is done the voice plays at the tune's rate."""
    first_rate = page.evaluate("""(() => {
      const e = window.__ld.engine, s = e.voices[2];
      s.tuned = null; s.retuning = null;  // as just after the tune changed
      return e.buffersFor(2)[1];
    })()""")
    assert first_rate == pytest.approx(2 ** (3 / 12), rel=1e-3)
    tuned = "(() => { const s = window.__ld.engine.voices[2]; return s.tuned && s.tuned.tune === 3; })()"
    page.wait_for_function(tuned, timeout=30_000)
    same = page.evaluate("""async () => {
      const t = await import("/static/js/tune.js");
      const s = window.__ld.engine.voices[2], want = t.tuneShots(s.shots, 3);
      const [buffers, rate] = window.__ld.engine.buffersFor(2);
      return rate === 1 && buffers.every((row, l) => row.every((b, r) => {
        const got = b.getChannelData(0), w = want[l][r];
        return got.length === w.length && got.every((x, i) => x === w[i]);
      }));
    }""")
    assert same
