"""Identity resolution, called inside the caller's transaction (as the worker does)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from leadpulse.errors import InvalidInput
from leadpulse.leads.identity import apply_identity, resolve_alias
from leadpulse.store.models import Event, Lead, LeadJob, ScoreHistory
from leadpulse.store.types import utcnow


async def _identify(db: Any, project_id: int, lead_id: int, email: str, **kw: Any) -> Any:
    async with db.transaction() as session:
        return await apply_identity(
            session,
            project_id=project_id,
            lead_id=lead_id,
            email=email,
            traits=kw.get("traits", {}),
            at=kw.get("at", utcnow()),
        )


async def _lead(db: Any, lead_id: int) -> Lead:
    async with db.sessions() as session:
        lead = await session.get(Lead, lead_id)
        assert lead is not None
        return lead


async def test_identify_attaches_normalised_email_and_traits(
    db: Any, project_id: int, make_lead: Any
) -> None:
    lead = await make_lead(db, project_id)

    result = await _identify(
        db,
        project_id,
        lead.id,
        "  Ada@Example.COM ",
        traits={"name": "Ada", "company": "AE", "plan": "pro", "email": "ignored@x.io"},
    )

    stored = await _lead(db, lead.id)
    assert (result.survivor_id, result.merged_ids, result.needs_full_rescore) == (
        lead.id,
        [],
        False,
    )
    assert (stored.email, stored.name, stored.company) == ("ada@example.com", "Ada", "AE")
    assert stored.traits["plan"] == "pro"
    assert "email" not in stored.traits


async def test_newer_identify_overwrites_and_older_only_fills_gaps(
    db: Any, project_id: int, make_lead: Any
) -> None:
    lead = await make_lead(db, project_id)
    t = utcnow()
    await _identify(db, project_id, lead.id, "new@x.io", at=t, traits={"name": "New", "plan": "b"})

    await _identify(
        db,
        project_id,
        lead.id,
        "old@x.io",
        at=t - timedelta(hours=1),
        traits={"name": "Old", "plan": "a", "role": "cto"},
    )

    stored = await _lead(db, lead.id)
    assert (stored.email, stored.name) == ("new@x.io", "New")
    assert (stored.traits["plan"], stored.traits["role"]) == ("b", "cto")


async def test_invalid_email_is_refused(db: Any, project_id: int, make_lead: Any) -> None:
    lead = await make_lead(db, project_id)
    with pytest.raises(InvalidInput):
        await _identify(db, project_id, lead.id, "no-at-sign")


async def test_merge_moves_events_so_the_survivor_refolds_the_union(
    db: Any, project_id: int, make_lead: Any, make_event: Any, make_history: Any
) -> None:
    known = await make_lead(
        db, project_id, email="ada@x.io", score=20, base_score=20, company="Known Co"
    )
    anon = await make_lead(
        db, project_id, score=10, base_score=10, name="Anon Name", traits={"utm": "ads"}
    )
    t0 = utcnow() - timedelta(hours=10)
    # Interleaved event times across the two leads.
    known_events = [
        await make_event(
            db, project_id, known.id, timestamp=t0 + timedelta(hours=h), processed=True
        )
        for h in (0, 2, 4)
    ]
    anon_events = [
        await make_event(db, project_id, anon.id, timestamp=t0 + timedelta(hours=h), processed=True)
        for h in (1, 3)
    ]
    anon_history = await make_history(db, project_id, anon.id)
    async with db.transaction() as session:
        await session.execute(insert(LeadJob).values(lead_id=anon.id, project_id=project_id))

    result = await _identify(db, project_id, anon.id, "ADA@x.io", traits={"plan": "pro"})

    assert result.survivor_id == known.id
    assert result.merged_ids == [anon.id]
    assert result.needs_full_rescore is True
    assert [(m.survivor_id, m.merged_id, m.email) for m in result.merges] == [
        (known.id, anon.id, "ada@x.io")
    ]
    async with db.sessions() as session:
        unprocessed = list(
            await session.scalars(
                select(Event.id)
                .where(Event.lead_id == known.id, Event.processed.is_(False))
                .order_by(Event.timestamp)
            )
        )
        merge_row = await session.scalar(
            select(ScoreHistory).where(
                ScoreHistory.lead_id == known.id, ScoreHistory.cause == "merge"
            )
        )
        kept_history = await session.get(ScoreHistory, anon_history.id)
        jobs = await session.scalar(select(func.count()).select_from(LeadJob))
    expected = sorted(known_events + anon_events, key=lambda e: e.timestamp)
    assert unprocessed == [e.id for e in expected]
    assert merge_row is not None and merge_row.delta == 0
    assert merge_row.detail["mergedLeadId"] == anon.id
    assert kept_history is not None and kept_history.lead_id == anon.id  # audit trail kept
    assert jobs == 0
    alias = await _lead(db, anon.id)
    assert (alias.merged_into_id, alias.email, alias.score) == (known.id, None, 0)
    survivor = await _lead(db, known.id)
    assert (survivor.email, survivor.name, survivor.company) == (
        "ada@x.io",
        "Anon Name",
        "Known Co",
    )
    assert survivor.traits["utm"] == "ads" and survivor.traits["plan"] == "pro"


async def test_alias_routes_to_the_survivor_and_chains_stay_flat(
    db: Any, project_id: int, make_lead: Any
) -> None:
    known = await make_lead(db, project_id, email="k@x.io")
    middle = await make_lead(db, project_id, email="m@x.io")
    old_alias = await make_lead(db, project_id, merged_into_id=middle.id)

    await _identify(db, project_id, middle.id, "k@x.io")

    assert (await _lead(db, old_alias.id)).merged_into_id == known.id
    async with db.sessions() as session:
        for lead_id in (known.id, middle.id, old_alias.id):
            assert await resolve_alias(session, project_id=project_id, lead_id=lead_id) == known.id


async def test_identify_on_an_alias_applies_to_the_survivor(
    db: Any, project_id: int, make_lead: Any
) -> None:
    known = await make_lead(db, project_id, email="k@x.io")
    alias = await make_lead(db, project_id, merged_into_id=known.id)

    result = await _identify(db, project_id, alias.id, "k@x.io", traits={"name": "Kay"})

    assert (result.survivor_id, result.merged_ids) == (known.id, [])
    assert (await _lead(db, known.id)).name == "Kay"


async def test_concurrent_identifies_of_one_email_leave_one_survivor(
    db: Any, project_id: int, make_lead: Any, make_event: Any
) -> None:
    one, two = await make_lead(db, project_id), await make_lead(db, project_id)
    await make_event(db, project_id, one.id)
    await make_event(db, project_id, two.id)
    # On PostgreSQL both transactions hold their own lead before either identifies, so
    # both see no holder and race on the unique index. SQLite serialises transactions.
    barrier = asyncio.Barrier(2) if db.is_postgres else None

    async def identify(lead_id: int) -> Any:
        async with db.transaction() as session:
            await session.execute(select(Lead).where(Lead.id == lead_id).with_for_update())
            if barrier is not None:
                await barrier.wait()
            return await apply_identity(
                session,
                project_id=project_id,
                lead_id=lead_id,
                email="same@x.io",
                traits={},
                at=utcnow(),
            )

    results = await asyncio.gather(identify(one.id), identify(two.id))

    survivors = {r.survivor_id for r in results}
    assert len(survivors) == 1
    (survivor,) = survivors
    async with db.sessions() as session:
        holders = list(await session.scalars(select(Lead.id).where(Lead.email == "same@x.io")))
        live = list(await session.scalars(select(Lead.id).where(Lead.merged_into_id.is_(None))))
        events = await session.scalar(
            select(func.count()).select_from(Event).where(Event.lead_id == survivor)
        )
    assert holders == [survivor] == live
    assert events == 2
    assert sum(r.needs_full_rescore for r in results) == 1
