"""Smoke tests of the benchmark harness (``make bench``).

A ``--quick`` SQLite run takes about a minute on the 2-core reference machine (three server
starts, paced phases) and longer when the machine is shared, so it is not run here; these
tests pin the workload's statistics and the report's arithmetic instead.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadpulse.benchmark import report
from leadpulse.benchmark.loadgen import parse
from leadpulse.benchmark.workload import KNOWN_TYPES, Spec, generate, statistics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def standard() -> dict[str, float]:
    return statistics(generate())


def test_standard_workload_has_100k_events_over_10k_leads(standard: dict[str, float]) -> None:
    assert standard["events"] == 100_000
    assert standard["leads"] == 10_000


def test_two_percent_of_events_arrive_late(standard: dict[str, float]) -> None:
    assert 1.7 <= standard["late_pct"] <= 2.3


def test_three_percent_of_events_repeat_an_event_id(standard: dict[str, float]) -> None:
    assert 2.7 <= standard["duplicate_pct"] <= 3.3


def test_payload_properties_are_about_300_bytes(standard: dict[str, float]) -> None:
    assert 270 <= standard["properties_bytes_avg"] <= 340


def test_workload_mixes_default_and_unknown_event_types(standard: dict[str, float]) -> None:
    work = generate(Spec(events=5_000, leads=500))
    assert {name for name, _ in KNOWN_TYPES} <= {e["event"] for e in work.events}
    assert 3 <= standard["unknown_type_pct"] <= 20


def test_same_seed_gives_the_same_bytes() -> None:
    spec = Spec(events=2_000, leads=200)
    assert generate(spec).bodies() == generate(spec).bodies()
    assert generate(spec).bodies() != generate(Spec(events=2_000, leads=200, seed=7)).bodies()


def test_batches_hold_every_event_once_in_order() -> None:
    work = generate(Spec(events=1_234, leads=100))
    assert len(work.batches(500)) == 3
    assert sum(body.count(b'"eventId"') for body in work.batches(500)) == 1_234


def test_wrk_report_is_parsed_into_rate_and_percentiles() -> None:
    output = (
        "  Latency Distribution\n     50%    4.10ms\n     90%  900.00us\n     99%    1.20s\n"
        "  Socket errors: connect 0, read 2, write 0, timeout 1\n"
        'Requests/sec:   1234.56\nLEADPULSE {"ok": 10, "bad": 2}\n'
    )
    result = parse(output, 10.0)
    assert (result.requests_per_s, result.p50_ms, result.p99_ms) == (1234.56, 4.1, 1200.0)
    assert (result.ok, result.bad, result.errors) == (10, 2, 3)


def _raw(ingest: float, noop: float) -> dict[str, Any]:
    rss = {"idle": 100.0, "peak": 150.0}
    return {
        "single": {
            "ingest": {"rps": ingest},
            "noop": {"rps": noop},
            "paced": {"ingest": {"p99_ms": 40.0}, "noop": {"p99_ms": 5.0}},
            "server_rss_mb": rss,
        },
        "batch": {"events_per_s": 20_000, "baseline_rows_per_s": 49_000, "server_rss_mb": rss},
        "e2e": {
            "events_per_s": 9_000,
            "steady": {"scored_p99_ms": 2_500.0, "http_p99_ms": 30.0},
            "server_rss_mb": rss,
            "worker_rss_mb": {"idle": 90.0, "peak": 320.0},
        },
    }


def test_figures_compare_with_the_same_run_baseline_and_flag_misses() -> None:
    figs = {f.name: f for f in report.figures("postgres", _raw(ingest=1_500, noop=2_000))}
    single = figs["1. single-event ingest"]
    assert single.ratio == pytest.approx(0.75)
    assert single.met
    assert figs["2. batch ingest (500/request)"].met  # 20k ≥ 40 % of 49k
    assert not figs["3. end-to-end, 1 worker"].met  # 9k < 10k on PostgreSQL
    assert not figs["3. ingest→scored p99 at 2k ev/s"].met
    assert figs["1. p99 at 1,000 req/s offered"].met
    assert not figs["4. peak RSS, worker"].met


def test_a_partial_run_reports_only_its_phases_against_bare_fastapi() -> None:
    wrk = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "ok": 0, "bad": 0, "socket_errors": 0}
    busy = {"ingest": wrk | {"rps": 300.0}, "bare": wrk | {"rps": 6_000.0}}
    figs = report.figures("sqlite", {"serve_busy": busy})
    assert [f.name for f in figs] == ["1. single event, serve + busy worker"]
    assert figs[0].ratio == 0.05 and not figs[0].met
