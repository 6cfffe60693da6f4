"""Smoke tests of the ``dispatch`` phase's receiver and figure, and of ``bench scale`` at a
small size (PostgreSQL): the harness measures what it says, not how fast it is."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from leadpulse.benchmark import dispatch, scale
from leadpulse.benchmark.receiver import Receiver, Stats
from leadpulse.benchmark.stack import Backend

pytestmark = pytest.mark.slow


@pytest.fixture
async def receiver() -> AsyncIterator[str]:
    stats = Stats()
    server = await asyncio.get_running_loop().create_server(lambda: Receiver(stats), "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_receiver_counts_posts_over_keep_alive_and_resets(receiver: str) -> None:
    async with httpx.AsyncClient(base_url=receiver) as client:
        for i in range(5):
            reply = await client.post("/in", content=b"x" * (100 + i))
            assert reply.status_code == 200
        stats = (await client.get("/stats")).json()
        await client.post("/reset")
        after = (await client.get("/stats")).json()

    assert stats["count"] == 5 and stats["last"] >= stats["first"] > 0
    assert stats["peak"] == 1  # one keep-alive connection
    assert after["count"] == 0


def test_dispatch_figure_is_met_only_when_fast_enough_and_all_succeeded() -> None:
    raw = {"deliveries_per_s": 600.0, "baseline_per_s": 900.0, "deliveries": 10, "succeeded": 10}

    assert dispatch.figures({"dispatch": raw})[0].met
    assert not dispatch.figures({"dispatch": raw | {"succeeded": 9}})[0].met
    assert not dispatch.figures({"dispatch": raw | {"deliveries_per_s": 499.0}})[0].met
    assert dispatch.figures({}) == []


@pytest.mark.postgres
async def test_scale_phase_seeds_and_times_every_query_at_a_small_size() -> None:
    backend = Backend(
        "postgres", Path(tempfile.mkdtemp()), port=4731, database="leadpulse_scale_smoke"
    )
    seen: list[str] = []

    result = await scale.run_scale(
        backend, leads=2_000, events=10_000, repeat=5, progress=lambda what, d, t: seen.append(what)
    )

    assert set(result["queries"]) == set(scale.queries(2_000, [1]))
    assert all(q["p99_ms"] >= q["p50_ms"] > 0 for q in result["queries"].values())
    assert {"leads", "events", "building indexes"} <= set(seen)
    assert result["api_rss_mb"]["peak"] > 0
