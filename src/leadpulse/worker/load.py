"""Load: what a scoring transaction reads, turned into the pure inputs of ``core.planner``.

Batch statements (one each, whatever the number of leads): lock the claimed leads, read
their unprocessed events, count their events (all, and the last 24 hours). Per rewound lead
(a late event or a full rescore): the sum of the history rows the rewind keeps and the
lead's events from the cut on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.planner import Activity, LeadSnapshot, Rewind, Span
from leadpulse.core.scoring import EventFact
from leadpulse.core.velocity import WINDOW
from leadpulse.leads import history
from leadpulse.store.models import Event, Lead
from leadpulse.store.sql import is_postgres, table_of

EVENTS = table_of(Event)
SNAPSHOT_COLUMNS = tuple(f.name for f in fields(LeadSnapshot))


async def lock_leads(session: AsyncSession, lead_ids: Sequence[int]) -> list[Lead]:
    """Lock the leads in id order and load them fresh."""
    query = select(Lead).where(Lead.id.in_(sorted(lead_ids))).order_by(Lead.id)
    if is_postgres(session):
        query = query.with_for_update(key_share=True)  # NO KEY UPDATE: ingest's FK locks pass
    rows = await session.scalars(query.execution_options(populate_existing=True))
    return list(rows)


async def unprocessed(session: AsyncSession, lead_ids: Sequence[int]) -> list[Any]:
    """Read the unprocessed events of the leads (with the identity fields of each)."""
    rows = await session.execute(
        select(
            EVENTS.c.id,
            EVENTS.c.lead_id,
            EVENTS.c.event_id,
            EVENTS.c.event_type,
            EVENTS.c.timestamp,
            EVENTS.c.email,
            EVENTS.c.user_id,
            EVENTS.c.properties,
            EVENTS.c.received_at,
        ).where(EVENTS.c.lead_id.in_(lead_ids), EVENTS.c.processed.is_(False))
    )
    return list(rows.all())


def facts_by_lead(rows: Sequence[Any]) -> dict[int, list[EventFact]]:
    """Group event rows by lead as the planner sees them."""
    by_lead: dict[int, list[EventFact]] = {}
    for r in rows:
        by_lead.setdefault(r.lead_id, []).append(
            EventFact(r.event_id, r.event_type, r.timestamp, r.id)
        )
    return by_lead


def snapshot(lead: Lead) -> LeadSnapshot:
    """Return a lead's scoring state as the planner sees it (columns of the same names)."""
    return LeadSnapshot(**{name: getattr(lead, name) for name in SNAPSHOT_COLUMNS})


async def span(session: AsyncSession, *, lead_id: int, rewind: Rewind) -> Span:
    """Load what a rewind needs: the kept history sum and the events from the cut's time."""
    base = await history.kept_sum(session, lead_id=lead_id, rewind=rewind)
    query = select(
        EVENTS.c.id,
        EVENTS.c.event_id,
        EVENTS.c.event_type,
        EVENTS.c.timestamp,
        EVENTS.c.processed,
    ).where(EVENTS.c.lead_id == lead_id)
    if rewind.cut is not None:
        query = query.where(EVENTS.c.timestamp >= rewind.cut[0])
    rows = (await session.execute(query)).all()
    return Span(
        rewind=rewind,
        base_score=base,
        events=tuple(EventFact(r.event_id, r.event_type, r.timestamp, r.id) for r in rows),
        unprocessed=frozenset(r.id for r in rows if not r.processed),
    )


async def activity(
    session: AsyncSession, lead_ids: Sequence[int], now: datetime
) -> dict[int, Activity]:
    """Count each lead's events: all of them, and those in (now - 24 h, now]."""
    recent = await session.execute(
        select(EVENTS.c.lead_id, func.count())
        .where(
            EVENTS.c.lead_id.in_(lead_ids),
            EVENTS.c.timestamp > now - WINDOW,
            EVENTS.c.timestamp <= now,
        )
        .group_by(EVENTS.c.lead_id)
    )
    total = await session.execute(
        select(EVENTS.c.lead_id, func.count())
        .where(EVENTS.c.lead_id.in_(lead_ids))
        .group_by(EVENTS.c.lead_id)
    )
    last_24h: dict[int, int] = dict(recent.all())
    counts: dict[int, int] = dict(total.all())
    return {i: Activity(total=counts.get(i, 0), last_24h=last_24h.get(i, 0)) for i in lead_ids}
