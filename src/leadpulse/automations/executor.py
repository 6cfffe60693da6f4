"""Executing automations: claim due execution rows, perform the action, record, publish.

An execution row is ``pending`` until its action succeeds (``succeeded``) or fails for good
(``failed``): a retryable failure (network error, timeout, 408, 429, 5xx, SMTP error) is
retried with backoff (``webhooks.policy``) until ``settings.automation_max_attempts``;
anything else fails at once. Rows are claimed and recorded under a lease (``queue.outbox``);
actions run outside any transaction. Each finished execution is published as
``AutomationExecuted`` to ``container.after_automation``.

``drain`` owns its transactions (``queue.outbox.drain_due``): a short one per claimed batch
and one per recorded attempt, never one around an action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

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
from leadpulse.webhooks.policy import AttemptResult

log = structlog.get_logger("leadpulse.automations")
LOOP = "automations"


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
    session: AsyncSession, now: datetime, *, lease: timedelta
) -> list[ClaimedExecution]:
    """Lease a batch of due executions."""
    lease_until = now + lease
    ids = await outbox.claim_due(
        session,
        AutomationExecution,
        due_column=AutomationExecution.run_at,
        now=now,
        lease_until=lease_until,
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


# An execution is stamped ``finished_at`` when it succeeds or fails for good.
outcome_values = partial(
    policy.outcome_values, retry_column="run_at", done_column="finished_at", stamp_failure=True
)


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
    now: datetime | None,
    item: ClaimedExecution,
) -> None:
    result = await actions.perform(
        ctx, action=item.action, config=item.config, payload=item.payload, execution_id=item.id
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
    claim_leased = partial(claim, lease=timedelta(seconds=settings.worker_lease_seconds))
    async with transport.new_client(settings.webhook_timeout_seconds) as client:
        ctx = actions.ActionContext(settings=settings, client=client)
        return await outbox.drain_due(
            container.db, claim_leased, partial(_run_one, container, ctx, now), now=now
        )
