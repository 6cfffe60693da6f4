"""Scoring rules, stage thresholds and rescoring, per project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from leadpulse.store.models import Lead, ScoreHistory


async def test_new_project_lists_the_ten_default_rules(client: Any, account: Any) -> None:
    response = await client.get("/api/rules", headers=account.headers)
    assert response.status_code == 200
    points = {r["eventType"]: r["points"] for r in response.json()["items"]}
    assert points["demo_request"] == 50 and points["unsubscribe"] == -20 and len(points) == 10
    alias = await client.get("/api/scoring-rules", headers=account.headers)
    assert alias.json() == response.json()


async def test_rule_crud_and_validation(client: Any, account: Any) -> None:
    created = await client.post(
        "/api/rules", json={"eventType": "trial_started", "points": 30}, headers=account.headers
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule["name"] == "Trial started"
    duplicate = await client.post(
        "/api/rules", json={"eventType": "trial_started", "points": 1}, headers=account.headers
    )
    assert duplicate.status_code == 409
    too_big = await client.post(
        "/api/rules", json={"eventType": "x", "points": 10_001}, headers=account.headers
    )
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["loc"] == "body.points"
    not_int = await client.post(
        "/api/rules", json={"eventType": "x", "points": 1.5}, headers=account.headers
    )
    assert not_int.status_code == 422
    patched = await client.patch(
        f"/api/rules/{rule['id']}", json={"points": 35, "active": False}, headers=account.headers
    )
    assert patched.json()["points"] == 35 and patched.json()["active"] is False
    deleted = await client.delete(f"/api/rules/{rule['id']}", headers=account.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/rules/{rule['id']}", headers=account.headers)
    assert gone.status_code == 404


async def test_another_project_gets_404_on_rules_and_rescore_jobs(
    client: Any, account: Any, signup: Any
) -> None:
    other = await signup()
    rule_id = (await client.get("/api/rules", headers=account.headers)).json()["items"][0]["id"]
    for method in ("get", "patch", "delete"):
        kwargs: dict[str, Any] = {"json": {"points": 1}} if method == "patch" else {}
        response = await getattr(client, method)(
            f"/api/rules/{rule_id}", headers=other.headers, **kwargs
        )
        assert response.status_code == 404
    job = (await client.post("/api/rules/rescore", headers=account.headers)).json()
    foreign = await client.get(f"/api/rules/rescore/{job['jobId']}", headers=other.headers)
    assert foreign.status_code == 404


async def test_publishable_key_cannot_manage_rules(client: Any, account: Any) -> None:
    response = await client.get("/api/rules", headers={"X-API-Key": account.publishable_key})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "stages", [{"warm": 30, "hot": 30, "qualified": 100}, {"warm": 50, "hot": 40, "qualified": 90}]
)
async def test_stage_thresholds_must_increase(
    client: Any, account: Any, stages: dict[str, int]
) -> None:
    response = await client.put("/api/stages", json=stages, headers=account.headers)
    assert response.status_code == 422


async def test_rule_change_applies_to_new_events_with_no_stale_cache(
    client: Any, account: Any, send: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    visitor = new_anon()
    first = await send(account.publishable_key, "page_view", visitor)
    await worker.drain()  # warms the worker's rule cache
    rules = (await client.get("/api/rules", headers=account.headers)).json()["items"]
    page_view = next(r for r in rules if r["eventType"] == "page_view")
    await client.patch(f"/api/rules/{page_view['id']}", json={"points": 7}, headers=account.headers)
    await client.put(
        "/api/stages", json={"warm": 10, "hot": 60, "qualified": 100}, headers=account.headers
    )
    await send(account.publishable_key, "page_view", visitor)
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, first["leadId"])
    assert lead is not None and (lead.score, lead.stage) == (12, "warm")


async def test_rescore_recomputes_every_lead_with_progress(
    client: Any, account: Any, send: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    leads = [new_anon() for _ in range(3)]
    for visitor in leads:
        await send(account.publishable_key, "signup", visitor)
        await send(account.publishable_key, "page_view", visitor)
    await worker.drain()
    rules = (await client.get("/api/rules", headers=account.headers)).json()["items"]
    signup_rule = next(r for r in rules if r["eventType"] == "signup")
    await client.patch(
        f"/api/rules/{signup_rule['id']}", json={"points": 40}, headers=account.headers
    )
    started = await client.post("/api/rules/rescore", headers=account.headers)
    assert started.status_code == 202
    job = started.json()
    assert job["total"] == 3 and job["done"] == 0 and job["status"] == "running"
    await worker.drain()
    progress = await client.get(f"/api/rules/rescore/{job['jobId']}", headers=account.headers)
    assert progress.json()["status"] == "finished" and progress.json()["done"] == 3
    async with db.sessions() as session:
        scores = list(
            await session.scalars(select(Lead.score).where(Lead.project_id == account.project_id))
        )
        rows = await session.scalar(
            select(func.count()).where(ScoreHistory.project_id == account.project_id)
        )
    assert scores == [45, 45, 45] and rows == 6


async def test_late_event_rewrites_history_from_its_point(
    client: Any, account: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    visitor = new_anon()
    base = datetime.now(UTC) - timedelta(hours=5)
    headers = {"X-API-Key": account.publishable_key}

    async def at(event: str, minutes: int, event_id: str) -> None:
        stamp = (base + timedelta(minutes=minutes)).isoformat()
        body = {"event": event, "anonymousId": visitor, "timestamp": stamp, "eventId": event_id}
        assert (
            await client.post("/api/ingest/event", json=body, headers=headers)
        ).status_code == 202

    await at("signup", 10, "a")  # 20
    await at("unsubscribe", 20, "b")  # 0
    await worker.drain()
    await at("demo_request", 0, "late")  # arrives last, happened first: 50 → 70 → 50
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == visitor))
        rows = (
            await session.execute(
                select(ScoreHistory.event_id, ScoreHistory.old_score, ScoreHistory.new_score)
                .where(ScoreHistory.lead_id == lead.id)  # type: ignore[union-attr]
                .order_by(ScoreHistory.event_timestamp)
            )
        ).all()
    assert lead is not None and lead.score == 50
    assert [tuple(r) for r in rows] == [("late", 0, 50), ("a", 50, 70), ("b", 70, 50)]
