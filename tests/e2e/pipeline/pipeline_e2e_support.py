"""Process-level pipeline helpers: real ``leadpulse`` subprocesses on the test database.

Children get a throw-away working directory (no stray ``.env``), a log file, bounded waits,
and are always killed at teardown. Waiting for the worker means polling the database (or the
child's HTTP port) with a bounded loop, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

LEADPULSE = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "leadpulse"
JWT_SECRET = "e2e-secret-" + "x" * 40
WAIT_SECONDS = 60.0
EVENT_TYPES = (
    "page_view",
    "email_open",
    "form_submit",
    "pricing_page_visit",
    "download",
    "webinar_attendance",
    "demo_request",
    "unsubscribe",
    "custom_unknown_type",
)


def free_port() -> int:
    """Return a TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def worker_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a ``leadpulse worker`` child on ``database_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")}
    env.update(
        LEADPULSE_ENV="test",
        LEADPULSE_DATABASE_URL=database_url,
        LEADPULSE_JWT_SECRET=JWT_SECRET,
        LEADPULSE_LOG_JSON="false",
        LEADPULSE_WORKER_LEASE_SECONDS="5",
        LEADPULSE_WORKER_CLAIM_BATCH="5",
        LEADPULSE_WORKER_HEALTH_PORT="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Child:
    """A ``leadpulse`` subprocess with its log file."""

    def __init__(self, args: list[str], env: dict[str, str], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / f"{args[0]}-{uuid.uuid4().hex[:6]}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(LEADPULSE), *args],
                cwd=workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        """Everything the child printed so far."""
        return self.log.read_text(errors="replace")

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` if the child still runs."""
        if self.process.poll() is None:
            self.process.send_signal(sig)

    async def wait(self, timeout: float = WAIT_SECONDS) -> int:
        """Wait (bounded) for the child to exit; return its exit code."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail(f"child did not exit in {timeout}s:\n{self.output[-3000:]}")
            await asyncio.sleep(0.05)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the child (if alive) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


async def wait_for(
    check: Callable[[], Awaitable[Any]],
    *,
    timeout: float = WAIT_SECONDS,
    what: str = "condition",
    interval: float = 0.02,
) -> Any:
    """Poll ``check`` until it returns a truthy value (bounded); return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


def random_events(
    leads: int, per_lead: int, *, seed: int, visitors: str = "v"
) -> list[dict[str, Any]]:
    """SDK events for visitors ``{visitors}-0…``, random types, timestamps over the last day."""
    rng = random.Random(seed)
    now = time.time()
    events = []
    for lead in range(leads):
        for n in range(per_lead):
            stamp = now - rng.uniform(60, timedelta(days=1).total_seconds())
            events.append(
                {
                    "event": rng.choice(EVENT_TYPES),
                    "anonymousId": f"{visitors}-{lead}",
                    "eventId": f"{visitors}-{lead}-{seed}-{n}-{uuid.uuid4().hex[:8]}",
                    "timestamp": _iso(stamp),
                }
            )
    rng.shuffle(events)
    return events


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat()


async def assert_exactly_once(db: Any, project_id: int, *, expected_events: int) -> None:
    """Every event of the project scored once: score = fold, one rule row each, no jobs left."""
    from sqlalchemy import func, select

    from leadpulse.core.rules import default_rules, rule_index
    from leadpulse.core.scoring import EventFact, fold
    from leadpulse.store.models import Event, FailedJob, Lead, LeadJob, ScoreHistory

    rules = rule_index(default_rules())
    async with db.sessions() as session:
        leads = (await session.scalars(select(Lead).where(Lead.project_id == project_id))).all()
        events = (await session.execute(select(Event).where(Event.project_id == project_id))).all()
        history = (
            await session.execute(
                select(ScoreHistory.lead_id, ScoreHistory.event_id, ScoreHistory.delta).where(
                    ScoreHistory.project_id == project_id, ScoreHistory.cause == "rule"
                )
            )
        ).all()
        other = await session.scalar(
            select(func.count())
            .select_from(ScoreHistory)
            .where(ScoreHistory.project_id == project_id, ScoreHistory.cause != "rule")
        )
        jobs_left = await session.scalar(select(func.count()).select_from(LeadJob))
        failed = await session.scalar(select(func.count()).select_from(FailedJob))
    by_lead: dict[int, list[Any]] = {}
    for (event,) in events:
        by_lead.setdefault(event.lead_id, []).append(event)
    assert len(events) == expected_events
    assert all(event.processed for (event,) in events), "unprocessed events remain"
    assert (jobs_left, failed, other) == (0, 0, 0)
    pairs = [(lead_id, event_id) for lead_id, event_id, _ in history]
    assert len(pairs) == len(set(pairs)), "an event was scored twice"
    deltas: dict[int, int] = {}
    rows: dict[int, int] = {}
    for lead_id, _, delta in history:
        deltas[lead_id] = deltas.get(lead_id, 0) + delta
        rows[lead_id] = rows.get(lead_id, 0) + 1
    for lead in leads:
        mine = by_lead.get(lead.id, [])
        facts = [EventFact(e.event_id, e.event_type, e.timestamp) for e in mine]
        changes = fold(0, facts, rules)
        expected = changes[-1].new_score if changes else 0
        assert lead.score == expected, f"lead {lead.id}: {lead.score} != fold {expected}"
        assert rows.get(lead.id, 0) == len(mine), f"lead {lead.id}: history rows"
        assert deltas.get(lead.id, 0) == lead.score, f"lead {lead.id}: deltas"
