"""Automations fire from the outbox entries of score changes, at most once per lead per UTC
day — enforced by the database's unique key, so concurrent dispatchers (or an entry
expanded twice) cannot both fire a rule."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from outbox_support import emit, insert_lead, scored
from sqlalchemy import func, select

from leadpulse.bootstrap import build_container
from leadpulse.core.outcomes import LeadScored
from leadpulse.store.db import Database
from leadpulse.store.models import Automation, AutomationExecution, Lead, OutboxEntry
from leadpulse.store.types import utcnow
from leadpulse.worker.dispatch import dispatch


async def add_automation(db: Any, project_id: int, **overrides: Any) -> Automation:
    values: dict[str, Any] = {
        "project_id": project_id,
        "name": "Hot leads",
        "when_stage": "hot",
        "action": "log",
        "config": {"level": "info"},
        **overrides,
    }
    row = Automation(**values)
    async with db.transaction() as session:
        session.add(row)
    return row


async def count_executions(db: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AutomationExecution)) or 0)


async def fire(container: Any, items: list[LeadScored]) -> int:
    """Write the items' outbox entries, dispatch them; return how many executions are new."""
    before = await count_executions(container.db)
    await emit(container, list(items))
    await dispatch(container)
    return await count_executions(container.db) - before


async def test_a_matching_rule_fires_with_a_payload_describing_lead_and_rule(
    container: Any, signup: Any
) -> None:
    account = await signup()
    automation = await add_automation(container.db, account.project_id, min_score=60)
    lead = await insert_lead(container.db, account.project_id, name="Ada")

    fired = await fire(container, [scored(lead, score=75, velocity_score=4)])

    assert fired == 1
    async with container.db.sessions() as session:
        execution = await session.scalar(select(AutomationExecution))
    assert execution is not None and execution.status == "pending"
    assert execution.payload["lead"] == {
        "id": lead.id,
        "email": lead.email,
        "name": "Ada",
        "anonymousId": lead.anonymous_id,
    }
    assert execution.payload["score"] == 75 and execution.payload["velocityScore"] == 4
    assert execution.payload["automation"] == {"id": automation.id, "name": "Hot leads"}
    assert execution.payload["stage"] == "hot" and execution.payload["firedAt"].endswith("Z")


async def test_rules_whose_conditions_do_not_hold_or_are_inactive_do_not_fire(
    container: Any, signup: Any
) -> None:
    account = await signup()
    db = container.db
    await add_automation(db, account.project_id, when_stage="qualified")
    await add_automation(db, account.project_id, when_stage=None, min_velocity=5)
    await add_automation(db, account.project_id, when_stage=None, event_type="contract_signed")
    await add_automation(db, account.project_id, when_stage=None, active=False)
    lead = await insert_lead(db, account.project_id)

    fired = await fire(container, [scored(lead, velocity_score=3)])

    assert fired == 0


async def test_rules_of_another_project_never_fire(container: Any, signup: Any) -> None:
    account = await signup()
    other = await signup()
    await add_automation(container.db, other.project_id, when_stage=None)
    lead = await insert_lead(container.db, account.project_id)

    assert await fire(container, [scored(lead)]) == 0


async def test_a_rule_fires_once_per_lead_per_utc_day(container: Any, signup: Any) -> None:
    account = await signup()
    await add_automation(container.db, account.project_id)
    lead = await insert_lead(container.db, account.project_id)
    today = utcnow()

    first = await fire(container, [scored(lead, scored_at=today)])
    again = await fire(container, [scored(lead, scored_at=today)])
    same_batch = await fire(container, [scored(lead), scored(lead)])
    tomorrow = today + timedelta(days=1)
    next_day = await fire(container, [scored(lead, scored_at=tomorrow)])

    assert (first, again, same_batch, next_day) == (1, 0, 0, 1)
    assert await count_executions(container.db) == 2


async def test_two_workers_racing_fire_a_rule_once(container: Any, signup: Any) -> None:
    account = await signup()
    await add_automation(container.db, account.project_id)
    await add_automation(container.db, account.project_id, name="Second rule")
    lead = await insert_lead(container.db, account.project_id)
    at = utcnow()
    await emit(container, [scored(lead, scored_at=at) for _ in range(6)])
    other_worker = build_container(container.settings)  # its own engine, like a process
    await other_worker.db.dispose()
    other_worker.db = Database(container.db.url, pool_size=3)

    try:
        claimed = await asyncio.gather(
            *(dispatch(c) for _ in range(3) for c in (container, other_worker))
        )
    finally:
        await other_worker.db.dispose()

    assert sum(claimed) == 6
    assert await count_executions(container.db) == 2
    async with container.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


async def test_the_same_change_expanded_twice_fires_once(container: Any, signup: Any) -> None:
    account = await signup()
    await add_automation(container.db, account.project_id)
    lead = await insert_lead(container.db, account.project_id)
    item = scored(lead)
    await emit(container, [item])
    await emit(container, [item])

    await asyncio.gather(dispatch(container), dispatch(container))

    assert await count_executions(container.db) == 1


async def test_one_query_fires_rules_for_leads_of_several_projects(
    container: Any, signup: Any
) -> None:
    first = await signup()
    second = await signup()
    await add_automation(container.db, first.project_id)
    await add_automation(container.db, second.project_id)
    leads = [
        await insert_lead(container.db, first.project_id),
        await insert_lead(container.db, second.project_id),
    ]

    fired = await fire(container, [scored(lead) for lead in leads])

    assert fired == 2
    async with container.db.sessions() as session:
        rows = (await session.scalars(select(AutomationExecution))).all()
    assert {(r.project_id, r.lead_id) for r in rows} == {
        (first.project_id, leads[0].id),
        (second.project_id, leads[1].id),
    }


async def test_a_lead_deleted_meanwhile_does_not_cost_the_batch_its_firings(
    container: Any, signup: Any
) -> None:
    account = await signup()
    await add_automation(container.db, account.project_id)
    gone = await insert_lead(container.db, account.project_id)
    kept = await insert_lead(container.db, account.project_id)
    async with container.db.transaction() as session:
        await session.delete(await session.get(Lead, gone.id))

    fired = await fire(container, [scored(gone), scored(kept)])

    assert fired == 1
    async with container.db.sessions() as session:
        execution = await session.scalar(select(AutomationExecution))
    assert execution is not None and execution.lead_id == kept.id
