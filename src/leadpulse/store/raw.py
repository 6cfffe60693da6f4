"""Raw driver connections for the ingest hot path, beside the SQLAlchemy engine.

SQLAlchemy stays the way to talk to the database everywhere else; group commit
(``ingest.committer``) alone writes through these, because per row the ORM session and
Core's parameter processing cost more than the database itself (bench/README.md).

- PostgreSQL: one dedicated asyncpg connection opened from the engine's URL. The committer
  writes one group at a time, so a pool would only add its checkout and reset cost
  (``shared/research/perf-limits.md``: 60–120 µs per use); statements are prepared once by
  asyncpg's statement cache. A broken connection is closed and reopened on the next group.
- SQLite: one dedicated aiosqlite connection with the engine's pragmas (WAL,
  synchronous=NORMAL, busy_timeout, foreign keys) and ``BEGIN IMMEDIATE`` transactions, as
  ``store.db`` sets up for the engine's own connections.

Rows are built from the SQLAlchemy ``Table``: ``insert_sql`` lists the columns a row dict
names plus every column with a Python-side default (filled by ``complete``), which is what
Core's INSERT of the same dicts writes, so both paths store identical rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import cache, partial
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Table
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator, TypeEngine

from leadpulse.store.db import SQLITE_BUSY_TIMEOUT_MS
from leadpulse.store.writelock import WriteTurns

Row = Mapping[str, Any]


class Disconnected(Exception):
    """The raw connection broke mid-transaction (nothing was committed by it); the next
    transaction opens a new one, so the caller may retry."""


def _base_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    return column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type


def _constant(value: Any) -> Any:
    return value


@cache
def _defaults(table: Table) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """(column, value factory) for every column with a Python-side default."""
    found: list[tuple[str, Callable[[], Any]]] = []
    for column in table.c:
        default = column.default
        if default is None or column.primary_key:
            continue
        if default.is_callable:
            found.append((column.name, partial(default.arg, None)))  # type: ignore[attr-defined]
        elif default.is_scalar:
            found.append((column.name, partial(_constant, default.arg)))  # type: ignore[attr-defined]
    return tuple(found)


def columns_for(table: Table, row: Row) -> tuple[str, ...]:
    """The columns an INSERT of ``row`` writes: its keys, then the defaulted columns."""
    extra = tuple(name for name, _ in _defaults(table) if name not in row)
    return (*row.keys(), *extra)


def complete(table: Table, row: Row) -> dict[str, Any]:
    """Return ``row`` with the Python-side defaults of the columns it leaves out."""
    full = dict(row)
    for name, factory in _defaults(table):
        if name not in full:
            full[name] = factory()
    return full


def _pg_array_type(column_type: TypeEngine[Any]) -> str:
    base = _base_type(column_type)
    if isinstance(base, JSON):
        return "text"  # sent as JSON text, cast to jsonb in the SELECT list
    if isinstance(base, Boolean):
        return "bool"
    if isinstance(base, Integer):
        return "bigint"
    if isinstance(base, Float):
        return "float8"
    if isinstance(base, DateTime):
        return "timestamptz"
    if isinstance(base, Date):
        return "date"
    return "text"


@cache
def pg_unnest_insert(table: Table, columns: tuple[str, ...], tail: str) -> str:
    """``INSERT INTO t (cols) SELECT … FROM unnest($1::type[], …) … <tail>`` (one array per
    column, in ``columns`` order)."""
    arrays, select = [], []
    for index, name in enumerate(columns, start=1):
        column_type = table.c[name].type
        arrays.append(f"${index}::{_pg_array_type(column_type)}[]")
        is_json = isinstance(_base_type(column_type), JSON)
        select.append(f"u.c{index}::jsonb" if is_json else f"u.c{index}")
    names = ", ".join(columns)
    aliases = ", ".join(f"c{i}" for i in range(1, len(columns) + 1))
    return (
        f"INSERT INTO {table.name} ({names}) SELECT {', '.join(select)} "  # noqa: S608
        f"FROM unnest({', '.join(arrays)}) AS u({aliases}) {tail}"
    )


@cache
def sqlite_insert(table: Table, columns: tuple[str, ...], tail: str) -> str:
    """``INSERT INTO t (cols) VALUES (?, …) <tail>`` for ``executemany``."""
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) {tail}"  # noqa: S608


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def pg_arrays(table: Table, columns: Sequence[str], rows: Sequence[Row]) -> list[list[Any]]:
    """Column arrays for ``pg_unnest_insert`` (JSON columns as text)."""
    out: list[list[Any]] = []
    for name in columns:
        values = [row[name] for row in rows]
        if isinstance(_base_type(table.c[name].type), JSON):
            values = [_json(v) for v in values]
        out.append(values)
    return out


def sqlite_value(value: Any) -> Any:
    """Encode a value as SQLAlchemy's SQLite dialect stores it (naive UTC datetimes with
    microseconds, ISO dates, 0/1 booleans)."""
    if isinstance(value, datetime):
        return sqlite_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def sqlite_datetime(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text of an aware datetime (stored as naive UTC)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _sqlite_encoder(column_type: TypeEngine[Any]) -> Callable[[Any], Any]:
    base = _base_type(column_type)
    if isinstance(base, JSON):
        return _json
    if isinstance(base, DateTime):
        memo: dict[datetime, str] = {}  # a group shares received_at / now: encode once

        def encode(value: datetime | None) -> str | None:
            if value is None:
                return None
            found = memo.get(value)
            if found is None:
                found = memo[value] = sqlite_datetime(value)
            return found

        return encode
    if isinstance(base, Boolean | Date):
        return sqlite_value
    return _constant  # ints, text, None: as they are


def sqlite_params(
    table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    """Parameter tuples for ``sqlite_insert`` (JSON columns as text)."""
    encoders = [(name, _sqlite_encoder(table.c[name].type)) for name in columns]
    plain = [name for name, encode in encoders if encode is _constant]
    coded = [(name, encode) for name, encode in encoders if encode is not _constant]
    order = [*plain, *(name for name, _ in coded)]
    index = [order.index(name) for name in columns]
    return [_sqlite_row(row, plain, coded, index) for row in rows]


def _sqlite_row(
    row: Row,
    plain: Sequence[str],
    coded: Sequence[tuple[str, Callable[[Any], Any]]],
    index: Sequence[int],
) -> tuple[Any, ...]:
    """One row's parameters: plain values as they are, the others encoded, in column order."""
    values = [row[name] for name in plain]
    values += [encode(row[name]) for name, encode in coded]
    return tuple(values[i] for i in index)


