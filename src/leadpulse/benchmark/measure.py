"""Read the pipeline's progress and timings back from the benchmark database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from leadpulse.store.db import Database
from leadpulse.store.models import Event, Lead
from leadpulse.store.sql import table_of

EVENTS = table_of(Event)
LEADS = table_of(Lead)


async def counts(db: Database) -> tuple[int, int]:
    """Return (events stored, events not yet processed)."""
    async with db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(EVENTS))
        pending = await session.scalar(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.processed.is_(False))
        )
    return int(total or 0), int(pending or 0)


async def wait_processed(
    db: Database,
    *,
    expected: int,
    timeout: float,
    on_progress: Callable[[int, int], None] | None = None,
    interval: float = 0.2,
) -> float | None:
    """Poll until ``expected`` events are stored and all processed; return the
    ``perf_counter`` time when that was first seen (None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total, pending = await counts(db)
        if on_progress is not None:
            on_progress(total - pending, expected)
        if total >= expected and pending == 0:
            return time.perf_counter()
        await asyncio.sleep(interval)
    return None


async def span(db: Database) -> tuple[datetime | None, datetime | None]:
    """Return (first received_at, last processed_at) over all events."""
    async with db.sessions() as session:
        row = (
            await session.execute(
                select(func.min(EVENTS.c.received_at), func.max(EVENTS.c.processed_at))
            )
        ).one()
    return row[0], row[1]


async def processing_latencies(db: Database, prefix: str) -> list[float]:
    """Return processed_at − received_at (seconds) of the events whose id starts with prefix."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(EVENTS.c.received_at, EVENTS.c.processed_at).where(
                EVENTS.c.event_id.startswith(prefix), EVENTS.c.processed_at.is_not(None)
            )
        )
        return [(done - received).total_seconds() for received, done in rows.all()]


async def lead_ids(db: Database, project_id: int) -> dict[str, int]:
    """Map anonymousId → lead id for a project."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(LEADS.c.anonymous_id, LEADS.c.id).where(LEADS.c.project_id == project_id)
        )
        return {str(anon): int(lead) for anon, lead in rows.all()}


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
