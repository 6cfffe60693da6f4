"""Segment calls through the whole pipeline: identity by userId, alias, group, page scoring."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from segment_support import anon, events_of, live_leads, uid
from sqlalchemy import select

from leadpulse.leads.identity import apply_external_id
from leadpulse.store.models import Lead
from leadpulse.store.types import utcnow

BASE = datetime.now(UTC) - timedelta(hours=2)


def at(minute: int) -> str:
    return (BASE + timedelta(minutes=minute)).isoformat()


async def test_identify_by_user_id_then_track_by_user_id_alone_is_one_lead(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    user, visitor = uid(), anon()
    traits = {"email": "Ada@Example.com", "name": "Ada", "company": "Analytical", "plan": "pro"}
    identify = await segment(
        "identify",
        {"userId": user, "anonymousId": visitor, "traits": traits, "timestamp": at(0)},
    )
    track = await segment("track", {"userId": user, "event": "Demo Request", "timestamp": at(5)})
    await worker.drain()
    await worker.drain()  # a merge queues the survivor's full refold

    assert identify.status_code == track.status_code == 200
    assert identify.json() == track.json() == {"success": True}
    (lead,) = await live_leads(db, account.project_id)
    assert (lead.external_id, lead.email, lead.anonymous_id) == (user, "ada@example.com", visitor)
    assert (lead.name, lead.company, lead.traits["plan"]) == ("Ada", "Analytical", "pro")
    assert lead.score == 50  # demo_request; identify scores nothing
    assert {e.user_id for e in await events_of(db, account.project_id)} == {user}


async def test_a_later_anonymous_id_with_the_same_user_id_reaches_the_same_lead(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    user, first, second = uid(), anon(), anon()
    await segment("identify", {"userId": user, "anonymousId": first, "timestamp": at(0)})
    await worker.drain()
    await segment(
        "page", {"userId": user, "anonymousId": second, "name": "Pricing", "timestamp": at(1)}
    )
    await worker.drain()
    await worker.drain()

    (lead,) = await live_leads(db, account.project_id)
    assert lead.anonymous_id == first and lead.external_id == user
    assert lead.score == 5  # the page_view moved to the first lead with the merge
    pages = [e for e in await events_of(db, account.project_id) if e.event_type == "page_view"]
    assert [(p.lead_id, p.properties["name"]) for p in pages] == [(lead.id, "Pricing")]


async def test_alias_merges_the_anonymous_lead_into_the_users_lead(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    user, visitor, device = uid(), anon(), anon()
    await segment("identify", {"userId": user, "anonymousId": device, "timestamp": at(0)})
    await segment("track", {"anonymousId": visitor, "event": "signup", "timestamp": at(1)})
    await worker.drain()
    assert len(await live_leads(db, account.project_id)) == 2

    alias = await segment("alias", {"previousId": visitor, "userId": user, "timestamp": at(2)})
    await worker.drain()
    await worker.drain()

    assert alias.status_code == 200, alias.text
    (lead,) = await live_leads(db, account.project_id)
    assert (lead.anonymous_id, lead.external_id, lead.score) == (device, user, 20)


async def test_alias_of_a_previous_user_id_merges_the_two_users(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    old, new = uid(), uid()
    await segment("track", {"userId": old, "event": "download", "timestamp": at(0)})
    await segment("track", {"userId": new, "event": "signup", "timestamp": at(1)})
    await worker.drain()

    await segment("alias", {"previousId": old, "userId": new, "timestamp": at(2)})
    await worker.drain()
    await worker.drain()
    later = await segment("track", {"userId": old, "event": "page_view", "timestamp": at(3)})
    await worker.drain()
    await worker.drain()

    assert later.status_code == 200
    (lead,) = await live_leads(db, account.project_id)
    assert lead.external_id == new and lead.score == 35  # 10 + 20 + 5: the old id still routes


async def test_group_sets_the_company_and_account_traits(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    user = uid()
    response = await segment(
        "group",
        {
            "userId": user,
            "groupId": "acct-42",
            "traits": {"name": "Initech", "employees": 250, "industry": "Software"},
        },
    )
    await worker.drain()

    assert response.status_code == 200, response.text
    (lead,) = await live_leads(db, account.project_id)
    assert (lead.company, lead.external_id) == ("Initech", user)
    assert lead.traits["groupId"] == "acct-42" and lead.traits["employees"] == 250


async def test_a_lead_keeps_its_external_id_when_another_user_id_reaches_it(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    first, second, shared = uid(), uid(), anon()
    await segment("identify", {"userId": first, "anonymousId": shared, "traits": {"name": "A"}})
    await worker.drain()
    traits = {"name": "B", "email": "b@example.com"}
    await segment(
        "identify",
        {"userId": second, "anonymousId": shared, "traits": traits, "timestamp": at(100)},
    )
    await segment("track", {"userId": second, "anonymousId": shared, "event": "signup"})
    await worker.drain()

    (lead,) = await live_leads(db, account.project_id)
    # the conflicting identify applies nothing; its events stay on the lead they reached
    assert (lead.external_id, lead.name, lead.email, lead.score) == (first, "A", None, 20)


async def test_concurrent_claims_of_one_external_id_leave_one_survivor(
    segment: Any, db: Any, account: Any
) -> None:
    await segment("track", {"anonymousId": anon(), "event": "page_view"})
    await segment("track", {"anonymousId": anon(), "event": "signup"})
    one, two = (lead.id for lead in await live_leads(db, account.project_id))
    barrier = asyncio.Barrier(2) if db.is_postgres else None  # SQLite serialises anyway

    async def identify(lead_id: int) -> Any:
        async with db.transaction() as session:
            await session.execute(select(Lead).where(Lead.id == lead_id).with_for_update())
            if barrier is not None:
                await barrier.wait()
            return await apply_external_id(
                session,
                project_id=account.project_id,
                lead_id=lead_id,
                external_id="same-user",
                traits={},
                at=utcnow(),
            )

    results = await asyncio.gather(identify(one), identify(two))

    survivors = {r.survivor_id for r in results}
    live = await live_leads(db, account.project_id)
    assert len(survivors) == 1 and [lead.id for lead in live] == list(survivors)
    assert live[0].external_id == "same-user"
    assert sum(r.needs_full_rescore for r in results) == 1
