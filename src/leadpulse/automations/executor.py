"""Executing automations: claim due execution rows, perform the action, record, publish.

An execution row is ``pending`` until its action succeeds (``succeeded``) or fails for good
(``failed``): a retryable failure (network error, timeout, 408, 429, 5xx, SMTP error) is
retried with backoff (``webhooks.policy``) until ``settings.automation_max_attempts``;
anything else fails at once. Rows are claimed and recorded under a lease (``queue.outbox``);
actions run outside any transaction. Each finished execution is published as
``AutomationExecuted`` to ``container.after_automation``.

``drain`` is an outbox loop step spanning many transactions, so it owns them: one per claimed
batch and one per recorded attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import anyio
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.automations import actions
from leadpulse.container import Container
from leadpulse.core.outcomes import AutomationExecuted
from leadpulse.queue import outbox
from leadpulse.store.models import Automation, AutomationExecution
from leadpulse.store.types import utcnow
from leadpulse.webhooks import policy, transport
from leadpulse.webhooks.transport import AttemptResult

log = structlog.get_logger("leadpulse.automations")
LOOP = "automations"
CLAIM_BATCH = 20
MAX_CONCURRENT_ACTIONS = 10


@dataclass(frozen=True, slots=True)
class ClaimedExecution:
    """A leased execution with its automation's action and config."""

    id: int
    project_id: int
    automation_id: int
    lead_id: int
    attempts: int
    payload: dict[str, Any]
    action: str
    config: dict[str, Any]
    lease_until: datetime


async def claim(
    session: AsyncSession, *, now: datetime, lease: timedelta
) -> list[ClaimedExecution]:
    """Lease a batch of due executions."""
    lease_until = now + lease
    ids = await outbox.claim_due(
        session,
        AutomationExecution,
        due_column=AutomationExecution.run_at,
        now=now,
        lease_until=lease_until,
        limit=CLAIM_BATCH,
    )
    if not ids:
        return []
    rows = await session.execute(
        select(AutomationExecution, Automation.action, Automation.config)
        .join(Automation, Automation.id == AutomationExecution.automation_id)
        .where(AutomationExecution.id.in_(ids))
        .order_by(AutomationExecution.id)
    )
    return [
        ClaimedExecution(
            id=e.id,
            project_id=e.project_id,
            automation_id=e.automation_id,
            lead_id=e.lead_id,
            attempts=e.attempts,
            payload=e.payload,
            action=action,
            config=config,
            lease_until=lease_until,
        )
        for e, action, config in rows.all()
    ]


def outcome_values(
    result: AttemptResult, *, attempts: int, max_attempts: int, now: datetime
) -> dict[str, Any]:
    """Return the column values that record one attempt's result."""
    values: dict[str, Any] = {
        "locked_until": None,
        "response_code": result.status_code,
        "error": result.error,
    }
    if result.ok:
        return {**values, "status": "succeeded", "finished_at": now}
    if result.retryable and attempts < max_attempts:
        return {**values, "run_at": now + policy.retry_delay(attempts)}
    return {**values, "status": "failed", "finished_at": now}


async def record(
    session: AsyncSession,
    item: ClaimedExecution,
    result: AttemptResult,
    *,
    now: datetime,
    max_attempts: int,
) -> AutomationExecuted | None:
    """Store an attempt's result under our lease; return the outcome if it finished."""
    values = outcome_values(result, attempts=item.attempts, max_attempts=max_attempts, now=now)
    stored = await outbox.record_under_lease(
        session, AutomationExecution, row_id=item.id, lease_until=item.lease_until, values=values
    )
    status = values.get("status", "retry")
    log.info(
        "automation_attempt",
        execution_id=item.id,
        automation_id=item.automation_id,
        action=item.action,
        attempt=item.attempts,
        status=status,
        response_code=result.status_code,
        error=result.error,
        stored=stored,
    )
    if not stored or status == "retry":
        return None
    return AutomationExecuted(
        project_id=item.project_id,
        automation_id=item.automation_id,
        execution_id=item.id,
        lead_id=item.lead_id,
        action=item.action,
        status=status,
        response_code=result.status_code,
        executed_at=now,
    )


async def _run_one(
    container: Container,
    ctx: actions.ActionContext,
    limiter: anyio.CapacityLimiter,
    now: datetime | None,
    item: ClaimedExecution,
) -> None:
    async with limiter:
        result = await actions.perform(
            ctx,
            action=item.action,
            config=item.config,
            payload=item.payload,
            execution_id=item.id,
        )
    max_attempts = container.settings.automation_max_attempts
    async with container.db.transaction() as session:
        finished = await record(
            session, item, result, now=now or utcnow(), max_attempts=max_attempts
        )
    if finished is not None:
        await container.publish(container.after_automation, [finished])


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Attempt every execution due at ``now`` (default: the clock) once; return how many."""
    settings = container.settings
    lease = timedelta(seconds=settings.worker_lease_seconds)

    async def claim_batch() -> list[ClaimedExecution]:
        # The clock is re-read per batch so a long drain never hands out already-stale leases.
        async with container.db.transaction() as session:
            return await claim(session, now=now or utcnow(), lease=lease)

    limiter = anyio.CapacityLimiter(MAX_CONCURRENT_ACTIONS)
    async with transport.new_client(settings.webhook_timeout_seconds) as client:
        ctx = actions.ActionContext(settings=settings, client=client)
        return await outbox.drain_batches(
            claim_batch, partial(_run_one, container, ctx, limiter, now)
        )


async def run(container: Container, stop: anyio.Event) -> None:
    """Run automations until ``stop`` is set (a background loop of the worker)."""
    await outbox.run_polling(
        container.outbox,
        stop,
        name=LOOP,
        drain=partial(drain, container),
        poll_seconds=container.settings.worker_poll_seconds,
    )
