"""``leadpulse doctor``: a table of checks; exit 1 only when one found a problem."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpulse.cli.app import app
from leadpulse.config import Settings
from leadpulse.container import Container
from leadpulse.store.db import Database
from leadpulse.store.migrate import upgrade
from leadpulse.worker.loop import Worker


async def doctor(*args: str, **env: str) -> Any:
    environment = {"COLUMNS": "200", "NO_COLOR": "1", **env}
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, app, ["doctor", *args], env=environment)


def status_of(output: str, check: str) -> str:
    match = re.search(rf"│ {check}\s+│ ([a-z ]+?)\s+│", output)
    assert match, output
    return match.group(1)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture(autouse=True)
def _clean_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.fixture
def embedded(tmp_path: Path, sqlite_template: Path) -> Path:
    """A data dir whose embedded database is migrated to head."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "leadpulse.db")
    return data


async def test_healthy_embedded_setup_passes_with_optional_parts_not_configured(
    embedded: Path,
) -> None:
    result = await doctor("--data-dir", str(embedded))

    assert result.exit_code == 0, result.output
    assert status_of(result.output, "database") == "ok"
    assert status_of(result.output, "migrations") == "ok"
    assert status_of(result.output, "redis") == "not configured"
    assert status_of(result.output, "mail") == "not configured"
    assert status_of(result.output, "worker") == "warning"  # none runs: worth a look only
    assert status_of(result.output, "webhooks") == "ok"
    assert "problem" not in result.output


async def test_migrations_behind_head_fail(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = Database(f"sqlite+aiosqlite:///{data / 'leadpulse.db'}", pool_size=1)
    try:
        await upgrade(db, "0002_outbox")
    finally:
        await db.dispose()

    result = await doctor("--data-dir", str(data))

    assert result.exit_code == 1, result.output
    assert status_of(result.output, "migrations") == "problem"
    assert "behind head" in result.output and "leadpulse db upgrade" in result.output


async def test_unreachable_redis_fails(embedded: Path) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"

    result = await doctor("--data-dir", str(embedded), LEADPULSE_REDIS_URL=url)

    assert result.exit_code == 1, result.output
    assert status_of(result.output, "redis") == "problem"
    assert status_of(result.output, "database") == "ok"


@pytest.mark.postgres
async def test_production_stack_with_redis_smtp_and_a_worker_passes(
    pg_database_url: str, redis_url: str, smtp_sink: Any
) -> None:
    database_url = pg_database_url
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    db = Database(database_url, pool_size=1)
    try:
        await Worker(Container(settings=settings, db=db)).beat()
    finally:
        await db.dispose()

    result = await doctor(
        "--require-worker",
        LEADPULSE_DATABASE_URL=database_url,
        LEADPULSE_REDIS_URL=redis_url,
        LEADPULSE_SMTP_HOST="127.0.0.1",
        LEADPULSE_SMTP_PORT=str(smtp_sink.port),
    )

    assert result.exit_code == 0, result.output
    for check in ("database", "migrations", "worker", "redis", "mail", "webhooks"):
        assert status_of(result.output, check) == "ok", check
    assert smtp_sink.messages == []  # a session, never a message


async def test_missing_worker_fails_when_required(embedded: Path) -> None:
    result = await doctor("--data-dir", str(embedded), "--require-worker")

    assert result.exit_code == 1, result.output
    assert status_of(result.output, "worker") == "problem"


async def test_unreachable_smtp_fails(embedded: Path) -> None:
    port = str(closed_port())

    result = await doctor(
        "--data-dir", str(embedded), LEADPULSE_SMTP_HOST="127.0.0.1", LEADPULSE_SMTP_PORT=port
    )

    assert result.exit_code == 1, result.output
    assert status_of(result.output, "mail") == "problem"


async def test_refused_configuration_is_a_problem_row(embedded: Path) -> None:
    result = await doctor("--data-dir", str(embedded), LEADPULSE_ENV="production")

    assert result.exit_code == 1, result.output
    assert status_of(result.output, "configuration") == "problem"
    assert "LEADPULSE_JWT_SECRET" in result.output
