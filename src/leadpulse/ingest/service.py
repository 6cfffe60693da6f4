"""Ingest: turn validated events into rows, set-based, in one transaction per group.

For a group of events (one request, or many concurrent requests sharing a commit), the
transaction runs a fixed number of statements whatever the group size: upsert the leads by
``(project, anonymousId)``, resolve aliases of merged leads, insert the events with
``ON CONFLICT DO NOTHING`` on ``(project, eventId)``, and enqueue one job per touched lead.
A duplicate eventId inserts nothing and is reported as ``duplicate`` with the lead that owns
the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.outcomes import EventIngested
from leadpulse.leads.identity import resolve_aliases
from leadpulse.queue import jobs
from leadpulse.store.models import Event, Lead
from leadpulse.store.sql import insert, table_of

LEADS = table_of(Lead)
EVENTS = table_of(Event)
TRAITS_KEY = "$traits"
StoredStatus = Literal["queued", "duplicate", "unknown_lead"]


@dataclass(slots=True)
class Incoming:
    """One validated event, before storage."""

    project_id: int
    event_type: str
    event_id: str
    timestamp: datetime
    received_at: datetime
    anonymous_id: str | None = None
    lead_id: int | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    email: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    context: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    """What happened to one Incoming: queued, duplicate, or unknown lead."""

    status: StoredStatus
    event_id: str
    lead_id: int | None


def correct_timestamp(
    *, timestamp: datetime | None, sent_at: datetime | None, received_at: datetime, skew: int
) -> datetime:
    """Apply clock-skew correction with ``sentAt`` and clamp future timestamps."""
    if timestamp is None:
        return received_at
    if sent_at is not None:
        timestamp = received_at - (sent_at - timestamp)
    if timestamp > received_at + timedelta(seconds=skew):
        return received_at
    return timestamp


LeadKey = tuple[int, str]  # (project_id, anonymous_id)
EventKey = tuple[int, str]  # (project_id, event_id)
LeadRef = tuple[int, int | None]  # (lead id, merged_into_id)


class Statements(Protocol):
    """The set-based statements of one group's transaction (ORM session or raw driver)."""

    async def find_leads(self, keys: Sequence[LeadKey]) -> dict[LeadKey, LeadRef]:
        """Return the existing leads of these keys."""

    async def insert_leads(self, rows: list[dict[str, Any]]) -> dict[LeadKey, LeadRef]:
        """Insert leads (ON CONFLICT DO NOTHING); return those it could see inserted."""

    async def leads_by_id(self, ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
        """Return (id, project_id, merged_into_id) of the leads that exist."""

    async def resolve_aliases(self, merged: dict[int, int]) -> dict[int, int]:
        """Follow ``merged_into_id`` from merged leads to their live survivors."""

    async def insert_events(self, rows: list[dict[str, Any]]) -> dict[EventKey, tuple[int, int]]:
        """Insert events (ON CONFLICT DO NOTHING); return key → (row id, lead) of new rows."""

    async def event_owners(self, keys: Sequence[EventKey]) -> dict[EventKey, int]:
        """Return the lead of each existing event."""

    async def enqueue(self, pairs: set[tuple[int, int]], now: datetime) -> None:
        """Enqueue a job per ``(lead_id, project_id)`` (``queue.jobs``)."""


class OrmStatements:
    """The statements through SQLAlchemy Core on the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_leads(self, keys: Sequence[LeadKey]) -> dict[LeadKey, LeadRef]:
        """Return the existing leads of these keys."""
        found = await self.session.execute(
            select(LEADS.c.project_id, LEADS.c.anonymous_id, LEADS.c.id, LEADS.c.merged_into_id)
            .where(tuple_(LEADS.c.project_id, LEADS.c.anonymous_id).in_(keys))
        )  # fmt: skip
        return {(p, a): (lead_id, merged) for p, a, lead_id, merged in found.all()}

    async def insert_leads(self, rows: list[dict[str, Any]]) -> dict[LeadKey, LeadRef]:
        """Insert leads (ON CONFLICT DO NOTHING); the caller reads them back."""
        stmt = insert(self.session, LEADS).on_conflict_do_nothing(
            index_elements=[LEADS.c.project_id, LEADS.c.anonymous_id]
        )
        await self.session.execute(stmt, rows)
        return {}

    async def leads_by_id(self, ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
        """Return (id, project_id, merged_into_id) of the leads that exist."""
        rows = await self.session.execute(
            select(LEADS.c.id, LEADS.c.project_id, LEADS.c.merged_into_id).where(
                LEADS.c.id.in_(ids)
            )
        )
        return [(i, p, m) for i, p, m in rows.all()]

    async def resolve_aliases(self, merged: dict[int, int]) -> dict[int, int]:
        """Follow ``merged_into_id`` (``leads.identity``)."""
        return await resolve_aliases(self.session, merged)

    async def insert_events(self, rows: list[dict[str, Any]]) -> dict[EventKey, tuple[int, int]]:
        """Insert events (ON CONFLICT DO NOTHING … RETURNING)."""
        stmt = (
            insert(self.session, EVENTS)
            .on_conflict_do_nothing(index_elements=[EVENTS.c.project_id, EVENTS.c.event_id])
            .returning(EVENTS.c.id, EVENTS.c.project_id, EVENTS.c.event_id, EVENTS.c.lead_id)
        )
        result = await self.session.execute(stmt, rows)
        return {(p, e): (row_id, lead) for row_id, p, e, lead in result.all()}

    async def event_owners(self, keys: Sequence[EventKey]) -> dict[EventKey, int]:
        """Return the lead of each existing event."""
        rows = await self.session.execute(
            select(EVENTS.c.project_id, EVENTS.c.event_id, EVENTS.c.lead_id).where(
                tuple_(EVENTS.c.project_id, EVENTS.c.event_id).in_(keys)
            )
        )
        return {(p, e): lead for p, e, lead in rows.all()}

    async def enqueue(self, pairs: set[tuple[int, int]], now: datetime) -> None:
        """Enqueue through ``queue.jobs``."""
        await jobs.enqueue(self.session, pairs, now=now)


def lead_row(key: LeadKey, now: datetime) -> dict[str, Any]:
    """The row a new anonymous lead starts as (other columns take their defaults)."""
    project_id, anonymous_id = key
    return {
        "project_id": project_id,
        "anonymous_id": anonymous_id,
        "traits": {},
        "created_at": now,
        "updated_at": now,
    }


async def _lead_ids_by_anonymous(
    db: Statements, items: Sequence[Incoming], now: datetime
) -> dict[LeadKey, int]:
    keys = sorted({(i.project_id, i.anonymous_id) for i in items if i.anonymous_id})
    if not keys:
        return {}
    leads = await _find_or_insert_leads(db, keys, now)
    ids = {key: lead_id for key, (lead_id, _) in leads.items()}
    merged = {lead_id: into for lead_id, into in leads.values() if into is not None}
    if merged:
        aliases = await db.resolve_aliases(merged)
        ids = {key: aliases.get(lead_id, lead_id) for key, lead_id in ids.items()}
    return ids


async def _find_or_insert_leads(
    db: Statements, keys: Sequence[LeadKey], now: datetime
) -> dict[LeadKey, LeadRef]:
    """The lead of each key, inserting the new anonymous ones."""
    # Read first, insert only the missing: an INSERT … ON CONFLICT on a lead that a scoring
    # transaction is updating would wait for that transaction to commit.
    leads = await db.find_leads(keys)
    missing = [k for k in keys if k not in leads]
    if missing:
        leads.update(await db.insert_leads([lead_row(k, now) for k in missing]))
        unseen = [k for k in missing if k not in leads]  # inserted meanwhile by another group
        if unseen:
            leads.update(await db.find_leads(unseen))
    return leads


async def _known_lead_ids(db: Statements, items: Sequence[Incoming]) -> dict[int, int]:
    wanted = {i.lead_id: i.project_id for i in items if i.lead_id is not None}
    if not wanted:
        return {}
    found: dict[int, int] = {}
    merged: dict[int, int] = {}
    for lead_id, project_id, merged_into in await db.leads_by_id(sorted(wanted)):
        if wanted.get(lead_id) == project_id:  # another project's lead is "unknown"
            found[lead_id] = lead_id
            if merged_into is not None:
                merged[lead_id] = merged_into
    if merged:
        found.update(await db.resolve_aliases(merged))
    return found


def _event_row(item: Incoming, lead_id: int) -> dict[str, Any]:
    return {
        "project_id": item.project_id,
        "lead_id": lead_id,
        "event_id": item.event_id,
        "event_type": item.event_type,
        "timestamp": item.timestamp,
        "received_at": item.received_at,
        "session_id": item.session_id,
        "email": item.email,
        "user_id": item.user_id,
        "context": item.context,
        "properties": item.properties,
        "processed": False,
    }


async def store(
    session: AsyncSession, items: Sequence[Incoming], *, now: datetime
) -> tuple[list[Stored], list[EventIngested]]:
    """Store a group of events in the caller's transaction; one Stored per item, in order."""
    return await store_with(OrmStatements(session), items, now=now)


async def store_with(
    db: Statements, items: Sequence[Incoming], *, now: datetime
) -> tuple[list[Stored], list[EventIngested]]:
    """Store a group of events through ``db``'s statements, in its open transaction."""
    targets = await _targets(db, items, now)
    first = _first_of_each(items, targets)
    # key order: concurrent inserts of the same eventIds wait on each other, never deadlock
    rows = [_event_row(items[i], targets[i]) for _, i in sorted(first.items())]  # type: ignore[arg-type]
    inserted = await db.insert_events(rows) if rows else {}
    seen_before = sorted(set(first) - set(inserted))
    owners = await db.event_owners(seen_before) if seen_before else {}
    pairs = {(lead, p) for (p, _), (_, lead) in inserted.items()}
    if pairs:
        await db.enqueue(pairs, now)
    return _outcomes(items, targets, first, inserted, owners)


async def _targets(db: Statements, items: Sequence[Incoming], now: datetime) -> list[int | None]:
    """The lead each item goes to (by anonymous id or by lead id); None for an unknown lead."""
    by_anonymous = await _lead_ids_by_anonymous(db, items, now)
    by_id = await _known_lead_ids(db, items)
    return [
        by_anonymous.get((i.project_id, i.anonymous_id))
        if i.anonymous_id
        else by_id.get(i.lead_id or 0)
        for i in items
    ]


def _first_of_each(items: Sequence[Incoming], targets: Sequence[int | None]) -> dict[EventKey, int]:
    """The index of each event key's first item with a known lead (the one to insert)."""
    first: dict[EventKey, int] = {}
    for index, (item, lead_id) in enumerate(zip(items, targets, strict=True)):
        if lead_id is not None:
            first.setdefault((item.project_id, item.event_id), index)
    return first


def _outcomes(
    items: Sequence[Incoming],
    targets: Sequence[int | None],
    first: dict[tuple[int, str], int],
    inserted: dict[tuple[int, str], tuple[int, int]],
    owners: dict[tuple[int, str], int],
) -> tuple[list[Stored], list[EventIngested]]:
    stored: list[Stored] = []
    ingested: list[EventIngested] = []
    for index, (item, lead_id) in enumerate(zip(items, targets, strict=True)):
        key = (item.project_id, item.event_id)
        if lead_id is None:
            stored.append(Stored("unknown_lead", item.event_id, None))
        elif key in inserted and first[key] == index:
            row_id, owner = inserted[key]
            stored.append(Stored("queued", item.event_id, owner))
            ingested.append(_ingested(item, row_id, owner))
        else:
            owner = inserted[key][1] if key in inserted else owners.get(key, lead_id)
            stored.append(Stored("duplicate", item.event_id, owner))
    return stored, ingested


def _ingested(item: Incoming, row_id: int, lead_id: int) -> EventIngested:
    return EventIngested(
        project_id=item.project_id,
        lead_id=lead_id,
        event_row_id=row_id,
        event_id=item.event_id,
        event_type=item.event_type,
        anonymous_id=item.anonymous_id,
        timestamp=item.timestamp,
        received_at=item.received_at,
    )
