"""``leadpulse decay run --now …`` against the real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from leadpulse.cli.decay import decay_app
from leadpulse.store.models import Lead

# Mounted the way cli/app.py mounts it: `leadpulse decay run`.
leadpulse = typer.Typer()
leadpulse.add_typer(decay_app, name="decay")


async def test_decay_run_applies_decay_as_of_the_given_day(
    db: Any, database_url: str, project_id: int, make_lead: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = await make_lead(
        db,
        project_id,
        score=100,
        base_score=100,
        stage="qualified",
        last_event_at=datetime(2026, 12, 21, 0, 0, tzinfo=UTC),
    )
    monkeypatch.setenv("LEADPULSE_DATABASE_URL", database_url)

    result = await asyncio.to_thread(
        CliRunner().invoke,
        decay_app,
        ["run", "--now", "2026-12-31", "--project-id", str(project_id)],
    )

    assert result.exit_code == 0, result.output
    assert "1 lead(s) decayed" in result.output
    async with db.sessions() as session:
        stored = await session.get(Lead, lead.id)
    assert stored is not None and stored.score == 86  # 10 idle days at midnight UTC
    assert stored.last_decay_on == datetime(2026, 12, 31, tzinfo=UTC).date()


def test_decay_run_refuses_a_bad_date() -> None:
    result = CliRunner().invoke(leadpulse, ["decay", "run", "--now", "31/12/2026"])
    assert result.exit_code == 2
    assert "--now" in result.output
