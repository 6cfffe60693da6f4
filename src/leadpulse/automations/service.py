"""Automations per project, their firing from the outbox, and the execution log.

Firing is decided by ``core.automations.match_automations`` for each scored lead of the
outbox entries the dispatcher hands to ``expand``, and recorded as one
``automation_executions`` row per (automation, lead, UTC day of the change), inserted with
``ON CONFLICT DO NOTHING``: the database's unique key — not a read-then-write check — is
what makes a rule fire at most once per lead per day, even with several dispatchers racing
or an entry expanded twice.

Functions take the caller's session and never commit. ``checked_config`` resolves the
target's host name, so entry points call it before opening their transaction. E-mail
recipients follow ``core.mailing`` (no open relay), checked on save and again on send.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.automations import configs
from leadpulse.config import Settings
from leadpulse.core.automations import AutomationRule, LeadState, match_automations
from leadpulse.core.consequences import Consequence
from leadpulse.core.mailing import UNVERIFIED_HINT, MailPolicy, refused_recipients
from leadpulse.core.outcomes import LeadScored
from leadpulse.core.stages import Stage
from leadpulse.errors import FieldError, InvalidInput, NotFound
from leadpulse.store.models import Automation, AutomationExecution, Project, User
from leadpulse.store.sql import insert, table_of
from leadpulse.store.types import utcnow
from leadpulse.webhooks import service as webhooks_service


async def checked_config(settings: Settings, *, action: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate an action's config (including its target URL) and return its stored form."""
    config = configs.parse_config(action, raw)
    if isinstance(config, configs.WebhookConfig):
        await webhooks_service.check_target(
            settings, url=config.url, loc="body.config.url", allow_unresolved=False
        )
    if isinstance(config, configs.SlackConfig):
        loc = "body.config.webhookUrl"
        # Plain http is only for local receivers (development, tests).
        if not config.webhook_url.startswith("https://") and not settings.webhooks_allow_private:
            raise InvalidInput.field(loc, "a Slack incoming-webhook URL must use https")
        await webhooks_service.check_target(
            settings, url=config.webhook_url, loc=loc, allow_unresolved=False
        )
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
    await _check_recipients(session, row)
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
    await _check_recipients(session, row)
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
    automations: Sequence[Automation], scored: Sequence[tuple[Consequence, LeadScored]]
) -> list[dict[str, Any]]:
    """Return one execution row per firing, de-duplicated on (automation, lead, day); the day
    is the UTC date of the change, so expanding an entry again another day adds nothing."""
    by_project: dict[int, list[Automation]] = defaultdict(list)
    for automation in automations:
        by_project[automation.project_id].append(automation)
    now = utcnow()
    rows: dict[tuple[int, int, Any], dict[str, Any]] = {}
    for consequence, item in scored:
        project_automations = {a.id: a for a in by_project.get(item.project_id, [])}
        rules = [_rule(a) for a in project_automations.values()]
        fired_at = item.scored_at or consequence.due_at
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
                    "run_at": consequence.due_at,
                    "created_at": now,
                },
            )
    return list(rows.values())


async def mail_policy(session: AsyncSession, *, project_id: int) -> MailPolicy:
    """Return who the project's e-mail automations may write to (``core.mailing``)."""
    row = (
        await session.execute(
            select(User.email, User.email_verified)
            .join(Project, Project.owner_id == User.id)
            .where(Project.id == project_id)
        )
    ).one_or_none()
    if row is None:
        return MailPolicy(members=(), verified=False)
    return MailPolicy(members=(row.email,), verified=bool(row.email_verified))


async def _check_recipients(session: AsyncSession, row: Automation) -> None:
    if row.action != "email":
        return
    recipients = list(row.config.get("recipients") or ())
    policy = await mail_policy(session, project_id=row.project_id)
    refused = refused_recipients(recipients, policy)
    if refused:
        errors = [
            FieldError(f"body.config.recipients.{i}", UNVERIFIED_HINT, "value_error")
            for i in refused
        ]
        raise InvalidInput(f"Recipients not allowed: {UNVERIFIED_HINT}", errors)


async def expand(session: AsyncSession, consequences: Sequence[Consequence]) -> int:
    """Record the automations that fire for the scored leads of outbox entries (in the
    dispatcher's transaction), due from the entry's write time; return how many are new."""
    scored = [(c, c.outcome) for c in consequences if isinstance(c.outcome, LeadScored)]
    projects = {item.project_id for _, item in scored}
    if not projects:
        return 0
    automations = await session.scalars(
        select(Automation)
        .where(Automation.project_id.in_(projects), Automation.active.is_(True))
        .order_by(Automation.id)
    )
    rows = firing_rows(list(automations), scored)
    if not rows:
        return 0
    result = await session.execute(
        insert(session, table_of(AutomationExecution))
        .values(rows)
        .on_conflict_do_nothing(index_elements=["automation_id", "lead_id", "day"])
        .returning(table_of(AutomationExecution).c.id)
    )
    return len(result.scalars().all())
