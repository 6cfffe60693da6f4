"""The raw-driver ingest path (``ingest.rawstore``, what the API uses) stores exactly what
the ORM path (``service.store``) stores, and group commit isolates a failing submission."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from factories import make_lead, make_project
from sqlalchemy import select, text

from leadpulse.ingest import service
from leadpulse.ingest.committer import GroupCommitter
from leadpulse.ingest.rawstore import store_raw
from leadpulse.ingest.service import Incoming, Stored
from leadpulse.store.db import Database
from leadpulse.store.models import Event, Lead, LeadJob
from leadpulse.store.types import utcnow

NOW = utcnow().replace(microsecond=123456)


async def _orm(db: Database, items: list[Incoming]) -> list[Stored]:
    async with db.transaction() as session:
        stored, _ = await service.store(session, items, now=NOW)
    return stored


async def _raw(db: Database, items: list[Incoming]) -> list[Stored]:
    assert db.raw is not None
    stored, _ = await store_raw(db.raw, items, now=NOW)
    return stored


async def _project_with_leads(db: Database) -> dict[str, int]:
    """A project with a live lead, a lead merged into it (with a running job), and a
    lead of another project; return their ids by name."""
    project_id = await make_project(db)
    stamps = {"created_at": NOW, "updated_at": NOW}
    live = await make_lead(db, project_id, anonymous_id="known", **stamps)
    merged = await make_lead(
        db, project_id, anonymous_id="merged", merged_into_id=live.id, **stamps
    )
    other = await make_lead(db, await make_project(db))
    async with db.transaction() as session:
        job = LeadJob(lead_id=live.id, project_id=project_id, status="running")
        session.add(job)
        job.run_at = job.enqueued_at = NOW
    return {"project": project_id, "live": live.id, "merged": merged.id, "other": other.id}


def _group(ids: dict[str, int]) -> list[Incoming]:
    def item(event_id: str, **fields: Any) -> Incoming:
        return Incoming(
            project_id=ids["project"],
            event_type=fields.pop("event_type", "page_view"),
            event_id=event_id,
            timestamp=NOW - timedelta(minutes=len(event_id)),
            received_at=NOW,
            **fields,
        )

    return [
        item("e1", anonymous_id="new-a", properties={"page": "/", "n": [1, {"x": None}]}),
        item("e2", anonymous_id="new-a", email="a@example.com", session_id="s-1"),
        item("e1", anonymous_id="new-a", event_type="signup"),  # duplicate in the group
        item("e3", anonymous_id="known", properties={"$traits": {"name": "Known"}}),
        item("e4", anonymous_id="merged"),  # lands on the survivor
        item("e5", lead_id=ids["live"], event_type="demo_request"),
        item("e6", lead_id=ids["merged"]),  # alias → live
        item("e7", lead_id=10**9),  # unknown
        item("e8", lead_id=ids["other"]),  # another project's lead: unknown
        item("e9", anonymous_id="new-b", event_type="custom:thing"),
    ]


async def _snapshot(db: Database, ids: dict[str, int]) -> dict[str, Any]:
    """Every column of the project's rows, ids replaced by anonymous ids / event ids."""
    async with db.sessions() as session:
        leads = await session.execute(select(Lead).where(Lead.project_id == ids["project"]))
        lead_rows = {lead.id: _columns(lead) for lead in leads.scalars()}
        names = {lead_id: row["anonymous_id"] for lead_id, row in lead_rows.items()}
        events = await session.execute(select(Event).where(Event.project_id == ids["project"]))
        jobs = await session.execute(select(LeadJob).where(LeadJob.project_id == ids["project"]))
        return {
            "leads": [
                row | {"merged_into_id": names.get(row["merged_into_id"])}
                for row in lead_rows.values()
            ],
            "events": [_columns(e) | {"lead_id": names[e.lead_id]} for e in events.scalars()],
            "jobs": [_columns(j) | {"lead_id": names[j.lead_id]} for j in jobs.scalars()],
        }


def _columns(row: Any) -> dict[str, Any]:
    skip = {"id", "project_id"}
    return {c.name: getattr(row, c.key) for c in row.__table__.c if c.name not in skip}


def _sortable(snapshot: dict[str, Any]) -> dict[str, list[str]]:
    return {name: sorted(repr(sorted(r.items())) for r in rows) for name, rows in snapshot.items()}


def _named(stored: list[Stored], db_names: dict[int, str]) -> list[tuple[str, str, Any]]:
    return [(s.status, s.event_id, db_names.get(s.lead_id or 0)) for s in stored]


async def _names(db: Database, project_id: int) -> dict[int, str]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Lead.id, Lead.anonymous_id).where(Lead.project_id == project_id)
        )
    return {lead_id: str(name) for lead_id, name in rows.all()}


async def test_raw_path_stores_the_same_rows_and_outcomes_as_the_orm_path(db: Database) -> None:
    results = {}
    for path, write in (("orm", _orm), ("raw", _raw)):
        ids = await _project_with_leads(db)
        first = await write(db, _group(ids))
        again = await write(db, _group(ids)[:2])  # a re-send: duplicates with their owner
        names = await _names(db, ids["project"])
        results[path] = (
            _named(first, names),
            _named(again, names),
            _sortable(await _snapshot(db, ids)),
        )
    for part in range(3):
        assert results["raw"][part] == results["orm"][part]
    statuses = [status for status, _, _ in results["raw"][0]]
    assert statuses.count("queued") == 7 and statuses.count("unknown_lead") == 2
    assert [status for status, _, _ in results["raw"][1]] == ["duplicate", "duplicate"]


async def test_a_failing_submission_does_not_fail_the_group_it_shared(db: Database) -> None:
    project_id = await make_project(db)
    assert db.raw is not None
    raw_db = db.raw

    async def write(items: Any) -> Any:
        return await store_raw(raw_db, items, now=utcnow())

    async def nothing(_: Any) -> None:
        return None

    committer = GroupCommitter(write, nothing)

    def event(project: int) -> Incoming:
        return Incoming(
            project_id=project,
            event_type="signup",
            event_id=uuid.uuid4().hex,
            timestamp=utcnow(),
            received_at=utcnow(),
            anonymous_id=f"anon-{uuid.uuid4().hex[:8]}",
        )

    good, bad = event(project_id), event(10**9)  # no such project: a foreign-key violation
    outcomes = await asyncio.gather(
        committer.submit([good]), committer.submit([bad]), return_exceptions=True
    )
    assert isinstance(outcomes[1], Exception)
    assert [s.status for s in outcomes[0]] == ["queued"]  # type: ignore[union-attr]
    async with db.sessions() as session:
        stored = await session.scalars(select(Event.event_id).where(Event.project_id == project_id))
        assert list(stored) == [good.event_id]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_killed_raw_connection_is_reopened_and_the_group_stored(db: Database) -> None:
    project_id = await make_project(db)
    first = Incoming(project_id, "signup", "k-1", utcnow(), utcnow(), anonymous_id="k")
    assert [s.status for s in await _raw(db, [first])] == ["queued"]
    async with db.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'leadpulse-ingest' AND datname = current_database()"
            )
        )
    second = Incoming(project_id, "signup", "k-2", utcnow(), utcnow(), anonymous_id="k")
    assert [s.status for s in await _raw(db, [second])] == ["queued"]