class RawPostgres:
    """One dedicated asyncpg connection, one transaction at a time."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._conn: Any | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> Any:
        import asyncpg  # type: ignore[import-untyped]

        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._dsn, server_settings={"application_name": "leadpulse-ingest"}
            )
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """Yield the connection inside a transaction, committed on success."""
        async with self._lock:
            conn = await self._connection()
            try:
                async with conn.transaction():
                    yield conn
            except Exception as exc:
                if isinstance(exc, OSError) or conn.is_closed():
                    await self._drop()
                    raise Disconnected(str(exc)) from exc
                raise

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def close(self) -> None:
        """Close the connection."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None and not conn.is_closed():
                await conn.close()


class RawSqlite:
    """One dedicated aiosqlite connection; every transaction is ``BEGIN IMMEDIATE``."""

    dialect = "sqlite"

    def __init__(self, path: str, *, write_turns: WriteTurns | None = None) -> None:
        self._path = path
        self._conn: Any | None = None
        # shared with the engine's write transactions (Database.write_turns); ingest is urgent
        self._turns = write_turns or WriteTurns()

    async def _connection(self) -> Any:
        import aiosqlite

        if self._conn is None:
            conn = await aiosqlite.connect(self._path, isolation_level=None)
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                "foreign_keys=ON",
            ):
                await conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """Yield the connection inside ``BEGIN IMMEDIATE``; COMMIT on success, else ROLLBACK."""
        async with self._turns.hold(urgent=True):
            conn = await self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already
                    await conn.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        """Close the connection."""
        async with self._turns.hold(urgent=True):
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()


RawDatabase = RawPostgres | RawSqlite


def raw_for(url: str, *, write_turns: WriteTurns | None = None) -> RawDatabase | None:
    """Return the raw writer for an engine URL; None for in-memory SQLite (a second
    connection would open another, empty database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return RawPostgres(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return RawSqlite(parsed.database, write_turns=write_turns)
    return None
