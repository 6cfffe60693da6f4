"""Engine and transactions for SQLite (embedded) and PostgreSQL (production).

SQLite runs in WAL mode and every transaction starts with ``BEGIN IMMEDIATE``: pysqlite's
default deferred transactions let two writers read the same row and silently lose one
update; taking the write lock up front serialises writers instead (``busy_timeout`` makes
them wait rather than fail).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_engine

from leadpulse.store.writelock import WriteTurns

if TYPE_CHECKING:
    from leadpulse.store.raw import RawDatabase

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create an async engine for ``url`` with the per-backend settings applied."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = _create_engine(url, echo=echo, pool_size=pool_size, max_overflow=0)
        _prepare_sqlite(engine)
        return engine
    return _create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "leadpulse"}},
    )


class Database:
    """An engine plus its session factory; the unit of work is one transaction."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: write transactions of this process take turns here first (store.writelock)
        self.write_turns: WriteTurns | None = None if self.is_postgres else WriteTurns()
        from leadpulse.store.raw import raw_for  # raw.py imports this module

        # The ingest hot path's own connection (store.raw); opened on first use.
        self.raw: RawDatabase | None = raw_for(url, write_turns=self.write_turns)

    @property
    def dialect(self) -> str:
        """Return the backend name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def is_postgres(self) -> bool:
        """Tell whether this is PostgreSQL."""
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Open a session inside one transaction, committed on success."""
        turn = self.write_turns.hold(urgent=False) if self.write_turns else nullcontext()
        async with turn, self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Run a trivial query; raise if the database is unreachable."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        """Close every pooled connection (and the raw ingest connection)."""
        if self.raw is not None:
            await self.raw.close()
        await self.engine.dispose()
