"""The Grafana dashboard (deploy/grafana/leadpulse.json) against real scrapes.

Every metric name of every PromQL expression in the dashboard must be a sample on the
``/metrics`` of a running ``leadpulse api --workers 2`` or ``leadpulse worker`` (PostgreSQL
and Redis) after real traffic: sign-up, ingest (stored, duplicate, rejected), scoring, and a
webhook delivered to a receiver on 127.0.0.1. With two API processes, each scrape reports
the requests of both (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pipeline_e2e_support import free_port, wait_for, worker_env
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "leadpulse.json"
_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
    | {"and", "or", "unless", "le", "inf", "nan"}
)


def metric_names(expr: str) -> set[str]:
    """Return the metric names a PromQL expression selects (functions, label matchers,
    grouping labels, durations and numbers left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range durations
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", text)  # grouping labels
    text = re.sub(r"\$\w+", "", text)  # Grafana variables
    found = re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\()?", text)
    return {m.group(1) for m in found if not m.group(2) and m.group(1).lower() not in _KEYWORDS}


def dashboard_names() -> set[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    exprs = [target["expr"] for panel in panels for target in panel["targets"]]
    assert exprs, "the dashboard has no queries"
    return set().union(*(metric_names(expr) for expr in exprs))


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, route) (rate(leadpulse_http_request_duration_"
        'seconds_bucket{route=~"/api/.+"}[$__rate_interval]))) / clamp_min(max(up), 1e-9)'
    )
    assert metric_names(expr) == {"leadpulse_http_request_duration_seconds_bucket", "up"}
    assert metric_names("max by (state) (leadpulse_queue_depth) > bool 3") == {
        "leadpulse_queue_depth"
    }


def test_dashboard_queries_only_leadpulse_metrics() -> None:
    names = dashboard_names()
    assert names and all(name.startswith("leadpulse_") for name in names), names


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A webhook receiver on 127.0.0.1 answering 200 to everything."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        seen.append(await reader.readexactly(int(length.group(1))) if length else b"")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/hook", seen


async def get(url: str) -> httpx.Response | None:
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:
            return await http.get(url)
    except httpx.TransportError:
        return None


async def traffic(api: str, hook_url: str) -> None:
    """Sign up, subscribe a webhook, ingest stored/duplicate/rejected events."""
    async with httpx.AsyncClient(base_url=api, timeout=10.0) as http:
        email = f"metrics-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "correct horse battery", "name": "M"}
        registered = await http.post("/api/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        auth = {"Authorization": f"Bearer {registered.json()['token']}"}
        key = (await http.get("/api/auth/project", headers=auth)).json()["publishableKey"]
        hook = {"url": hook_url, "events": ["lead.scored"]}
        assert (await http.post("/api/webhooks", json=hook, headers=auth)).status_code == 201
        events: list[dict[str, Any]] = [
            {"event": "demo_request", "anonymousId": f"m-{n % 3}", "eventId": f"m-{n}"}
            for n in range(9)
        ]
        events += [events[0], {"event": 7}]  # a duplicate, a rejection
        sent = await http.post(
            "/api/ingest/batch", json={"events": events}, headers={"X-API-Key": key}
        )
        assert sent.status_code == 202, sent.text
        for lead_id in range(12):
            await http.get(f"/api/leads/{10_000_000 + lead_id}", headers=auth)


async def test_every_dashboard_metric_is_on_a_real_scrape(
    spawn: Any, pg_database_url: str, redis_url: str
) -> None:
    api_port, health_port = free_port(), free_port()
    env = worker_env(
        pg_database_url,
        LEADPULSE_REDIS_URL=redis_url,
        LEADPULSE_RATE_LIMIT_ENABLED="false",
        LEADPULSE_WEBHOOKS_ALLOW_PRIVATE="true",
        LEADPULSE_WORKER_POLL_SECONDS="0.2",
    )
    api_process = spawn(["api", "--workers", "2", "--port", str(api_port)], env)
    spawn(["worker", "--health-port", str(health_port)], env)
    api, worker = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{health_port}"

    async def api_up() -> bool:
        assert api_process.process.poll() is None, api_process.output[-3000:]
        return await get(f"{api}/metrics") is not None

    await wait_for(api_up, what="the API to listen", interval=0.2)
    await wait_for(lambda: get(f"{worker}/health"), what="the worker's /health", interval=0.2)
    async with receiver() as (hook_url, delivered):
        await traffic(api, hook_url)
        await wait_for(lambda: _true(bool(delivered)), what="a webhook delivery", interval=0.1)

        async def worker_recorded() -> dict[Any, float] | None:
            scraped = samples((await get(f"{worker}/metrics")).text)  # type: ignore[union-attr]
            key = ("leadpulse_webhook_deliveries_total", frozenset({("outcome", "succeeded")}))
            return scraped if scraped.get(key, 0) >= 1 else None

        worker_samples = await wait_for(worker_recorded, what="the recorded delivery")

    api_scrapes = [samples((await get(f"{api}/metrics")).text) for _ in range(4)]  # type: ignore[union-attr]
    lead_404 = (
        "leadpulse_http_requests_total",
        frozenset({("method", "GET"), ("route", "/api/leads/{lead_id}"), ("status", "404")}),
    )
    # Two API processes answered the 12 requests; every scrape sums both of them.
    assert [scrape.get(lead_404) for scrape in api_scrapes] == [12.0] * 4
    stored = ("leadpulse_ingested_events_total", frozenset({("outcome", "stored")}))
    assert api_scrapes[0][stored] == 9
    assert worker_samples[("leadpulse_ingest_to_scored_seconds_count", frozenset())] >= 9
    scraped_names = {name for scrape in [*api_scrapes, worker_samples] for name, _ in scrape}
    missing = dashboard_names() - scraped_names
    assert not missing, f"dashboard metrics missing from /metrics: {sorted(missing)}"


async def _true(value: bool) -> bool:
    return value
