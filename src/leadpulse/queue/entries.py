"""Outbox entries (table ``outbox``, written only here): the consequences of lead changes,
added in the transaction of the change and consumed by the dispatcher (``worker.dispatch``).

The semantics — claims, leases, retries, dead letters — are those of ``queue.outbox``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.consequences import Entry
from leadpulse.store.models import OutboxEntry
from leadpulse.store.sql import insert, table_of

ENTRIES = table_of(OutboxEntry)
INSERT_CHUNK = 2000


async def enqueue(session: AsyncSession, entries: Iterable[Entry], *, now: datetime) -> int:
    """Add entries in the caller's transaction (one multi-row INSERT); return how many.

    ``now`` is the wall clock of the write: entries are due at once.
    """
    rows = [
        {
            "project_id": e.project_id,
            "lead_id": e.lead_id,
            "kind": e.kind,
            "payload": e.payload,
            "status": "pending",
            "attempts": 0,
            "available_at": now,
            "created_at": now,
        }
        for e in entries
    ]
    for start in range(0, len(rows), INSERT_CHUNK):  # SQLite binds at most 32 766 values
        await session.execute(insert(session, ENTRIES).values(rows[start : start + INSERT_CHUNK]))
    return len(rows)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A leased entry: its id, write time (its consequences are due from then), attempts."""

    id: int
    written_at: datetime
    attempts: int
    entry: Entry


async def load(session: AsyncSession, ids: Sequence[int]) -> list[Claimed]:
    """Read claimed entries, oldest first."""
    rows = await session.execute(
        select(ENTRIES).where(ENTRIES.c.id.in_(ids)).order_by(ENTRIES.c.id)
    )
    return [
        Claimed(r.id, r.created_at, r.attempts, Entry(r.kind, r.project_id, r.lead_id, r.payload))
        for r in rows
    ]


async def consume(session: AsyncSession, ids: Sequence[int], *, lease_until: datetime) -> None:
    """Delete expanded entries, in the transaction that expanded them, while our lease holds
    (a dispatcher that lost its lease leaves them to the new holder: expanding is idempotent)."""
    if ids:
        await session.execute(
            delete(ENTRIES).where(ENTRIES.c.id.in_(ids), ENTRIES.c.locked_until == lease_until)
        )


async def erase(session: AsyncSession, *, project_id: int, lead_ids: Sequence[int]) -> None:
    """Delete the entries of erased leads of a project (GDPR)."""
    await session.execute(
        delete(ENTRIES).where(ENTRIES.c.lead_id.in_(lead_ids), ENTRIES.c.project_id == project_id)
    )
