"""``GET /metrics`` on the API: requests by route template, ingest outcomes, the queue and
outbox gauges read at scrape time, the ingest→scored lag, and who may scrape."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from metrics_support import names, parse, value

from leadpulse.api.app import create_app
from leadpulse.worker.loop import Worker


async def scrape(client: Any, **headers: str) -> Any:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def anon() -> str:
    return f"anon-{uuid.uuid4().hex[:10]}"


async def test_requests_are_counted_by_route_template_not_raw_path(
    client: Any, signup: Any
) -> None:
    account = await signup()
    before = await scrape(client)
    for lead_id in (101, 202, 303):
        response = await client.get(f"/api/leads/{lead_id}", headers=account.headers)
        assert response.status_code == 404
    await client.get("/no/such/thing/42")

    after = await scrape(client)

    labels = {"method": "GET", "route": "/api/leads/{lead_id}", "status": "404"}
    assert (
        value(after, "leadpulse_http_requests_total", **labels)
        - value(before, "leadpulse_http_requests_total", **labels)
        == 3
    )
    timed = {"method": "GET", "route": "/api/leads/{lead_id}"}
    assert value(after, "leadpulse_http_request_duration_seconds_count", **timed) >= 3
    routes = {dict(key)["route"] for name, key in after if name == "leadpulse_http_requests_total"}
    assert not any("101" in route or "/no/such" in route for route in routes), routes


async def test_ingest_outcomes_are_counted_stored_duplicate_rejected(
    client: Any, signup: Any
) -> None:
    account = await signup()
    key = {"X-API-Key": account.publishable_key}
    before = await scrape(client)
    one = {"event": "page_view", "anonymousId": anon(), "eventId": f"e-{uuid.uuid4().hex}"}
    assert (await client.post("/api/ingest/event", json=one, headers=key)).status_code == 202
    assert (await client.post("/api/ingest/event", json=one, headers=key)).status_code == 202
    bad = {"anonymousId": anon()}  # no event type
    assert (await client.post("/api/ingest/event", json=bad, headers=key)).status_code == 422
    batch = {"events": [{"event": "page_view", "anonymousId": anon()}, one, {"event": 3}]}
    assert (await client.post("/api/ingest/batch", json=batch, headers=key)).status_code == 202

    after = await scrape(client)

    def delta(outcome: str) -> float:
        name = "leadpulse_ingested_events_total"
        return value(after, name, outcome=outcome) - value(before, name, outcome=outcome)

    assert (delta("stored"), delta("duplicate"), delta("rejected")) == (2, 2, 2)


async def test_queue_gauges_and_lag_follow_the_pipeline(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    events = [{"event": "page_view", "anonymousId": anon()} for _ in range(3)]
    response = await client.post(
        "/api/ingest/batch", json={"events": events}, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 202
    queued = await scrape(client)
    assert value(queued, "leadpulse_queue_depth", state="pending") == 3
    assert value(queued, "leadpulse_queue_depth", state="due") == 3
    assert value(queued, "leadpulse_queue_oldest_pending_age_seconds") > 0
    lag_before = value(queued, "leadpulse_ingest_to_scored_seconds_count")

    await Worker(container).drain()

    scored = await scrape(client)
    assert value(scored, "leadpulse_queue_depth", state="pending") == 0
    assert value(scored, "leadpulse_queue_oldest_pending_age_seconds") == 0
    assert value(scored, "leadpulse_ingest_to_scored_seconds_count") - lag_before == 3
    for table in ("outbox", "automation_executions", "webhook_deliveries"):
        assert ("leadpulse_outbox_backlog", frozenset({("table", table)})) in scored
    assert value(scored, "leadpulse_outbox_backlog", table="outbox") == 0  # drained too


async def test_metrics_token_is_required_when_set(container: Any) -> None:
    container.settings.metrics_token = "scrape-" + "t" * 30
    app = create_app(container, auto_migrate=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await scrape(client, Authorization=f"Bearer {container.settings.metrics_token}")

    assert missing.status_code == 403 and wrong.status_code == 403
    assert missing.headers["content-type"] == "application/problem+json"
    assert "leadpulse_queue_depth" in names(right)


async def test_production_api_refuses_scrapes_without_a_token(container: Any) -> None:
    container.settings.env = "production"
    app = create_app(container, auto_migrate=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/metrics")

    assert response.status_code == 403
    assert "LEADPULSE_METRICS_TOKEN" in response.json()["detail"]


async def test_an_unknown_method_is_one_label_whatever_it_is(client: Any) -> None:
    for method in ("FOO", "BAR"):
        await client.request(method, "/api/health")

    after = await scrape(client)

    methods = {
        dict(key)["method"] for name, key in after if name == "leadpulse_http_requests_total"
    }
    assert "OTHER" in methods and not methods & {"FOO", "BAR"}
