"""Automations per project, their firing after scoring, and the execution log.

Firing is decided by ``core.automations.match_automations`` and recorded as one
``automation_executions`` row per (automation, lead, UTC day), inserted with ``ON CONFLICT
DO NOTHING``: the database's unique key — not a read-then-write check — is what makes a rule
fire at most once per lead per day, even with several workers racing.

Functions take the caller's session and never commit; ``fire`` is the exception, a
post-commit step that owns its transactions (see its docstring). ``checked_config`` resolves
the target's host name, so entry points call it before opening their transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.automations import configs
from leadpulse.config import Settings
from leadpulse.core.automations import AutomationRule, LeadState, match_automations
from leadpulse.core.outcomes import LeadScored
from leadpulse.core.stages import Stage
from leadpulse.errors import InvalidInput, NotFound
from leadpulse.store.db import Database
from leadpulse.store.models import Automation, AutomationExecution
from leadpulse.store.sql import insert, table_of
from leadpulse.store.types import utcnow
from leadpulse.webhooks import service as webhooks_service

log = structlog.get_logger("leadpulse.automations")


async def checked_config(settings: Settings, *, action: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate an action's config (including its target URL) and return its stored form."""
    config = configs.parse_config(action, raw)
    if isinstance(config, configs.WebhookConfig):
        await webhooks_service.check_target(settings, url=config.url, loc="body.config.url")
    if isinstance(config, configs.SlackConfig):
        loc = "body.config.webhookUrl"
        # Plain http is only for local receivers (development, tests).
        if not config.webhook_url.startswith("https://") and not settings.webhooks_allow_private:
            raise InvalidInput.field(loc, "a Slack incoming-webhook URL must use https")
        await webhooks_service.check_target(settings, url=config.webhook_url, loc=loc)
    return configs.stored(config)


async def get_automation(
    session: AsyncSession, *, project_id: int, automation_id: int
) -> Automation:
    """Load an automation of the project, or raise NotFound."""
    row = await session.get(Automation, automation_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"No automation {automation_id} in this project.")
    return row


async def checked_changes(
    settings: Settings, current: Automation, changes: dict[str, Any]
) -> dict[str, Any]:
    """Return ``changes`` with the config re-validated against the (new) action, if either
    changes."""
    if "action" in changes or "config" in changes:
        action = changes.get("action", current.action)
        raw = changes.get("config", current.config)
        changes = {**changes, "config": await checked_config(settings, action=action, raw=raw)}
    return changes


async def create_automation(
    session: AsyncSession, *, project_id: int, fields: dict[str, Any]
) -> Automation:
    """Create an automation; ``fields["config"]`` comes from ``checked_config``."""
    row = Automation(project_id=project_id, **fields)
    session.add(row)
    await session.flush()
    return row


