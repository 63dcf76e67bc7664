"""``latentdrum bench --only load`` runs end to end on loopback and reports what it promises."""

from __future__ import annotations

from pathlib import Path


def test_a_short_load_run_converges_and_answers_every_move(model_paths: tuple[Path, Path]) -> None:
    from latentdrum.evaluation.bench.load import run

    out = run(*model_paths, clients=3, rate=30.0, seconds=1.5, drain=1.0)
    assert out["moves_sent"] > 0 and out["errors"] == 0 and out["moves_unanswered"] == 0
    assert out["moves_applied"] + out["moves_superseded"] == out["moves_sent"]
    assert out["converged"] and out["ping_ms"]["n"] > 0
    assert out["server_rss_mib"]["start"] > 0
