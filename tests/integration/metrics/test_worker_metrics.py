"""The worker's ``/metrics`` (health port): its own counters, the database-wide gauges, and
the token it requires when one is set."""

from __future__ import annotations

import socket
from functools import partial
from typing import Any

import anyio
import httpx
from metrics_support import names, parse, value

from leadpulse.worker import health
from leadpulse.worker.loop import Worker


async def test_worker_metrics_report_processed_leads_and_the_queue(container: Any) -> None:
    worker = Worker(container)
    worker.processed = 7

    status, body, media = await health.metrics(worker)

    assert status == 200 and media.startswith("text/plain")
    samples = parse(body.decode())
    assert value(samples, "leadpulse_worker_processed_leads") == 7
    assert {"leadpulse_queue_depth", "leadpulse_outbox_backlog"} <= names(samples)
    assert "leadpulse_ingest_to_scored_seconds_count" in names(samples)


async def test_worker_metrics_require_the_token_when_set(container: Any) -> None:
    container.settings.metrics_token = "w" * 32
    worker = Worker(container)

    refused = await health.metrics(worker, None)
    wrong = await health.metrics(worker, "Bearer " + "x" * 32)
    allowed = await health.metrics(worker, "Bearer " + "w" * 32)

    assert (refused[0], wrong[0], allowed[0]) == (403, 403, 200)


async def test_worker_metrics_stay_open_in_production_without_a_token(container: Any) -> None:
    container.settings.env = "production"  # the health port is not public

    status, _, _ = await health.metrics(Worker(container), None)

    assert status == 200


async def test_the_health_port_reads_the_authorization_header(container: Any) -> None:
    container.settings.metrics_token = "h" * 32
    stop = anyio.Event()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with anyio.create_task_group() as tg:
        tg.start_soon(
            partial(health.serve_health, Worker(container), host="127.0.0.1", port=port, stop=stop)
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            for _ in range(200):  # bounded: the server binds right after the task starts
                try:
                    refused = await http.get("/metrics")
                    break
                except httpx.ConnectError:
                    await anyio.sleep(0.01)
            allowed = await http.get("/metrics", headers={"Authorization": "Bearer " + "h" * 32})
        stop.set()

    assert refused.status_code == 403
    assert allowed.status_code == 200 and "leadpulse_queue_depth" in allowed.text