async def list_automations(
    session: AsyncSession, *, project_id: int, limit: int, offset: int
) -> tuple[list[Automation], int]:
    """List a project's automations, newest first, with the total count."""
    where = Automation.project_id == project_id
    total = await session.scalar(select(func.count()).where(where))
    rows = await session.scalars(
        select(Automation).where(where).order_by(Automation.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def update_automation(
    session: AsyncSession, *, project_id: int, automation_id: int, changes: dict[str, Any]
) -> Automation:
    """Change an automation; a changed config comes from ``checked_changes``."""
    row = await get_automation(session, project_id=project_id, automation_id=automation_id)
    for name, value in changes.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def delete_automation(session: AsyncSession, *, project_id: int, automation_id: int) -> None:
    """Delete an automation and its executions."""
    row = await get_automation(session, project_id=project_id, automation_id=automation_id)
    await session.delete(row)


async def list_executions(
    session: AsyncSession,
    *,
    project_id: int,
    limit: int,
    offset: int,
    automation_id: int | None = None,
    status: str | None = None,
) -> tuple[list[AutomationExecution], int]:
    """List a project's executions, newest first, optionally of one automation or status."""
    conditions = [AutomationExecution.project_id == project_id]
    if automation_id is not None:
        await get_automation(session, project_id=project_id, automation_id=automation_id)
        conditions.append(AutomationExecution.automation_id == automation_id)
    if status is not None:
        conditions.append(AutomationExecution.status == status)
    total = await session.scalar(select(func.count()).where(*conditions))
    rows = await session.scalars(
        select(AutomationExecution)
        .where(*conditions)
        .order_by(AutomationExecution.created_at.desc(), AutomationExecution.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


def _rule(row: Automation) -> AutomationRule:
    return AutomationRule(
        id=row.id,
        name=row.name,
        action=row.action,
        when_stage=cast(Stage | None, row.when_stage),
        min_velocity=row.min_velocity,
        min_score=row.min_score,
        event_type=row.event_type,
        active=row.active,
    )


def _state(item: LeadScored) -> LeadState:
    return LeadState(
        lead_id=item.lead_id,
        score=item.score,
        stage=cast(Stage, item.stage),
        previous_stage=cast(Stage, item.previous_stage),
        velocity_score=item.velocity_score,
        event_types=item.event_types,
    )


def firing_payload(item: LeadScored, automation: Automation, fired_at: datetime) -> dict[str, Any]:
    """Return what an action receives about the lead and the rule that fired."""
    return {
        "lead": {
            "id": item.lead_id,
            "email": item.email,
            "name": item.name,
            "anonymousId": item.anonymous_id,
        },
        "stage": item.stage,
        "score": item.score,
        "velocityScore": item.velocity_score,
        "automation": {"id": automation.id, "name": automation.name},
        "firedAt": fired_at.isoformat().replace("+00:00", "Z"),
    }


def firing_rows(
    automations: Sequence[Automation], items: Sequence[LeadScored], now: datetime
) -> list[dict[str, Any]]:
    """Return one execution row per firing, de-duplicated on (automation, lead, day)."""
    by_project: dict[int, list[Automation]] = defaultdict(list)
    for automation in automations:
        by_project[automation.project_id].append(automation)
    rows: dict[tuple[int, int, Any], dict[str, Any]] = {}
    for item in items:
        project_automations = {a.id: a for a in by_project.get(item.project_id, [])}
        rules = [_rule(a) for a in project_automations.values()]
        fired_at = item.scored_at or now
        for firing in match_automations(rules, _state(item), fired_at):
            automation = project_automations[firing.automation_id]
            rows.setdefault(
                (firing.automation_id, firing.lead_id, firing.day),
                {
                    "project_id": item.project_id,
                    "automation_id": firing.automation_id,
                    "lead_id": firing.lead_id,
                    "day": firing.day,
                    "status": "pending",
                    "attempts": 0,
                    "payload": firing_payload(item, automation, fired_at),
                    "run_at": now,
                    "created_at": now,
                },
            )
    return list(rows.values())


def _insert_firings(session: AsyncSession, rows: list[dict[str, Any]]) -> Any:
    return (
        insert(session, table_of(AutomationExecution))
        .values(rows)
        .on_conflict_do_nothing(index_elements=["automation_id", "lead_id", "day"])
        .returning(table_of(AutomationExecution).c.id)
    )


async def _insert_one_by_one(db: Database, rows: list[dict[str, Any]]) -> int:
    inserted = 0
    for row in rows:
        try:
            async with db.transaction() as session:
                result = await session.execute(_insert_firings(session, [row]))
                inserted += len(result.scalars().all())
        except IntegrityError:  # the lead or automation was deleted meanwhile
            log.info("automation_firing_skipped", lead_id=row["lead_id"])
    return inserted


async def fire(db: Database, *, items: Sequence[LeadScored], now: datetime | None = None) -> int:
    """Record the automations that fire for freshly scored leads; return how many are new.

    Runs after the scoring commit and owns its transactions: one for the batch, then one per
    firing if a lead of the batch was deleted meanwhile.
    """
    projects = {item.project_id for item in items}
    if not projects:
        return 0
    at = now or utcnow()
    rows: list[dict[str, Any]] = []
    try:
        async with db.transaction() as session:
            automations = await session.scalars(
                select(Automation)
                .where(Automation.project_id.in_(projects), Automation.active.is_(True))
                .order_by(Automation.id)
            )
            rows = firing_rows(list(automations), items, at)
            if not rows:
                return 0
            result = await session.execute(_insert_firings(session, rows))
            return len(result.scalars().all())
    except IntegrityError:
        # One deleted lead must not cost the other leads of the batch their firings.
        return await _insert_one_by_one(db, rows)
