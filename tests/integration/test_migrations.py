"""Migrations bring an EMPTY SQLite or PostgreSQL database to exactly the models' schema."""

from __future__ import annotations

import asyncio
import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from leadpulse.store import migrate
from leadpulse.store.db import Database
from leadpulse.store.models import Base

PG_URL = os.environ.get(
    "LEADPULSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; the PostgreSQL-only ones are skipped there.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        diff: list[Any] = compare_metadata(context, Base.metadata)
    return diff


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _pg_admin(sql: str) -> None:
    admin = Database(PG_URL, pool_size=1)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(sql)
    finally:
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a brand-new database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("pg_database_url")  # skips (or fails under CI) without a server
    name = f"lp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def empty_db(empty_url: str) -> AsyncIterator[Database]:
    """A Database on the empty database."""
    database = Database(empty_url, pool_size=1)
    yield database
    await database.dispose()


async def test_upgrading_an_empty_database_yields_exactly_the_models_schema(
    empty_db: Database,
) -> None:
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set()
    await migrate.upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        assert await conn.run_sync(_tables) == set(Base.metadata.tables)


async def test_the_database_is_at_the_newest_revision_after_upgrade(empty_db: Database) -> None:
    assert await migrate.current_revision(empty_db) is None
    await migrate.upgrade(empty_db)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head is not None
    assert await migrate.current_revision(empty_db) == head


async def test_upgrading_twice_is_harmless(empty_db: Database) -> None:
    await migrate.upgrade(empty_db)
    await migrate.upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_downgrade_to_base_then_upgrade_again(empty_db: Database) -> None:
    await migrate.upgrade(empty_db)
    async with empty_db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(migrate.alembic_config(sync), "base"))
    assert await migrate.current_revision(empty_db) is None
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set()
    await migrate.upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_rebuilding_leads_keeps_every_row_and_ids_are_never_reused(
    empty_db: Database,
) -> None:
    """0004 rebuilds ``leads`` on SQLite: referencing rows survive, and erased ids stay used."""
    await migrate.upgrade(empty_db, "0003_auth_hardening")
    now = "2026-12-01 00:00:00"
    async with empty_db.engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO users (id, email, name, email_verified, token_version, created_at)"
            f" VALUES (1, 'u@example.com', 'U', false, 0, '{now}')"
        )
        await conn.exec_driver_sql(
            "INSERT INTO projects (id, owner_id, name, active, decay_enabled, decay_grace_days,"
            f" decay_daily_rate, created_at) VALUES (1, 1, 'p', true, true, 7, 0.05, '{now}')"
        )
        for _ in (1, 2):  # ids 1 and 2, from the database as in production
            await conn.exec_driver_sql(
                "INSERT INTO leads (project_id, traits, score, base_score, stage,"
                " events_last_24h, velocity_score, event_count, created_at, updated_at)"
                f" VALUES (1, '{{}}', 5, 5, 'cold', 0, 0, 1, '{now}', '{now}')"
            )
        await conn.exec_driver_sql(
            "INSERT INTO events (project_id, lead_id, event_id, event_type, timestamp,"
            f" received_at, properties, processed) VALUES (1, 2, 'e1', 'x', '{now}', '{now}',"
            " '{}', true)"
        )
    await migrate.upgrade(empty_db)
    async with empty_db.engine.begin() as conn:
        events = (await conn.exec_driver_sql("SELECT lead_id FROM events")).all()
        assert [tuple(row) for row in events] == [(2,)]
        await conn.exec_driver_sql("DELETE FROM events")
        await conn.exec_driver_sql("DELETE FROM leads WHERE id = 2")
        await conn.exec_driver_sql(
            "INSERT INTO leads (project_id, traits, score, base_score, stage, events_last_24h,"
            " velocity_score, event_count, created_at, updated_at)"
            f" VALUES (1, '{{}}', 0, 0, 'cold', 0, 0, 0, '{now}', '{now}')"
        )
        ids = (await conn.exec_driver_sql("SELECT id FROM leads ORDER BY id")).all()
    assert [row[0] for row in ids] == [1, 3]
