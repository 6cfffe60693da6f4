"""Leads: list, read, create, update; leaderboard and stage counts.

A manual create or update writes its ``lead.created``/``lead.updated`` outbox entry in the
caller's transaction (``queue.entries``); ``identities`` serves the outbox dispatcher.

Every query is scoped to the caller's project and skips merged leads (aliases) in lists.
List sorts map onto indexes: ``-score``/``score`` use ``(project_id, score, id)``,
``createdAt`` ``(project_id, created_at)``, ``lastEventAt`` ``(project_id, last_event_at)``;
``id`` breaks ties so pages are stable. Leads without events sort last by ``lastEventAt``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.consequences import LeadIdentity, entry_of
from leadpulse.core.identity import normalize_email
from leadpulse.core.intelligence import days_since, risk
from leadpulse.core.outcomes import LeadEdited, LeadScored, ScoreMutation
from leadpulse.core.stages import STAGES
from leadpulse.errors import Conflict, InvalidInput, NotFound
from leadpulse.leads import schemas
from leadpulse.queue import entries
from leadpulse.store.models import Lead
from leadpulse.store.sql import is_postgres
from leadpulse.store.types import utcnow

SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "score": (Lead.score.asc(), Lead.id.asc()),
    "-score": (Lead.score.desc(), Lead.id.desc()),
    "lastEventAt": (Lead.last_event_at.asc().nulls_last(), Lead.id.asc()),
    "-lastEventAt": (Lead.last_event_at.desc().nulls_last(), Lead.id.desc()),
    "createdAt": (Lead.created_at.asc(), Lead.id.asc()),
    "-createdAt": (Lead.created_at.desc(), Lead.id.desc()),
    "name": (func.lower(Lead.name).asc().nulls_last(), Lead.id.asc()),
}


@dataclass(frozen=True, slots=True)
class LeadFilters:
    """The list filters shared by the list, the leaderboard and the CSV export."""

    stage: str | None = None
    q: str | None = None
    min_score: int | None = None


def conditions(*, project_id: int, filters: LeadFilters) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses of a filtered list of a project's live (unmerged) leads."""
    where: list[ColumnElement[bool]] = [
        Lead.project_id == project_id,
        Lead.merged_into_id.is_(None),
    ]
    if filters.stage is not None:
        where.append(Lead.stage == filters.stage)
    if filters.min_score is not None:
        where.append(Lead.score >= filters.min_score)
    if filters.q:
        needle = filters.q.lower()
        where.append(
            or_(
                *(
                    func.lower(col).contains(needle, autoescape=True)
                    for col in (Lead.name, Lead.email, Lead.company, Lead.anonymous_id)
                )
            )
        )
    return where


