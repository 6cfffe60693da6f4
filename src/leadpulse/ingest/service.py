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
from typing import Any, Literal

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


async def _find_leads(
    session: AsyncSession, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], tuple[int, int | None]]:
    found = await session.execute(
        select(LEADS.c.project_id, LEADS.c.anonymous_id, LEADS.c.id, LEADS.c.merged_into_id).where(
            tuple_(LEADS.c.project_id, LEADS.c.anonymous_id).in_(keys)
        )
    )
    return {(p, a): (lead_id, merged) for p, a, lead_id, merged in found.all()}


async def _lead_ids_by_anonymous(
    session: AsyncSession, items: Sequence[Incoming], now: datetime
) -> dict[tuple[int, str], int]:
    keys = sorted({(i.project_id, i.anonymous_id) for i in items if i.anonymous_id})
    if not keys:
        return {}
    # Read first, insert only the missing: an INSERT … ON CONFLICT on a lead that a scoring
    # transaction is updating would wait for that transaction to commit.
    leads = await _find_leads(session, keys)
    missing = [k for k in keys if k not in leads]
    if missing:
        rows = [
            {"project_id": p, "anonymous_id": a, "traits": {}, "created_at": now, "updated_at": now}
            for p, a in missing
        ]
        stmt = insert(session, LEADS).on_conflict_do_nothing(
            index_elements=[LEADS.c.project_id, LEADS.c.anonymous_id]
        )
        await session.execute(stmt, rows)
        leads.update(await _find_leads(session, missing))
    ids = {key: lead_id for key, (lead_id, _) in leads.items()}
    merged = {lead_id: into for lead_id, into in leads.values() if into is not None}
    if merged:
        aliases = await resolve_aliases(session, merged)
        ids = {key: aliases.get(lead_id, lead_id) for key, lead_id in ids.items()}
    return ids


async def _known_lead_ids(session: AsyncSession, items: Sequence[Incoming]) -> dict[int, int]:
    wanted = {i.lead_id: i.project_id for i in items if i.lead_id is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(LEADS.c.id, LEADS.c.project_id, LEADS.c.merged_into_id).where(
            LEADS.c.id.in_(list(wanted))
        )
    )
    found: dict[int, int] = {}
    merged: dict[int, int] = {}
    for lead_id, project_id, merged_into in rows.all():
        if wanted.get(lead_id) == project_id:  # another project's lead is "unknown"
            found[lead_id] = lead_id
            if merged_into is not None:
                merged[lead_id] = merged_into
    if merged:
        found.update(await resolve_aliases(session, merged))
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
    by_anonymous = await _lead_ids_by_anonymous(session, items, now)
    by_id = await _known_lead_ids(session, items)
    targets: list[int | None] = [
        by_anonymous.get((i.project_id, i.anonymous_id))
        if i.anonymous_id
        else by_id.get(i.lead_id or 0)
        for i in items
    ]
    first: dict[tuple[int, str], int] = {}
    for index, (item, lead_id) in enumerate(zip(items, targets, strict=True)):
        if lead_id is not None:
            first.setdefault((item.project_id, item.event_id), index)
    # key order: concurrent inserts of the same eventIds wait on each other, never deadlock
    rows = [_event_row(items[i], targets[i]) for _, i in sorted(first.items())]  # type: ignore[arg-type]
    inserted: dict[tuple[int, str], tuple[int, int]] = {}
    if rows:
        stmt = (
            insert(session, EVENTS)
            .on_conflict_do_nothing(index_elements=[EVENTS.c.project_id, EVENTS.c.event_id])
            .returning(EVENTS.c.id, EVENTS.c.project_id, EVENTS.c.event_id, EVENTS.c.lead_id)
        )
        result = await session.execute(stmt, rows)
        inserted = {(p, e): (row_id, lead) for row_id, p, e, lead in result.all()}
    owners = await _duplicate_owners(session, set(first) - set(inserted))
    await jobs.enqueue(session, {(lead, p) for (p, _), (_, lead) in inserted.items()}, now=now)
    return _outcomes(items, targets, first, inserted, owners)


async def _duplicate_owners(
    session: AsyncSession, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    if not keys:
        return {}
    rows = await session.execute(
        select(EVENTS.c.project_id, EVENTS.c.event_id, EVENTS.c.lead_id).where(
            tuple_(EVENTS.c.project_id, EVENTS.c.event_id).in_(sorted(keys))
        )
    )
    return {(p, e): lead for p, e, lead in rows.all()}


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
