"""One outbox row's failure never stalls another's: a tenant whose automation cannot even be
sent (a header value stored before header values were checked on save) costs only its own
attempts, ends ``failed`` for good at the maximum, and never delays another tenant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from outbox_support import Receiver, emit, insert_lead, scored
from sqlalchemy import func, select

from leadpulse.automations import executor
from leadpulse.automations.hooks import drain
from leadpulse.queue import outbox
from leadpulse.queue.outbox import AttemptResult
from leadpulse.store.models import Automation, AutomationExecution, OutboxEntry
from leadpulse.store.types import utcnow
from leadpulse.worker.dispatch import dispatch


async def _poisoned_automation(db: Any, project_id: int, url: str) -> None:
    """An automation whose header value httpx cannot encode, written past the API's checks."""
    async with db.transaction() as session:
        session.add(
            Automation(
                project_id=project_id,
                name="Poisoned",
                when_stage="hot",
                action="webhook",
                config={"url": url, "method": "POST", "headers": {"X-Token": "café"}},
            )
        )


async def _executions(client: Any, account: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/automations/executions", headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_poisoned_tenant_does_not_delay_another_tenants_deliveries(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    poisoned, healthy = await signup(), await signup()
    await _poisoned_automation(container.db, poisoned.project_id, receiver.url + "?poisoned")
    created = await client.post(
        "/api/automations",
        json={
            "name": "Healthy",
            "whenStage": "hot",
            "action": "webhook",
            "config": {"url": receiver.url + "?healthy"},
        },
        headers=healthy.headers,
    )
    assert created.status_code == 201, created.text
    bad_leads = [await insert_lead(container.db, poisoned.project_id) for _ in range(3)]
    good_lead = await insert_lead(container.db, healthy.project_id)
    # The poisoned executions are older, so they are claimed first, in the same batch.
    await emit(container, [scored(lead) for lead in bad_leads] + [scored(good_lead)])

    first = await drain(container)
    later = await drain(container, now=utcnow() + timedelta(days=30))

    assert (first, later) == (4, 0)
    assert [r.path for r in receiver.requests] == ["/hook?healthy"]
    [good] = await _executions(client, healthy)
    assert good["status"] == "succeeded" and good["attempts"] == 1
    failed = await _executions(client, poisoned)
    assert {(e["status"], e["attempts"]) for e in failed} == {("failed", 1)}
    assert all("config.headers" in e["error"] and e["finishedAt"] for e in failed)


def _raising_lane(container: Any, poisoned_project: int) -> outbox.Lane[Any]:
    """The executions lane with an attempt that raises for one tenant's rows."""

    async def attempt(item: executor.ClaimedExecution) -> AttemptResult:
        if item.project_id == poisoned_project:
            raise UnicodeEncodeError("ascii", "café", 3, 4, "ordinal not in range(128)")
        return AttemptResult(200)

    settings = container.settings
    return outbox.Lane(
        name="executions-under-test",
        model=AutomationExecution,
        due_column=AutomationExecution.run_at,
        values=executor.outcome_values,
        max_attempts=2,
        load=executor.load,
        attempt=attempt,
        batch=settings.outbox_claim_batch,
        concurrency=2,
    )


async def test_an_attempt_that_raises_is_one_failed_attempt_of_its_row_only(
    client: Any, signup: Any, container: Any
) -> None:
    poisoned, healthy = await signup(), await signup()
    for account in (poisoned, healthy):
        async with container.db.transaction() as session:
            session.add(Automation(project_id=account.project_id, name="Log", action="log"))
    leads = [await insert_lead(container.db, poisoned.project_id) for _ in range(3)]
    leads.append(await insert_lead(container.db, healthy.project_id))
    await emit(container, [scored(lead) for lead in leads])
    await dispatch(container)
    lane = _raising_lane(container, poisoned.project_id)

    first = await outbox.drain_lane(container.db, lane)
    [good] = await _executions(client, healthy)
    waiting = await _executions(client, poisoned)
    second = await outbox.drain_lane(container.db, lane, now=utcnow() + timedelta(hours=1))
    third = await outbox.drain_lane(container.db, lane, now=utcnow() + timedelta(days=30))

    assert (first, second, third) == (4, 3, 0)
    assert good["status"] == "succeeded" and good["attempts"] == 1
    assert {(e["status"], e["attempts"]) for e in waiting} == {("pending", 1)}
    assert all(e["error"].startswith("UnicodeEncodeError") for e in waiting)
    failed = await _executions(client, poisoned)
    assert {(e["status"], e["attempts"]) for e in failed} == {("failed", 2)}


async def test_a_row_whose_last_attempt_died_with_its_worker_is_failed_not_retried(
    client: Any, signup: Any, container: Any
) -> None:
    container.settings.automation_max_attempts = 1
    account = await signup()
    async with container.db.transaction() as session:
        session.add(Automation(project_id=account.project_id, name="Log", action="log"))
    await emit(container, [scored(await insert_lead(container.db, account.project_id))])
    await dispatch(container)
    now = utcnow()
    async with container.db.transaction() as session:  # a worker claims it, then is killed
        claimed = await outbox.claim_due(
            session,
            AutomationExecution,
            due_column=AutomationExecution.run_at,
            now=now,
            lease_until=now + timedelta(seconds=60),
            max_attempts=1,
        )

    attempted = await drain(container, now=now + timedelta(minutes=5))

    assert len(claimed) == 1 and attempted == 0
    [execution] = await _executions(client, account)
    assert execution["status"] == "failed" and execution["attempts"] == 1
    assert execution["error"] == outbox.LOST_LAST_ATTEMPT


async def test_an_entry_that_cannot_be_expanded_backs_off_and_fails_alone(
    signup: Any, container: Any
) -> None:
    container.settings.outbox_max_attempts = 2
    account = await signup()
    good = await insert_lead(container.db, account.project_id)
    await emit(container, [scored(good)])
    async with container.db.transaction() as session:  # an entry no expander can read
        session.add(
            OutboxEntry(
                project_id=account.project_id, lead_id=good.id, kind="lead.changed", payload={}
            )
        )

    async def lands(_: Any, consequences: Any) -> int:
        return len(consequences)

    container.expanders["probe"] = lands
    first = await dispatch(container)
    again = await dispatch(container, now=utcnow() + timedelta(minutes=1))
    never = await dispatch(container, now=utcnow() + timedelta(days=1))

    assert (first, again, never) == (2, 1, 0)
    async with container.db.sessions() as session:
        rows = (await session.execute(select(OutboxEntry.status, OutboxEntry.attempts))).all()
        left = await session.scalar(select(func.count()).select_from(OutboxEntry))
    assert left == 1 and [tuple(r) for r in rows] == [("failed", 2)]
