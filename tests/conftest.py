"""Shared fixtures: a fresh database per test on SQLite and (when reachable) PostgreSQL.

Databases are real. PostgreSQL and Redis tests skip locally when the server is unreachable
(with a loud summary line) and FAIL under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from leadpulse.store.db import Database
from leadpulse.store.migrate import upgrade
from leadpulse.store.models import Base

PG_URL = os.environ.get(
    "LEADPULSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LEADPULSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_unavailable: dict[str, str] = {}


def _service_missing(name: str, reason: str) -> None:
    _unavailable[name] = reason
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true but unreachable: {reason}", pytrace=False)
    pytest.skip(f"{name} unreachable: {reason}")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Use cheap argon2id parameters in-process: sign-ups dominate test time otherwise.

    Production parameters stay covered by the subprocess (e2e) tests and unit tests of
    ``leadpulse.auth.security``.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from leadpulse.auth import security

    real = security._hasher
    security._hasher = PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),))
    yield
    security._hasher = real


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, reason in _unavailable.items():
        terminalreporter.write_sep(
            "!", f"{name.upper()} TESTS SKIPPED — server unreachable ({reason})", red=True
        )


def _swap_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _create_pg_database(name: str) -> None:
    admin = Database(PG_URL, pool_size=1)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await admin.dispose()
    db = Database(_swap_db(PG_URL, name), pool_size=1)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


async def _drop_pg_database(name: str) -> None:
    admin = Database(PG_URL, pool_size=1)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A migrated PostgreSQL database for this test session."""
    name = f"lp_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_create_pg_database(name))
    except Exception as exc:  # unreachable server: skip or fail (CI)
        _service_missing("postgresql", repr(exc)[:200])
    yield _swap_db(PG_URL, name)
    asyncio.run(_drop_pg_database(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"

    async def make() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}", pool_size=1)
        try:
            await upgrade(db)  # closing the last connection checkpoints the WAL
        finally:
            await db.dispose()

    asyncio.run(make())
    return path


async def _truncate(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: SQLite and PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "leadpulse.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_database_url")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A Database on a fresh schema (PostgreSQL tables are truncated before each test)."""
    database = Database(database_url, pool_size=5)
    if database.is_postgres:
        await _truncate(database)
    yield database
    await database.dispose()


@pytest.fixture
def redis_url() -> str:
    """The URL of a reachable Redis (db 15, flushed), or skip/fail."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        _service_missing("redis", repr(exc)[:200])
    finally:
        client.close()
    return REDIS_URL


# --- the API, in-process over ASGI -------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Any:
    """Settings for a test process: the test database, a fixed secret, no rate limits."""
    from leadpulse.config import Settings

    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        jwt_secret="test-secret-" + "x" * 40,
        log_json=False,
        rate_limit_enabled=False,
        webhooks_allow_private=True,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def container(settings: Any, db: Database) -> AsyncIterator[Any]:
    """The process container around the test database."""
    from leadpulse.bootstrap import build_container

    c = build_container(settings)
    await c.db.dispose()
    c.db = db
    yield c


@pytest.fixture
async def app(container: Any) -> AsyncIterator[Any]:
    """The FastAPI app with its lifespan running."""
    from leadpulse.api.app import create_app

    application = create_app(container, auto_migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    """An httpx client talking to the app in-process."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class Account:
    """A registered user with a project: token, ids, keys and auth headers."""

    def __init__(self, body: dict[str, Any], publishable_key: str) -> None:
        self.token: str = body["token"]
        self.user_id: int = body["user"]["id"]
        self.project_id: int = body["project"]["id"]
        self.email: str = body["user"]["email"]
        self.publishable_key = publishable_key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def signup(client: Any) -> Any:
    """Register a fresh account; keyword arguments override the defaults."""

    async def _signup(**overrides: Any) -> Account:
        body = {
            "email": f"user-{uuid.uuid4().hex[:12]}@example.com",
            "password": "correct horse battery",
            "name": "Test User",
            **overrides,
        }
        response = await client.post("/api/auth/register", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        project = await client.get(
            "/api/auth/project", headers={"Authorization": f"Bearer {data['token']}"}
        )
        return Account(data, project.json()["publishableKey"])

    return _signup
