"""The guide's walkthrough and the score bounds, through ingest → queue → worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from leadpulse.store.models import Lead, ScoreHistory


async def test_page_view_signup_demo_request_is_75_hot_with_velocity_3(
    signup: Any, send: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    account = await signup()
    visitor = new_anon()
    for event in ("page_view", "signup", "demo_request"):
        answer = await send(account.publishable_key, event, visitor)
        assert answer["status"] == "queued"
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == visitor))
        assert lead is not None
        assert (lead.score, lead.stage, lead.velocity_score) == (75, "hot", 3)
        deltas = (
            await session.scalars(select(ScoreHistory.delta).where(ScoreHistory.lead_id == lead.id))
        ).all()
    assert sorted(deltas) == [5, 20, 50]


async def test_unsubscribe_at_zero_stays_zero(
    signup: Any, send: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    account = await signup()
    visitor = new_anon()
    answer = await send(account.publishable_key, "unsubscribe", visitor)
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, answer["leadId"])
    assert lead is not None and lead.score == 0 and lead.stage == "cold"


async def test_score_is_capped_at_10000(
    signup: Any, send: Any, worker: Any, client: Any, db: Any, new_anon: Any
) -> None:
    account = await signup()
    response = await client.post(
        "/api/rules",
        json={"eventType": "mega_deal", "name": "Mega", "points": 10000},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    visitor = new_anon()
    await send(account.publishable_key, "page_view", visitor)
    answer = await send(account.publishable_key, "mega_deal", visitor)
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, answer["leadId"])
        total = await session.scalar(
            select(func.sum(ScoreHistory.delta)).where(ScoreHistory.lead_id == answer["leadId"])
        )
    assert lead is not None and lead.score == 10_000 and lead.stage == "qualified"
    assert total == 10_000
