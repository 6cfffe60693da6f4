"""The decay job on real databases: one correct step per day, whatever was missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update

from leadpulse.core.decay import decayed_score
from leadpulse.leads.decay import run_decay
from leadpulse.leads.hooks import DECAY_LOCK_KEY, decay_once
from leadpulse.store.models import Lead, ScoreHistory, StageThreshold

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


def days_ago(days: float, *, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


async def _idle_lead(db: Any, project_id: int, make_lead: Any, **kw: Any) -> Lead:
    values = {"score": 100, "base_score": 100, "stage": "qualified", "last_event_at": days_ago(10)}
    values.update(kw)
    lead: Lead = await make_lead(db, project_id, **values)
    return lead


async def _state(db: Any, lead_id: int) -> tuple[Lead, list[ScoreHistory]]:
    async with db.sessions() as session:
        lead = await session.get(Lead, lead_id)
        rows = list(
            await session.scalars(
                select(ScoreHistory)
                .where(ScoreHistory.lead_id == lead_id)
                .order_by(ScoreHistory.id)
            )
        )
    assert lead is not None
    return lead, rows


async def test_ten_idle_days_decay_by_three_days_at_five_percent(
    db: Any, project_id: int, make_lead: Any
) -> None:
    lead = await _idle_lead(db, project_id, make_lead)

    report = await run_decay(db, now=NOW)

    stored, rows = await _state(db, lead.id)
    assert stored.score == 86  # round_half_up(100 * 0.95**3 = 85.7375)
    assert stored.stage == "hot"
    assert stored.base_score == 100
    assert stored.last_decay_on == NOW.date()
    assert [(r.cause, r.old_score, r.new_score, r.delta) for r in rows] == [("decay", 100, 86, -14)]
    assert rows[0].detail is not None and rows[0].detail["days"] == 3
    assert rows[0].detail["rate"] == 0.05
    assert (report.candidates, report.scanned, report.decayed) == (1, 1, 1)


async def test_decay_is_not_applied_twice_the_same_day(
    db: Any, project_id: int, make_lead: Any
) -> None:
    lead = await _idle_lead(db, project_id, make_lead)
    await run_decay(db, now=NOW)

    report = await run_decay(db, now=NOW + timedelta(hours=11))

    stored, rows = await _state(db, lead.id)
    assert stored.score == 86
    assert len(rows) == 1
    assert report.decayed == 0


async def test_catch_up_after_a_missed_week_is_one_correct_step(
    db: Any, make_project: Any, make_lead: Any
) -> None:
    daily_project, down_project = await make_project(db), await make_project(db)
    daily = await _idle_lead(db, daily_project, make_lead)
    missed = await _idle_lead(db, down_project, make_lead)
    await run_decay(db, now=NOW)  # both decayed on idle day 10
    for day in range(1, 7):  # then daily runs for the first project only
        await run_decay(db, now=NOW + timedelta(days=day), project_id=daily_project)

    await run_decay(db, now=NOW + timedelta(days=7))  # the second catches up a missed week

    expected = decayed_score(100, 10, 0.05)  # 17 idle days: 10 decay days from base 100
    assert expected == 60
    daily_state, daily_rows = await _state(db, daily.id)
    missed_state, missed_rows = await _state(db, missed.id)
    assert daily_state.score == missed_state.score == expected
    assert len(daily_rows) == 8
    assert [(r.old_score, r.new_score) for r in missed_rows] == [(100, 86), (86, 60)]
    assert missed_state.stage == "hot"


async def test_disabled_project_and_leads_within_grace_are_untouched(
    db: Any, make_project: Any, make_lead: Any
) -> None:
    off = await make_project(db, decay_enabled=False)
    on = await make_project(db, decay_grace_days=3, decay_daily_rate=0.5)
    untouched = await _idle_lead(db, off, make_lead)
    recent = await _idle_lead(db, on, make_lead, last_event_at=days_ago(3.9))
    fast = await _idle_lead(db, on, make_lead, last_event_at=days_ago(5))
    merged = await _idle_lead(db, on, make_lead, merged_into_id=fast.id)

    await run_decay(db, now=NOW)

    assert (await _state(db, untouched.id))[0].score == 100
    assert (await _state(db, recent.id))[0].score == 100
    assert (await _state(db, merged.id))[0].score == 100
    assert (await _state(db, fast.id))[0].score == 25  # 2 days beyond a 3-day grace at 50 %


async def test_stage_follows_the_projects_thresholds(
    db: Any, project_id: int, make_lead: Any
) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(StageThreshold)
            .where(StageThreshold.project_id == project_id)
            .values(warm=50, hot=90, qualified=200)
        )
    lead = await _idle_lead(db, project_id, make_lead, stage="hot")

    await run_decay(db, now=NOW)

    assert (await _state(db, lead.id))[0].stage == "warm"  # 86 < hot 90


async def test_batches_cover_every_lead_and_report_progress(
    db: Any, make_project: Any, make_lead: Any
) -> None:
    first, second = await make_project(db), await make_project(db)
    leads = [
        await _idle_lead(db, pid, make_lead, last_event_at=days_ago(10 + i / 10))
        for pid in (first, second)
        for i in range(5)
    ]
    calls: list[tuple[int, int]] = []

    report = await run_decay(db, now=NOW, batch=2, progress=lambda d, t: calls.append((d, t)))

    assert report.decayed == report.scanned == report.candidates == 10
    assert calls[0] == (0, 10) and calls[-1] == (10, 10)
    for lead in leads:
        assert (await _state(db, lead.id))[0].last_decay_on == NOW.date()


async def test_project_filter_decays_only_that_project(
    db: Any, make_project: Any, make_lead: Any
) -> None:
    first, second = await make_project(db), await make_project(db)
    mine = await _idle_lead(db, first, make_lead)
    other = await _idle_lead(db, second, make_lead)

    await run_decay(db, now=NOW, project_id=first)

    assert (await _state(db, mine.id))[0].score == 86
    assert (await _state(db, other.id))[0].score == 100


async def test_only_the_lock_holder_decays_on_postgres(
    db: Any, project_id: int, make_lead: Any
) -> None:
    lead = await _idle_lead(db, project_id, make_lead)
    if not db.is_postgres:
        assert await decay_once(db, now=NOW) is not None
        assert (await _state(db, lead.id))[0].score == 86
        return
    async with db.engine.connect() as holder:
        assert await holder.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": DECAY_LOCK_KEY})
        await holder.commit()

        skipped = await decay_once(db, now=NOW)

        await holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": DECAY_LOCK_KEY})
        await holder.commit()
    assert skipped is None
    assert (await _state(db, lead.id))[0].score == 100
    assert await decay_once(db, now=NOW) is not None
    assert (await _state(db, lead.id))[0].score == 86


async def test_decay_skips_a_lead_locked_by_the_scoring_worker_on_postgres(
    db: Any, project_id: int, make_lead: Any
) -> None:
    busy = await _idle_lead(db, project_id, make_lead)
    free = await _idle_lead(db, project_id, make_lead)
    if not db.is_postgres:
        return  # SQLite serialises writers with BEGIN IMMEDIATE: nothing to skip
    async with db.transaction() as worker:
        await worker.execute(select(Lead).where(Lead.id == busy.id).with_for_update())

        await run_decay(db, now=NOW)

    assert (await _state(db, busy.id))[0].score == 100  # decayed on the next run
    assert (await _state(db, free.id))[0].score == 86
    await run_decay(db, now=NOW)
    assert (await _state(db, busy.id))[0].score == 86
