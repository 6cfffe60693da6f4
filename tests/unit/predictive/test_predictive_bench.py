"""The predictive benchmark phase reports time, memory and held-out metrics."""

from __future__ import annotations

from leadpulse.benchmark.predictive import summary_lines, train_once


def test_one_training_run_reports_phases_memory_and_metrics() -> None:
    figures = train_once(leads=1_500, days=30, seed=5, horizon_days=7)
    assert figures["events"] > figures["leads"]
    assert set(figures["seconds"]) == {"summarise", "features", "fit", "evaluate", "total"}
    assert figures["peak_rss_mb"] > 0
    assert set(figures["roc_auc"]) == {"model", "rule_score", "churn_formula"}
    lines = summary_lines(figures)
    assert lines[0].startswith("training on 1,500 leads x 30 days")
