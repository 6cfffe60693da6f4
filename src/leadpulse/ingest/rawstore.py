"""The group's statements on a raw driver connection (``store.raw``), without the ORM.

Same statements, same order, same rows as ``service.OrmStatements`` (``service.store_with``
drives both), each one set-based whatever the group size:

- PostgreSQL (asyncpg, prepared by its statement cache): lookups join ``unnest($1, $2)``
  of the keys, inserts are ``INSERT … SELECT … FROM unnest(<one array per column>)``.
- SQLite (aiosqlite): lookups join ``json_each(?)`` of the keys; inserts are one
  ``executemany``. SQLite's ``executemany`` returns no rows, so the new event rows are read
  back as those above the largest id seen before the insert: the transaction is
  ``BEGIN IMMEDIATE`` (no other writer until it ends) and a new rowid is always above the
  current maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from leadpulse.core.outcomes import EventIngested
from leadpulse.ingest import service
from leadpulse.ingest.service import EVENTS, LEADS, EventKey, Incoming, LeadKey, LeadRef, Stored
from leadpulse.leads.identity import MAX_ALIAS_HOPS
from leadpulse.queue import jobs
from leadpulse.store import raw

LEAD_CONFLICT = "ON CONFLICT (project_id, anonymous_id) DO NOTHING"
EVENT_CONFLICT = "ON CONFLICT (project_id, event_id) DO NOTHING"

PG_FIND_LEADS = (
    "SELECT l.project_id, l.anonymous_id, l.id, l.merged_into_id "
    "FROM unnest($1::bigint[], $2::text[]) AS k(p, a) "
    "JOIN leads l ON l.project_id = k.p AND l.anonymous_id = k.a"
)
PG_LEADS_BY_ID = "SELECT id, project_id, merged_into_id FROM leads WHERE id = ANY($1::bigint[])"
PG_EVENT_OWNERS = (
    "SELECT e.project_id, e.event_id, e.lead_id "
    "FROM unnest($1::bigint[], $2::text[]) AS k(p, e) "
    "JOIN events e ON e.project_id = k.p AND e.event_id = k.e"
)
# From each merge target, follow merged_into_id up to MAX_ALIAS_HOPS (leads.identity).
_HOPS = (
    "WITH RECURSIVE hop(start, id, into_id, depth) AS ("
    " SELECT id, id, merged_into_id, 0 FROM leads WHERE id {targets}"
    " UNION ALL"
    " SELECT h.start, l.id, l.merged_into_id, h.depth + 1 FROM hop h"
    " JOIN leads l ON l.id = h.into_id WHERE h.depth < {hops})"
    " SELECT start, id FROM hop WHERE into_id IS NULL OR depth = {hops}"
)
PG_HOPS = _HOPS.format(targets="= ANY($1::bigint[])", hops=MAX_ALIAS_HOPS)

# CROSS JOIN: SQLite keeps json_each outermost and probes the unique index per key.
SQLITE_FIND_LEADS = (
    "SELECT l.project_id, l.anonymous_id, l.id, l.merged_into_id FROM json_each(?) AS k "
    "CROSS JOIN leads l ON l.project_id = json_extract(k.value, '$[0]') "
    "AND l.anonymous_id = json_extract(k.value, '$[1]')"
)
SQLITE_LEADS_BY_ID = (
    "SELECT id, project_id, merged_into_id FROM leads WHERE id IN (SELECT value FROM json_each(?))"
)
SQLITE_EVENT_OWNERS = (
    "SELECT e.project_id, e.event_id, e.lead_id FROM json_each(?) AS k "
    "CROSS JOIN events e ON e.project_id = json_extract(k.value, '$[0]') "
    "AND e.event_id = json_extract(k.value, '$[1]')"
)
SQLITE_HOPS = _HOPS.format(targets="IN (SELECT value FROM json_each(?))", hops=MAX_ALIAS_HOPS)


def _surviving(merged: dict[int, int], final: dict[int, int]) -> dict[int, int]:
    return {lead: final.get(target, target) for lead, target in merged.items()}


def _split(keys: Sequence[tuple[int, str]]) -> tuple[list[int], list[str]]:
    return [p for p, _ in keys], [k for _, k in keys]


def _completed(table: Any, rows: list[dict[str, Any]]) -> tuple[tuple[str, ...], list[Any]]:
    full = [raw.complete(table, row) for row in rows]
    return raw.columns_for(table, full[0]), full


class PgStatements:
    """``service.Statements`` on an asyncpg connection in a transaction."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def find_leads(self, keys: Sequence[LeadKey]) -> dict[LeadKey, LeadRef]:
        """Return the existing leads of these keys."""
        rows = await self.conn.fetch(PG_FIND_LEADS, *_split(keys))
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    async def insert_leads(self, rows: list[dict[str, Any]]) -> dict[LeadKey, LeadRef]:
        """Insert leads in key order; return the inserted ones."""
        columns, full = _completed(LEADS, rows)
        tail = f"{LEAD_CONFLICT} RETURNING project_id, anonymous_id, id, merged_into_id"
        sql = raw.pg_unnest_insert(LEADS, columns, tail)
        found = await self.conn.fetch(sql, *raw.pg_arrays(LEADS, columns, full))
        return {(r[0], r[1]): (r[2], r[3]) for r in found}

    async def leads_by_id(self, ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
        """Return (id, project_id, merged_into_id) of the leads that exist."""
        return [(r[0], r[1], r[2]) for r in await self.conn.fetch(PG_LEADS_BY_ID, list(ids))]

    async def resolve_aliases(self, merged: dict[int, int]) -> dict[int, int]:
        """Follow ``merged_into_id`` in one recursive query."""
        rows = await self.conn.fetch(PG_HOPS, sorted(set(merged.values())))
        return _surviving(merged, {r[0]: r[1] for r in rows})

    async def insert_events(self, rows: list[dict[str, Any]]) -> dict[EventKey, tuple[int, int]]:
        """Insert events in key order; return key → (row id, lead) of the new rows."""
        columns, full = _completed(EVENTS, rows)
        tail = f"{EVENT_CONFLICT} RETURNING id, project_id, event_id, lead_id"
        sql = raw.pg_unnest_insert(EVENTS, columns, tail)
        found = await self.conn.fetch(sql, *raw.pg_arrays(EVENTS, columns, full))
        return {(r[1], r[2]): (r[0], r[3]) for r in found}

    async def event_owners(self, keys: Sequence[EventKey]) -> dict[EventKey, int]:
        """Return the lead of each existing event."""
        rows = await self.conn.fetch(PG_EVENT_OWNERS, *_split(keys))
        return {(r[0], r[1]): r[2] for r in rows}

    async def enqueue(self, pairs: set[tuple[int, int]], now: datetime) -> None:
        """Enqueue through ``queue.jobs.enqueue_raw``."""
        await jobs.enqueue_raw(self.conn, "postgresql", pairs, now=now)


def _keys_json(keys: Sequence[tuple[int, Any]]) -> str:
    return orjson.dumps([list(k) for k in keys]).decode()


class SqliteStatements:
    """``service.Statements`` on an aiosqlite connection inside ``BEGIN IMMEDIATE``."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def _all(self, sql: str, *params: Any) -> list[Any]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def find_leads(self, keys: Sequence[LeadKey]) -> dict[LeadKey, LeadRef]:
        """Return the existing leads of these keys."""
        rows = await self._all(SQLITE_FIND_LEADS, _keys_json(keys))
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    async def insert_leads(self, rows: list[dict[str, Any]]) -> dict[LeadKey, LeadRef]:
        """Insert leads in key order; the caller reads them back."""
        columns, full = _completed(LEADS, rows)
        sql = raw.sqlite_insert(LEADS, columns, LEAD_CONFLICT)
        await self.conn.executemany(sql, raw.sqlite_params(LEADS, columns, full))
        return {}

    async def leads_by_id(self, ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
        """Return (id, project_id, merged_into_id) of the leads that exist."""
        rows = await self._all(SQLITE_LEADS_BY_ID, orjson.dumps(list(ids)).decode())
        return [(r[0], r[1], r[2]) for r in rows]

    async def resolve_aliases(self, merged: dict[int, int]) -> dict[int, int]:
        """Follow ``merged_into_id`` in one recursive query."""
        targets = orjson.dumps(sorted(set(merged.values()))).decode()
        rows = await self._all(SQLITE_HOPS, targets)
        return _surviving(merged, {r[0]: r[1] for r in rows})

    async def insert_events(self, rows: list[dict[str, Any]]) -> dict[EventKey, tuple[int, int]]:
        """Insert events; the new rows are those above the previous largest id."""
        columns, full = _completed(EVENTS, rows)
        (before,) = (await self._all("SELECT coalesce(max(id), 0) FROM events"))[0]
        sql = raw.sqlite_insert(EVENTS, columns, EVENT_CONFLICT)
        await self.conn.executemany(sql, raw.sqlite_params(EVENTS, columns, full))
        found = await self._all(
            "SELECT id, project_id, event_id, lead_id FROM events WHERE id > ?", before
        )
        return {(r[1], r[2]): (r[0], r[3]) for r in found}

    async def event_owners(self, keys: Sequence[EventKey]) -> dict[EventKey, int]:
        """Return the lead of each existing event."""
        rows = await self._all(SQLITE_EVENT_OWNERS, _keys_json(keys))
        return {(r[0], r[1]): r[2] for r in rows}

    async def enqueue(self, pairs: set[tuple[int, int]], now: datetime) -> None:
        """Enqueue through ``queue.jobs.enqueue_raw``."""
        await jobs.enqueue_raw(self.conn, "sqlite", pairs, now=now)


def _statements(db: raw.RawDatabase, conn: Any) -> service.Statements:
    return PgStatements(conn) if db.dialect == "postgresql" else SqliteStatements(conn)


async def store_raw(
    db: raw.RawDatabase, items: Sequence[Incoming], *, now: datetime
) -> tuple[list[Stored], list[EventIngested]]:
    """``service.store_with`` in one transaction of the raw connection. A connection that
    broke (database restart, idle kill) is reopened and the group retried once: nothing of
    it was committed, and a retried event insert is idempotent anyway."""
    for attempt in (1, 2):
        try:
            async with db.transaction() as conn:
                return await service.store_with(_statements(db, conn), items, now=now)
        except raw.Disconnected:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
