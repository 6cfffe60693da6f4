"""``leadpulse demo``: a project of synthetic leads scored through ingest → lead_jobs → worker."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from leadpulse.cli.app import app
from leadpulse.store.models import Event, Lead, LeadJob, Project, ScoreHistory, User


async def invoke(*args: str) -> Any:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def scalar(db: Any, query: Any) -> Any:
    async with db.sessions() as session:
        return await session.scalar(query)


async def test_demo_scores_leads_whose_history_adds_up_with_a_spread_of_stages(
    db: Any, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPULSE_DATABASE_URL", database_url)
    monkeypatch.setenv("LEADPULSE_LOG_LEVEL", "WARNING")

    result = await invoke("demo", "--leads", "50", "--seed", "3", "--data-dir", str(tmp_path))

    assert result.exit_code == 0, result.output
    password = re.search(r"Sign in as demo@example.com with the password (\S+)", result.output)
    assert password, result.output
    user_id = await scalar(db, select(User.id).where(User.email == "demo@example.com"))
    project_id = await scalar(db, select(Project.id).where(Project.owner_id == user_id))
    async with db.sessions() as session:
        leads = (await session.scalars(select(Lead).where(Lead.project_id == project_id))).all()
        sums = dict(
            (
                await session.execute(
                    select(ScoreHistory.lead_id, func.sum(ScoreHistory.delta))
                    .where(ScoreHistory.project_id == project_id)
                    .group_by(ScoreHistory.lead_id)
                )
            ).all()
        )
    assert len(leads) == 50
    assert all(sums.get(lead.id, 0) == lead.score for lead in leads)
    assert sum(lead.score > 0 for lead in leads) >= 40
    stages = {lead.stage for lead in leads}
    assert len(stages) >= 3, stages
    assert await scalar(db, select(func.count()).select_from(LeadJob)) == 0
    unprocessed = select(func.count()).where(Event.project_id == project_id, ~Event.processed)
    assert await scalar(db, unprocessed) == 0
    assert await scalar(db, select(func.count()).where(Event.project_id == project_id)) > 50


async def test_demo_for_an_existing_account_adds_a_project_and_prints_no_password(
    db: Any, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPULSE_DATABASE_URL", database_url)
    monkeypatch.setenv("LEADPULSE_LOG_LEVEL", "WARNING")
    args = ("demo", "--leads", "5", "--email", "Owner@Example.com", "--data-dir", str(tmp_path))
    first = await invoke(*args)
    assert first.exit_code == 0, first.output

    second = await invoke(*args)

    assert second.exit_code == 0, second.output
    assert "password" not in second.output
    assert "Added to the account owner@example.com" in second.output
    owner = select(User.id).where(User.email == "owner@example.com").scalar_subquery()
    projects = select(func.count()).where(Project.owner_id == owner)
    assert await scalar(db, projects) == 2
