"""Identity resolution: attach an email and traits to a lead, merging leads that share it.

Called by the scoring worker INSIDE its transaction (this module never commits). The
decisions are pure, in ``core.identity``; this module loads, asks, and writes:

- ``apply_identity`` normalises the email and follows aliases to the live lead. If no other
  live lead of the project holds the email, ``takes_email`` says whether it is set on the lead
  and ``identify_profile`` gives the lead's new name, company and traits. Otherwise
  ``plan_merge`` picks the survivor (the lead already holding the email) and
  ``merge_profile`` its profile, and the merge is written: the merged lead's events move to
  the survivor, every event of the survivor is marked unprocessed so the worker refolds the
  union in event time order (``needs_full_rescore``), the merged lead keeps its row as an
  alias (``merged_into_id``, no email, score 0; its old history stays for audit), leads that
  had been merged into it are re-pointed (chains stay one hop), its job is discarded
  (``queue.jobs.discard``), and a ``merge`` history row (delta 0) is written on the survivor
  (``leads.history``).
- Concurrency: on PostgreSQL the leads involved are locked ``FOR UPDATE`` in id order. Two
  identifies of one email on different leads race on the unique (project_id, email) index:
  the loser's UPDATE fails inside a SAVEPOINT, it re-reads the holder and merges into it, so
  exactly one survivor remains. SQLite's ``BEGIN IMMEDIATE`` serialises them anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.identity import (
    Profile,
    identify_profile,
    is_newer,
    merge_profile,
    normalize_email,
    plan_merge,
    takes_email,
)
from leadpulse.core.outcomes import LeadMerged
from leadpulse.core.timeutil import require_aware
from leadpulse.errors import Conflict, InvalidInput, NotFound
from leadpulse.leads import history
from leadpulse.queue import jobs
from leadpulse.store.models import Event, Lead
from leadpulse.store.types import utcnow

MAX_ALIAS_HOPS = 16


@dataclass(frozen=True, slots=True)
class IdentityResult:
    """Which lead now carries the identity, and what the worker must do next."""

    survivor_id: int
    email: str
    merged_ids: list[int] = field(default_factory=list)
    needs_full_rescore: bool = False
    merges: tuple[LeadMerged, ...] = ()


async def resolve_aliases(session: AsyncSession, merged: dict[int, int]) -> dict[int, int]:
    """Follow ``merged_into_id`` pointers from merged leads to their live survivors (batched)."""
    result = dict(merged)
    for _ in range(MAX_ALIAS_HOPS):
        rows = await session.execute(
            select(Lead.id, Lead.merged_into_id).where(
                Lead.id.in_(set(result.values())), Lead.merged_into_id.is_not(None)
            )
        )
        hops = {lead_id: into for lead_id, into in rows.all() if into is not None}
        if not hops:
            break
        result = {lead: hops.get(target, target) for lead, target in result.items()}
    return result


async def resolve_alias(session: AsyncSession, *, project_id: int, lead_id: int) -> int:
    """Follow ``merged_into_id`` from a lead of the project to the live lead it was merged into."""
    merged_into = (
        await session.execute(
            select(Lead.merged_into_id).where(Lead.id == lead_id, Lead.project_id == project_id)
        )
    ).one_or_none()
    if merged_into is None:
        raise NotFound(f"Lead {lead_id} not found.")
    if merged_into[0] is None:
        return lead_id
    return (await resolve_aliases(session, {lead_id: merged_into[0]}))[lead_id]


def _profile(lead: Lead) -> Profile:
    return Profile(name=lead.name, company=lead.company, traits=lead.traits or {})


def _set_profile(lead: Lead, profile: Profile) -> None:
    lead.name, lead.company, lead.traits = profile.name, profile.company, dict(profile.traits)


def apply_traits(lead: Lead, traits: Mapping[str, Any], *, at: datetime) -> bool:
    """Apply identify traits to a lead (newer overwrites, older fills gaps); say if newer."""
    profile, newer = identify_profile(_profile(lead), traits, at=at)
    _set_profile(lead, profile)
    return newer


async def _lock(session: AsyncSession, *, project_id: int, ids: Sequence[int]) -> dict[int, Lead]:
    # One id order for every transaction: two merges over the same leads cannot deadlock.
    rows = await session.scalars(
        select(Lead)
        .where(Lead.id.in_(sorted(ids)), Lead.project_id == project_id)
        .order_by(Lead.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {lead.id: lead for lead in rows}


async def _holders(
    session: AsyncSession, *, project_id: int, email: str, exclude: int
) -> list[int]:
    rows = await session.scalars(
        select(Lead.id).where(
            Lead.project_id == project_id,
            Lead.email == email,
            Lead.merged_into_id.is_(None),
            Lead.id != exclude,
        )
    )
    return sorted(rows)


async def _claim_email(session: AsyncSession, *, lead: Lead, email: str) -> bool:
    """Set the email on the lead unless another lead got it first (unique index)."""
    try:
        async with session.begin_nested():
            await session.execute(update(Lead).where(Lead.id == lead.id).values(email=email))
    except IntegrityError:
        return False
    return True


def _retire(merged: Lead, *, survivor_id: int) -> None:
    """Turn a merged lead into an alias row: no email, no score, pointing at the survivor."""
    merged.merged_into_id = survivor_id
    merged.email = None
    merged.score = merged.base_score = merged.event_count = 0
    merged.events_last_24h = merged.velocity_score = 0
    merged.stage = "cold"
    merged.last_event_at = None
    merged.last_event_key = None
    merged.updated_at = utcnow()


async def _absorb(
    session: AsyncSession, *, survivor: Lead, merged: Lead, email: str, at: datetime
) -> LeadMerged:
    """Merge one lead into the survivor: events, aliases, job, alias row, merge history."""
    project_id = survivor.project_id
    await session.execute(
        update(Event)
        .where(Event.lead_id == merged.id, Event.project_id == project_id)
        .values(lead_id=survivor.id, processed=False, processed_at=None)
    )
    await session.execute(
        update(Lead)
        .where(Lead.merged_into_id == merged.id, Lead.project_id == project_id)
        .values(merged_into_id=survivor.id)
    )
    await jobs.discard(session, [merged.id])
    detail = {"mergedLeadId": merged.id, "mergedAnonymousId": merged.anonymous_id, "email": email}
    row = history.merge_row(
        project_id=project_id,
        lead_id=survivor.id,
        score=survivor.score,
        at=at,
        detail=detail,
        created_at=utcnow(),
    )
    await history.write(session, [row])
    _retire(merged, survivor_id=survivor.id)
    return LeadMerged(
        project_id=project_id,
        survivor_id=survivor.id,
        merged_id=merged.id,
        email=email,
        merged_at=utcnow(),
    )


async def _merge(
    session: AsyncSession,
    *,
    project_id: int,
    lead_id: int,
    holders: Sequence[int],
    email: str,
    traits: Mapping[str, Any],
    at: datetime,
) -> IdentityResult:
    plan = plan_merge(identified_lead_id=lead_id, existing_lead_ids=holders)
    rows = await _lock(session, project_id=project_id, ids=[plan.survivor_id, *plan.merged_ids])
    survivor = rows[plan.survivor_id]
    merged = [_profile(rows[mid]) for mid in plan.merged_ids]
    _set_profile(survivor, merge_profile(_profile(survivor), merged, traits, at=at))
    merges = [
        await _absorb(session, survivor=survivor, merged=rows[mid], email=email, at=at)
        for mid in plan.merged_ids
    ]
    survivor.updated_at = utcnow()
    await session.execute(
        update(Event)
        .where(Event.lead_id == survivor.id, Event.project_id == project_id)
        .values(processed=False, processed_at=None)
    )
    await session.flush()
    return IdentityResult(
        survivor_id=survivor.id,
        email=email,
        merged_ids=list(plan.merged_ids),
        needs_full_rescore=True,
        merges=tuple(merges),
    )


def _normalized(email: str) -> str:
    try:
        return normalize_email(email)
    except ValueError as exc:
        raise InvalidInput.field("email", str(exc)) from exc


async def _identify_alone(
    session: AsyncSession, *, lead: Lead, email: str, traits: Mapping[str, Any], at: datetime
) -> IdentityResult | None:
    """Identify a lead no other lead shares the email with; None if one took it meanwhile."""
    if not takes_email(current=lead.email, email=email, newer=is_newer(_profile(lead), at)):
        apply_traits(lead, traits, at=at)  # same email, or an older identify: traits only
        await session.flush()
        return IdentityResult(survivor_id=lead.id, email=lead.email or email)
    await session.flush()
    if not await _claim_email(session, lead=lead, email=email):
        return None
    await session.refresh(lead)
    apply_traits(lead, traits, at=at)
    await session.flush()
    return IdentityResult(survivor_id=lead.id, email=email)


async def apply_identity(
    session: AsyncSession,
    *,
    project_id: int,
    lead_id: int,
    email: str,
    traits: Mapping[str, Any],
    at: datetime,
) -> IdentityResult:
    """Attach an email and traits to a lead, merging it with the lead holding that email."""
    require_aware(at, "at")
    normalized = _normalized(email)
    lead_id = await resolve_alias(session, project_id=project_id, lead_id=lead_id)
    lead = (await _lock(session, project_id=project_id, ids=[lead_id]))[lead_id]
    holders = await _holders(session, project_id=project_id, email=normalized, exclude=lead_id)
    if not holders:
        alone = await _identify_alone(session, lead=lead, email=normalized, traits=traits, at=at)
        if alone is not None:
            return alone
        holders = await _holders(session, project_id=project_id, email=normalized, exclude=lead_id)
        if not holders:  # the racing transaction rolled back: let the job retry
            raise Conflict(f"Concurrent identify of {normalized}; retry.")
    return await _merge(
        session,
        project_id=project_id,
        lead_id=lead_id,
        holders=holders,
        email=normalized,
        traits=traits,
        at=at,
    )
