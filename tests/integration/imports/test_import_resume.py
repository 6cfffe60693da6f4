"""An import whose worker died mid-file is resumed from its last committed offset by the
next worker once the lease has expired: every row is read and counted once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from leadpulse.imports import runner, service
from leadpulse.store.models import Event, ImportJob
from leadpulse.store.types import utcnow

ROWS = 9


class Crash(Exception):
    """The worker process dying right after a batch was committed."""


def _csv() -> bytes:
    lines = [b"event,timestamp,anonymous_id"]
    lines += [f"page_view,2024-03-0{i}T00:00:00Z,visitor-{i}".encode() for i in range(1, ROWS + 1)]
    return b"\n".join(lines) + b"\n"


async def test_a_job_whose_lease_expired_resumes_without_double_counting(
    signup: Any, upload: Any, container: Any, db: Any, run_imports: Any
) -> None:
    container.settings.import_batch_rows = 2
    account = await signup()
    job_id = (await upload(account, _csv())).json()["id"]
    async with db.transaction() as session:
        job = await service.claim_next(
            session, worker_id="dying-worker", now=utcnow(), lease=timedelta(seconds=60)
        )
    assert job is not None and job.id == job_id
    batches: list[int] = []

    def die_after_two_batches(progress: runner.Progress) -> None:
        batches.append(progress.read)
        if len(batches) == 2:
            raise Crash

    with pytest.raises(Crash):
        await runner.run_job(
            container, job, worker_id="dying-worker", on_progress=die_after_two_batches
        )
    assert await run_imports() == 0  # the lease still holds: nobody takes the job over

    async with db.transaction() as session:  # time passes: the lease expires
        await session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert await run_imports() == 1

    async with db.sessions() as session:
        done = await session.get(ImportJob, job_id)
        events = await session.scalar(
            select(func.count()).select_from(Event).where(Event.project_id == account.project_id)
        )
    assert done is not None
    assert (done.status, done.attempts) == ("finished", 2)
    assert (done.rows_read, done.rows_stored, done.rows_duplicate) == (ROWS, ROWS, 0)
    assert events == ROWS


async def test_a_stopping_worker_gives_the_job_back_and_the_next_one_finishes_it(
    signup: Any, upload: Any, container: Any, db: Any, run_imports: Any
) -> None:
    container.settings.import_batch_rows = 4
    account = await signup()
    job_id = (await upload(account, _csv())).json()["id"]
    assert await runner.drain(container, should_stop=iter([False, True, True]).__next__) == 1
    async with db.sessions() as session:
        paused = await session.get(ImportJob, job_id)
    assert paused is not None
    assert (paused.status, paused.rows_read, paused.locked_by) == ("queued", 4, None)

    assert await run_imports() == 1
    async with db.sessions() as session:
        done = await session.get(ImportJob, job_id, populate_existing=True)
    assert done is not None and (done.status, done.rows_read, done.rows_stored) == (
        "finished",
        ROWS,
        ROWS,
    )
