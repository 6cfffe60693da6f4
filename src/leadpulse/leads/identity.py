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
- ``apply_external_id`` does the same for an external id (Segment's ``userId``, unique per
  project), with ``core.identity.external_id_action`` deciding: keep, claim, merge (the holder
  survives) or conflict (nothing applied). The same SAVEPOINT race on the unique
  (project_id, external_id) index leaves exactly one survivor. A merged lead keeps its
  external id on its alias row, so the id keeps resolving to the survivor.
  ``merge_previous`` (Segment's ``alias``) merges the lead known by a previous external id
  into the lead, and ``apply_profile`` applies traits that come with no identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.identity import (
    Profile,
    external_id_action,
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
log = structlog.get_logger("leadpulse.identity")


@dataclass(frozen=True, slots=True)
class IdentityResult:
    """Which lead now carries the identity, and what the worker must do next."""

    survivor_id: int
    email: str
    merged_ids: list[int] = field(default_factory=list)
    needs_full_rescore: bool = False
    merges: tuple[LeadMerged, ...] = ()
    conflict: bool = False  # the event's external id differs from the lead's: not applied


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


async def _live(session: AsyncSession, *, project_id: int, lead_id: int) -> Lead:
    """Lock and load the live lead a lead id stands for (following merges)."""
    lead_id = await resolve_alias(session, project_id=project_id, lead_id=lead_id)
    return (await _lock(session, project_id=project_id, ids=[lead_id]))[lead_id]


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


async def _external_holders(
    session: AsyncSession, *, project_id: int, external_id: str
) -> list[int]:
    """Return the live leads known by an external id (a merged holder counts as its survivor)."""
    rows = await session.execute(
        select(Lead.id, Lead.merged_into_id).where(
            Lead.project_id == project_id, Lead.external_id == external_id
        )
    )
    found: dict[int, int | None] = {lead_id: into for lead_id, into in rows.all()}
    merged = {lead_id: into for lead_id, into in found.items() if into is not None}
    aliases = await resolve_aliases(session, merged) if merged else {}
    return sorted({aliases.get(lead_id, lead_id) for lead_id in found})


async def _claim(session: AsyncSession, *, lead: Lead, **values: str) -> bool:
    """Set a unique identity column on the lead unless another lead got it first."""
    try:
        async with session.begin_nested():
            await session.execute(update(Lead).where(Lead.id == lead.id).values(**values))
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
    session: AsyncSession,
    *,
    survivor: Lead,
    merged: Lead,
    identity: Mapping[str, str],
    at: datetime,
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
    detail = {"mergedLeadId": merged.id, "mergedAnonymousId": merged.anonymous_id, **identity}
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
        email=identity.get("email") or survivor.email or "",
        merged_at=utcnow(),
    )


async def _merge(
    session: AsyncSession,
    project_id: int,
    lead_id: int,
    holders: Sequence[int],
    identity: Mapping[str, str],
    traits: Mapping[str, Any],
    at: datetime,
) -> IdentityResult:
    """Merge ``lead_id`` and the ``holders`` of an identity (``core.identity.plan_merge``)."""
    plan = plan_merge(identified_lead_id=lead_id, existing_lead_ids=holders)
    rows = await _lock(session, project_id=project_id, ids=[plan.survivor_id, *plan.merged_ids])
    survivor = rows[plan.survivor_id]
    merged = [_profile(rows[mid]) for mid in plan.merged_ids]
    _set_profile(survivor, merge_profile(_profile(survivor), merged, traits, at=at))
    # An identity merge must not lose the e-mail a merged lead carried (its alias row drops it)
    emails = [rows[m].email for m in plan.merged_ids if rows[m].email]
    inherited = None if survivor.email or not emails else emails[0]
    merges = [
        await _absorb(session, survivor=survivor, merged=rows[mid], identity=identity, at=at)
        for mid in plan.merged_ids
    ]
    if inherited:
        await session.flush()  # the alias row gives the address up first (unique index)
        survivor.email = inherited
    survivor.updated_at = utcnow()
    await session.execute(
        update(Event)
        .where(Event.lead_id == survivor.id, Event.project_id == project_id)
        .values(processed=False, processed_at=None)
    )
    await session.flush()
    return IdentityResult(
        survivor_id=survivor.id,
        email=survivor.email or "",
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
    if not await _claim(session, lead=lead, email=email):
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
    lead = await _live(session, project_id=project_id, lead_id=lead_id)
    lead_id = lead.id
    holders = await _holders(session, project_id=project_id, email=normalized, exclude=lead_id)
    if not holders:
        alone = await _identify_alone(session, lead=lead, email=normalized, traits=traits, at=at)
        if alone is not None:
            return alone
        holders = await _holders(session, project_id=project_id, email=normalized, exclude=lead_id)
        if not holders:  # the racing transaction rolled back: let the job retry
            raise Conflict(f"Concurrent identify of {normalized}; retry.")
    return await _merge(session, project_id, lead_id, holders, {"email": normalized}, traits, at)


async def _keep_with_traits(
    session: AsyncSession, lead: Lead, traits: Mapping[str, Any], at: datetime
) -> IdentityResult:
    await session.refresh(lead)
    apply_traits(lead, traits, at=at)
    await session.flush()
    return IdentityResult(survivor_id=lead.id, email=lead.email or "")


async def apply_external_id(
    session: AsyncSession,
    *,
    project_id: int,
    lead_id: int,
    external_id: str,
    traits: Mapping[str, Any],
    at: datetime,
) -> IdentityResult:
    """Attach an external id and traits to a lead, merging it with the lead holding the id."""
    require_aware(at, "at")
    lead = await _live(session, project_id=project_id, lead_id=lead_id)
    lead_id = lead.id
    for _ in range(2):  # a lost claim race: read the winner once more, then merge into it
        holders = await _external_holders(session, project_id=project_id, external_id=external_id)
        action = external_id_action(
            current=lead.external_id, external_id=external_id, lead_id=lead_id, holders=holders
        )
        if action == "merge":
            others = [h for h in holders if h != lead_id]
            identity = {"externalId": external_id}
            return await _merge(session, project_id, lead_id, others, identity, traits, at)
        if action == "conflict":
            log.warning("external_id_conflict", lead_id=lead.id, external_id=external_id)
            return IdentityResult(survivor_id=lead.id, email=lead.email or "", conflict=True)
        kept = action == "keep" or await _claim(session, lead=lead, external_id=external_id)
        if kept:
            return await _keep_with_traits(session, lead, traits, at)
    raise Conflict(f"Concurrent identify of external id {external_id}; retry.")


async def merge_previous(
    session: AsyncSession, *, project_id: int, lead_id: int, previous_id: str, at: datetime
) -> IdentityResult:
    """Merge the lead known by the external id ``previous_id`` into the lead (an alias call)."""
    lead_id = await resolve_alias(session, project_id=project_id, lead_id=lead_id)
    holders = await _external_holders(session, project_id=project_id, external_id=previous_id)
    previous = [h for h in holders if h != lead_id]
    if not previous:
        return IdentityResult(survivor_id=lead_id, email="")
    identity = {"previousId": previous_id}
    return await _merge(session, project_id, previous[0], [lead_id], identity, {}, at)


async def apply_profile(
    session: AsyncSession,
    *,
    project_id: int,
    lead_id: int,
    traits: Mapping[str, Any],
    at: datetime,
) -> IdentityResult:
    """Apply traits that came without an e-mail or external id to the (live) lead."""
    lead = await _live(session, project_id=project_id, lead_id=lead_id)
    apply_traits(lead, traits, at=at)
    await session.flush()
    return IdentityResult(survivor_id=lead.id, email=lead.email or "")
