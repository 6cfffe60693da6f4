"""Raw-write baselines, measured in the same database as the run they anchor.

The rows are the ones batch ingest stored (same events, same leads), written into
``bench_copy``, a table with the schema and indexes of ``events`` (PostgreSQL:
``LIKE events INCLUDING ALL``; SQLite: the same CREATE TABLE/INDEX statements renamed), so
the baseline pays for the same unique and secondary indexes but nothing else.

- PostgreSQL: one ``COPY`` (asyncpg ``copy_records_to_table``) of all rows.
- SQLite: stdlib ``sqlite3`` ``executemany`` of all rows in one transaction (WAL,
  synchronous=NORMAL, like the app).
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from leadpulse.benchmark.stack import PG_DATABASE

COLUMNS = (
    "project_id",
    "lead_id",
    "event_id",
    "event_type",
    "timestamp",
    "received_at",
    "properties",
    "processed",
)


def rows_for(
    events: list[dict[str, Any]], lead_ids: dict[str, int], project_id: int
) -> list[tuple[Any, ...]]:
    """Turn workload events into events-table rows (first copy of each eventId only)."""
    now = datetime.now(UTC)
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for event in events:
        if event["eventId"] in seen:
            continue
        seen.add(event["eventId"])
        stamp = datetime.fromisoformat(event["timestamp"])
        rows.append(
            (
                project_id,
                lead_ids[event["anonymousId"]],
                event["eventId"],
                event["event"],
                stamp,
                now,
                event["properties"],
                False,
            )
        )
    return rows


async def copy_postgres(rows: list[tuple[Any, ...]]) -> float:
    """COPY ``rows`` into a fresh ``bench_copy`` table; return rows per second."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_copy")
        await conn.execute("CREATE TABLE bench_copy (LIKE events INCLUDING ALL)")
        records = [(*row[:6], orjson.dumps(row[6]).decode(), row[7]) for row in rows]
        await conn.execute("CHECKPOINT")
        started = time.perf_counter()
        await conn.copy_records_to_table("bench_copy", records=records, columns=list(COLUMNS))
        elapsed = time.perf_counter() - started
        await conn.execute("DROP TABLE bench_copy")
    finally:
        await conn.close()
    return len(rows) / elapsed


def _copy_schema(conn: sqlite3.Connection) -> list[str]:
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL"
    ).fetchall()
    statements = []
    for (sql,) in found:
        sql = re.sub(r"\bevents\b", "bench_copy", sql)
        sql = re.sub(r"\b(ix|uq)_events", r"\1_bench_copy", sql)
        statements.append(re.sub(r"(INDEX\s+)(\w+)", r"\1bench_\2", sql, count=1))
    return statements


def executemany_sqlite(path: Path, rows: list[tuple[Any, ...]]) -> float:
    """Insert ``rows`` with sqlite3 executemany in one transaction; return rows per second."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        for statement in _copy_schema(conn):
            conn.execute(statement)
        params = [
            (
                *row[:4],
                row[4].replace(tzinfo=None).isoformat(sep=" "),
                row[5].replace(tzinfo=None).isoformat(sep=" "),
                orjson.dumps(row[6]).decode(),
                0,
            )
            for row in rows
        ]
        marks = ", ".join("?" for _ in COLUMNS)
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO bench_copy ({', '.join(COLUMNS)}) VALUES ({marks})", params)  # noqa: S608
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    finally:
        conn.close()
    return len(rows) / elapsed