def visible_traits(traits: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the traits without internal bookkeeping keys (those starting with ``_``)."""
    return {k: v for k, v in (traits or {}).items() if not k.startswith("_")}


def _item_fields(lead: Lead, now: datetime) -> dict[str, Any]:
    return {
        "id": lead.id,
        "anonymous_id": lead.anonymous_id,
        "email": lead.email,
        "name": lead.name,
        "company": lead.company,
        "current_score": lead.score,
        "lead_stage": lead.stage,
        "velocity_score": lead.velocity_score,
        "events_last_24h": lead.events_last_24h,
        "risk": risk(days_since(lead.last_event_at, now)),
        "last_event_at": lead.last_event_at,
        "created_at": lead.created_at,
        "identified": lead.email is not None,
        "traits": visible_traits(lead.traits),
    }


def to_item(lead: Lead, *, now: datetime) -> schemas.LeadListItem:
    """Render a lead as a list item."""
    return schemas.LeadListItem(**_item_fields(lead, now))


def to_read(lead: Lead, *, now: datetime) -> schemas.LeadRead:
    """Render a lead in full (merged leads carry ``mergedInto``)."""
    return schemas.LeadRead(
        **_item_fields(lead, now),
        base_score=lead.base_score,
        event_count=lead.event_count,
        last_decay_on=lead.last_decay_on,
        merged_into=lead.merged_into_id,
        updated_at=lead.updated_at,
    )


async def list_leads(
    session: AsyncSession,
    *,
    project_id: int,
    filters: LeadFilters,
    sort: str = "-score",
    limit: int = schemas.DEFAULT_PAGE,
    offset: int = 0,
) -> tuple[list[Lead], int]:
    """Return one page of a project's live leads and the total matching the filters."""
    count, page = list_queries(
        project_id=project_id, filters=filters, sort=sort, limit=limit, offset=offset
    )
    total = await session.scalar(count)
    return list(await session.scalars(page)), int(total or 0)


def list_queries(
    *, project_id: int, filters: LeadFilters, sort: str, limit: int, offset: int
) -> tuple[Select[int], Select[Lead]]:
    """Return the count and page statements of a list (the index test explains them)."""
    where = conditions(project_id=project_id, filters=filters)
    count = select(func.count()).select_from(Lead).where(*where)
    page = select(Lead).where(*where).order_by(*SORTS[sort]).limit(limit).offset(offset)
    return count, page


async def get_lead(
    session: AsyncSession, *, project_id: int, lead_id: int, for_update: bool = False
) -> Lead:
    """Load one lead of the project (merged ones included), or raise NotFound."""
    query = select(Lead).where(Lead.id == lead_id, Lead.project_id == project_id)
    if for_update:
        query = query.with_for_update()
    lead = await session.scalar(query)
    if lead is None:
        raise NotFound(f"Lead {lead_id} not found.")
    return lead


def _email_or_422(raw: str, loc: str) -> str:
    try:
        return normalize_email(raw)
    except ValueError as exc:
        raise InvalidInput.field(loc, str(exc)) from exc


async def _ensure_free(
    session: AsyncSession, *, project_id: int, email: str, anonymous_id: str | None
) -> None:
    holder = await session.scalar(
        select(Lead.id).where(Lead.project_id == project_id, Lead.email == email)
    )
    if holder is not None:
        raise Conflict(f"Lead {holder} already has the email {email}.")
    if anonymous_id is None:
        return
    taken = await session.scalar(
        select(Lead.id).where(Lead.project_id == project_id, Lead.anonymous_id == anonymous_id)
    )
    if taken is not None:
        raise Conflict(f"Lead {taken} already has the anonymousId {anonymous_id}.")


async def create_lead(session: AsyncSession, *, project_id: int, body: schemas.LeadCreate) -> Lead:
    """Create a known (identified) lead; 409 if its email or anonymousId is taken."""
    email = _email_or_422(body.email, "body.email")
    await _ensure_free(session, project_id=project_id, email=email, anonymous_id=body.anonymous_id)
    lead = Lead(
        project_id=project_id,
        anonymous_id=body.anonymous_id,
        email=email,
        name=body.name,
        company=body.company,
        traits={k: v for k, v in (body.traits or {}).items() if v is not None},
    )
    try:
        async with session.begin_nested():
            session.add(lead)
            await session.flush()
    except IntegrityError as exc:  # a concurrent create or identify won the race
        raise Conflict(f"A lead with the email {email} already exists.") from exc
    await _record_edit(session, lead, created=True)
    return lead


async def _record_edit(session: AsyncSession, lead: Lead, *, created: bool) -> None:
    """Write the edit's outbox entry (``lead.created``/``lead.updated``) in the transaction."""
    now = utcnow()
    edit = LeadEdited(project_id=lead.project_id, lead_id=lead.id, created=created, at=now)
    await entries.enqueue(session, [entry_of(edit)], now=now)


async def update_lead(
    session: AsyncSession, *, project_id: int, lead_id: int, body: schemas.LeadUpdate
) -> Lead:
    """Change a lead's name, company or traits (merged); email changes are refused."""
    if body.email is not None:
        raise InvalidInput.field(
            "body.email", "the email is not patchable; send an identify for the lead"
        )
    lead = await get_lead(session, project_id=project_id, lead_id=lead_id, for_update=True)
    if lead.merged_into_id is not None:
        raise Conflict(f"Lead {lead_id} was merged into lead {lead.merged_into_id}.")
    fields = body.model_fields_set
    if "name" in fields:
        lead.name = body.name
    if "company" in fields:
        lead.company = body.company
    if body.traits:
        merged = dict(lead.traits or {})
        for key, value in body.traits.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        lead.traits = merged
    lead.updated_at = utcnow()
    await session.flush()
    await _record_edit(session, lead, created=False)
    return lead


# LeadScored fields that are lead columns of the same name, read once the new state is set.
OUTCOME_COLUMNS = (
    "project_id",
    "anonymous_id",
    "email",
    "name",
    "score",
    "stage",
    "velocity_score",
    "events_last_24h",
    "last_event_at",
)


def scored_outcome(
    lead: Lead,
    *,
    previous: tuple[int, str],
    event_types: frozenset[str],
    mutations: Sequence[ScoreMutation],
    at: datetime,
) -> LeadScored:
    """Describe a lead whose score was just set (by scoring or decay) as ``LeadScored``."""
    return LeadScored(
        **{name: getattr(lead, name) for name in OUTCOME_COLUMNS},
        lead_id=lead.id,
        previous_score=previous[0],
        previous_stage=previous[1],
        event_types=event_types,
        mutations=tuple(mutations),
        scored_at=at,
    )


async def identities(session: AsyncSession, lead_ids: Sequence[int]) -> dict[int, LeadIdentity]:
    """Read the personal data of existing leads, for the outbox dispatcher.

    On PostgreSQL the rows are locked ``FOR KEY SHARE`` (in id order) until the caller's
    transaction ends: an erasure waits, then deletes whatever was copied from them.
    """
    if not lead_ids:
        return {}
    query = (
        select(Lead.id, Lead.anonymous_id, Lead.email, Lead.name, Lead.company)
        .where(Lead.id.in_(sorted(lead_ids)))
        .order_by(Lead.id)
    )
    if is_postgres(session):
        query = query.with_for_update(read=True, key_share=True)
    rows = await session.execute(query)
    return {r.id: LeadIdentity(r.id, r.anonymous_id, r.email, r.name, r.company) for r in rows}


async def stage_counts(session: AsyncSession, *, project_id: int) -> dict[str, int]:
    """Count a project's live leads per stage (every stage present, zero included)."""
    rows = await session.execute(
        select(Lead.stage, func.count())
        .where(Lead.project_id == project_id, Lead.merged_into_id.is_(None))
        .group_by(Lead.stage)
    )
    counts: dict[str, int] = dict.fromkeys(STAGES, 0)
    for stage, count in rows:
        if stage in counts:
            counts[stage] = int(count)
    return counts
