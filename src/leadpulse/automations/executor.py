"""Executing automations, a lane of the outbox: perform each due execution's action, record.

An execution row is ``pending`` until its action succeeds (``succeeded``) or fails for good
(``failed``): a retryable failure (network error, timeout, 408, 429, 5xx, SMTP error) is
retried with backoff until ``settings.automation_max_attempts``; anything else fails at once.
Rows are claimed, attempted and recorded as ``queue.outbox`` states (one bad row costs only
its own attempts). A finished execution writes its ``automation.executed`` outbox entry in
the transaction that records it (webhook subscribers hear of it from there), and is handed
to ``container.after_automation`` after the commit (the live frame).

``drain`` owns its transactions (``queue.outbox.drain_lane``): a short one per claimed batch
and one recording the batch, never one around an action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.automations import actions
from leadpulse.container import Container
from leadpulse.core.consequences import entry_of
from leadpulse.core.mailing import MailPolicy
from leadpulse.core.outcomes import AutomationExecuted
from leadpulse.queue import entries, outbox
from leadpulse.store.models import Automation, AutomationExecution, Project, User
from leadpulse.store.types import utcnow
from leadpulse.webhooks import transport
from leadpulse.webhooks.policy import AttemptResult

LOOP = "automations"


@dataclass(frozen=True, slots=True)
class ClaimedExecution:
    """A leased execution with its automation's action and config and the mail policy."""

    id: int
    project_id: int
    automation_id: int
    lead_id: int
    attempts: int
    payload: dict[str, Any]
    action: str
    config: dict[str, Any]
    mail: MailPolicy
    lease_until: datetime


async def load(
    session: AsyncSession, ids: list[int], lease_until: datetime
) -> list[ClaimedExecution]:
    """Read leased executions with their automation and the owner's mail policy."""
    rows = await session.execute(
        select(AutomationExecution, Automation.action, Automation.config, User)
        .join(Automation, Automation.id == AutomationExecution.automation_id)
        .join(Project, Project.id == AutomationExecution.project_id)
        .join(User, User.id == Project.owner_id)
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
            mail=MailPolicy(members=(owner.email,), verified=bool(owner.email_verified)),
            lease_until=lease_until,
        )
        for e, action, config, owner in rows.all()
    ]


# An execution is stamped ``finished_at`` when it succeeds or fails for good.
outcome_values = partial(
    outbox.outcome_values, retry_column="run_at", done_column="finished_at", stamp_failure=True
)
Recorded = outbox.Recorded[ClaimedExecution]


def _finished(recorded: Recorded) -> list[AutomationExecuted]:
    return [
        AutomationExecuted(
            project_id=item.project_id,
            automation_id=item.automation_id,
            execution_id=item.id,
            lead_id=item.lead_id,
            action=item.action,
            status=values["status"],
            response_code=result.status_code,
            executed_at=values["finished_at"],
        )
        for item, result, values in recorded
        if "status" in values
    ]


async def _attempt(ctx: actions.ActionContext, item: ClaimedExecution) -> AttemptResult:
    return await actions.perform(
        ctx,
        action=item.action,
        config=item.config,
        payload=item.payload,
        execution_id=item.id,
        mail=item.mail,
    )


def lane(container: Container, ctx: actions.ActionContext) -> outbox.Lane[ClaimedExecution]:
    """The executions lane, running actions with ``ctx``."""
    settings = container.settings

    async def on_recorded(session: AsyncSession, recorded: Recorded) -> None:
        done = [entry_of(outcome) for outcome in _finished(recorded)]
        await entries.enqueue(session, done, now=utcnow())

    async def after_commit(recorded: Recorded) -> None:
        finished = _finished(recorded)
        if finished:
            container.outbox.wake(outbox.DISPATCH_LOOP)
            await container.publish(container.after_automation, finished)

    return outbox.Lane(
        name=LOOP,
        model=AutomationExecution,
        due_column=AutomationExecution.run_at,
        values=outcome_values,
        max_attempts=settings.automation_max_attempts,
        load=load,
        attempt=partial(_attempt, ctx),
        on_recorded=on_recorded,
        after_commit=after_commit,
        batch=settings.outbox_claim_batch,
        concurrency=settings.outbox_concurrency,
        lease=timedelta(seconds=settings.worker_lease_seconds),
    )


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Attempt every execution due at ``now`` (default: the clock) once; return how many."""
    ctx = actions.ActionContext(
        settings=container.settings, client=transport.shared_client(container)
    )
    return await outbox.drain_lane(container.db, lane(container, ctx), now=now)
