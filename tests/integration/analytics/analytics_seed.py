"""A known data set for analytics tests, written straight into the database (no API).

Project A (relative to ``now``), with every figure computed by hand in the tests:

- leads: Ada 120 qualified · Bob 75 hot · Cy 40 warm · Di 36 warm · Ed 10 cold · Flo 5 cold ·
  Gus 500 qualified but merged into Ada (counted only as an identity resolution);
- events: page_view −1 h (+1500 ms to score) · page_view −2 h (+2500 ms) · signup −30 min
  (unscored) · demo_request at 23:59:59 the previous UTC day (+1000 ms) · page_view −2 days
  (+99 999 ms, outside every window);
- score history: −50 min, −40 min, −25 min, −2 days;
- lead jobs: pending (enqueued −300 s) · pending retry, 2 attempts (−120 s) · running with a
  live lease · running with an expired lease; dead letters: 2 open + 1 replayed;
- automation executions: succeeded −2 h, failed −1 h.

Project B gets larger numbers everywhere; none of them may leak into A's figures. Worker
heartbeats are global: seen −10 s, −31 s and now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from factories import make_event, make_history, make_lead
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.store.db import Database
from leadpulse.store.models import (
    Automation,
    AutomationExecution,
    Event,
    FailedJob,
    Lead,
    LeadJob,
    ScoreHistory,
    WorkerHeartbeat,
)

S = timedelta(seconds=1)
MS = timedelta(milliseconds=1)
H = timedelta(hours=1)


@dataclass
class Seeded:
    """Ids of the seeded rows of project A."""

    leads: dict[str, int] = field(default_factory=dict)
    history: dict[str, int] = field(default_factory=dict)
    executions: dict[str, int] = field(default_factory=dict)
    automation_id: int = 0


async def _lead(db: Database, project_id: int, name: str, score: int, stage: str) -> int:
    lead = await make_lead(
        db,
        project_id,
        anonymous_id=f"anon-{name.lower()}-{project_id}",
        email=f"{name.lower()}@example.com",
        name=name,
        score=score,
        base_score=score,
        stage=stage,
    )
    return lead.id


async def _event(
    db: Database, project_id: int, lead_id: int, key: str, kind: str, received: datetime, **kw: Any
) -> Event:
    latency = kw.pop("latency", None)
    return await make_event(
        db,
        project_id,
        lead_id,
        event_id=key,
        event_type=kind,
        timestamp=received,
        received_at=received,
        processed=latency is not None,
        processed_at=None if latency is None else received + latency,
    )


async def _history(
    db: Database, project_id: int, lead_id: int, at: datetime, old: int, new: int
) -> ScoreHistory:
    return await make_history(
        db,
        project_id,
        lead_id,
        event_type="page_view",
        event_id=f"hist-{at.isoformat()}",
        old_score=old,
        new_score=new,
        delta=new - old,
        points=new - old,
        created_at=at,
    )


async def _merge(db: Database, lead_id: int, into: int) -> None:
    async with db.transaction() as session:
        await session.execute(update(Lead).where(Lead.id == lead_id).values(merged_into_id=into))


async def _add_job(session: AsyncSession, **values: Any) -> None:
    # Core insert of named columns only: independent of job columns these tests don't use.
    await session.execute(LeadJob.__table__.insert().values(**values))


PEOPLE = [
    ("Ada", 120, "qualified"),
    ("Bob", 75, "hot"),
    ("Cy", 40, "warm"),
    ("Di", 36, "warm"),
    ("Ed", 10, "cold"),
    ("Flo", 5, "cold"),
    ("Gus", 500, "qualified"),  # merged into Ada below
]


async def _leads_and_events(db: Database, p: int, now: datetime, out: Seeded) -> None:
    for name, score, stage in PEOPLE:
        out.leads[name] = await _lead(db, p, name, score, stage)
    ada = out.leads["Ada"]
    await _merge(db, out.leads["Gus"], into=ada)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    await _event(db, p, ada, "a1", "page_view", now - H, latency=1500 * MS)
    await _event(db, p, ada, "a2", "page_view", now - 2 * H, latency=2500 * MS)
    await _event(db, p, ada, "a3", "signup", now - H / 2)
    await _event(db, p, ada, "a4", "demo_request", day_start - S, latency=1000 * MS)
    await _event(db, p, ada, "a5", "page_view", now - 48 * H, latency=99_999 * MS)
    for key, minutes in (("h1", 50), ("h2", 40), ("h3", 25), ("h4", 48 * 60)):
        row = await _history(db, p, ada, now - timedelta(minutes=minutes), 0, 5)
        out.history[key] = row.id


async def _queue(session: AsyncSession, p: int, now: datetime, out: Seeded) -> None:
    leads = out.leads
    await _add_job(session, project_id=p, lead_id=leads["Ada"], enqueued_at=now - 300 * S)
    await _add_job(
        session, project_id=p, lead_id=leads["Bob"], attempts=2, enqueued_at=now - 120 * S
    )
    for name, lease in (("Cy", now + 30 * S), ("Di", now - 5 * S)):
        await _add_job(
            session,
            project_id=p,
            lead_id=leads[name],
            status="running",
            enqueued_at=now - 1000 * S,
            locked_until=lease,
        )
    for replayed in (None, None, now - H):
        session.add(
            FailedJob(
                project_id=p,
                lead_id=leads["Ed"],
                attempts=5,
                error="boom",
                traceback="Traceback…",
                failed_at=now - 3 * H,
                replayed_at=replayed,
            )
        )
    for worker, seen in (("w1", 10 * S), ("w2", 31 * S), ("w3", 0 * S)):
        session.add(
            WorkerHeartbeat(
                worker_id=worker,
                hostname="host",
                pid=1,
                started_at=now - H,
                last_seen_at=now - seen,
            )
        )


async def _automations(session: AsyncSession, p: int, now: datetime, out: Seeded) -> None:
    automation = Automation(project_id=p, name="Notify sales", action="webhook", config={})
    session.add(automation)
    await session.flush()
    out.automation_id = automation.id
    for key, lead, ago, status, attempts, code, error in (
        ("x1", "Bob", 2 * H, "succeeded", 1, 200, None),
        ("x2", "Ada", H, "failed", 3, 500, "HTTP 500"),
    ):
        run = AutomationExecution(
            project_id=p,
            automation_id=automation.id,
            lead_id=out.leads[lead],
            day=(now - ago).date(),
            status=status,
            attempts=attempts,
            response_code=code,
            error=error,
            created_at=now - ago,
            finished_at=now - ago + S,
        )
        session.add(run)
        await session.flush()
        out.executions[key] = run.id


async def seed_project_a(db: Database, project_id: int, now: datetime) -> Seeded:
    """Write project A's data set; return the ids tests refer to."""
    out = Seeded()
    await _leads_and_events(db, project_id, now, out)
    async with db.transaction() as session:
        await _queue(session, project_id, now, out)
        await _automations(session, project_id, now, out)
    return out


async def seed_project_b(db: Database, project_id: int, now: datetime) -> None:
    """Write another project's data, bigger everywhere, that A must never count."""
    lead = await _lead(db, project_id, "Zed", 999, "qualified")
    await _merge(db, await _lead(db, project_id, "Yan", 3, "cold"), into=lead)
    for i in range(1, 11):
        at = now - i * S
        await _event(db, project_id, lead, f"b{i}", "pricing_page_visit", at, latency=9 * S)
    for i in range(1, 4):
        await _history(db, project_id, lead, now - i * S, 0, 999)
    async with db.transaction() as session:
        await _add_job(
            session, project_id=project_id, lead_id=lead, attempts=1, enqueued_at=now - 9999 * S
        )
        session.add(
            FailedJob(project_id=project_id, lead_id=lead, attempts=5, error="x", traceback="x")
        )
        automation = Automation(project_id=project_id, name="B rule", action="log", config={})
        session.add(automation)
        await session.flush()
        session.add(
            AutomationExecution(
                project_id=project_id,
                automation_id=automation.id,
                lead_id=lead,
                day=now.date(),
                status="succeeded",
                created_at=now,
            )
        )
