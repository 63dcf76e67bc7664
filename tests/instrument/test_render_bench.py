"""The render benchmark runs and reports JSON-able speed numbers (the numbers themselves are not asserted)."""

from __future__ import annotations

import json

from latentdrum.evaluation.bench import render as render_bench


def test_render_bench_reports_json_able_timings() -> None:
    result = render_bench.run(repeats=1)
    json.dumps(result)
    for case in ("groove", "busy_all_voices", "busy_swing_humanize_4_loops"):
        assert result[case]["median_ms"] > 0 and result[case]["hits"] > 0
    assert result["audio_seconds"] == 4.0 and isinstance(result["meets_target"], bool)


def test_busy_pattern_strikes_every_voice() -> None:
    assert (render_bench.busy_pattern().hits.sum(axis=0) > 0).all()
