"""Outbox entries: how an outcome is written in its transaction and read back for dispatch.

An ``Entry`` is what the transaction that changed a lead writes to the outbox (one row per
outcome, ``queue.outbox.enqueue``): a ``kind``, the project, the lead and a JSON payload that
describes the change **without personal data** — no e-mail, name or anonymous id. The
dispatcher reads the lead's ``LeadIdentity`` when it expands the entry and ``outcome_of``
rebuilds the outcome from both, so a lead erased in between is never copied anywhere again
(its entries decode to None), and outbox rows never need redacting.

Kinds and payloads (camelCase JSON, ISO-8601 times):

- ``lead.changed`` (``LeadScored``: scoring, rescore, decay): score, previousScore, stage,
  previousStage, velocityScore, eventsLast24h, lastEventAt, eventTypes, at (the change's
  time: an automation's once-a-day key is its UTC date, so expanding again on another day
  fires nothing twice);
- ``lead.merged`` (``LeadMerged``, on the survivor): mergedId, mergedAt;
- ``lead.created`` / ``lead.updated`` (``LeadEdited``): at;
- ``lead.deleted`` (``LeadDeleted``): mergedIds, deletedAt — the lead is gone, no identity;
- ``automation.executed`` (``AutomationExecuted``): automationId, executionId, action,
  status, responseCode, executedAt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpulse.core.outcomes import (
    AutomationExecuted,
    LeadDeleted,
    LeadEdited,
    LeadMerged,
    LeadScored,
)

Outcome = LeadScored | LeadMerged | LeadEdited | LeadDeleted | AutomationExecuted
Payload = dict[str, Any]
CHANGED, MERGED, CREATED, UPDATED, DELETED, EXECUTED = (
    "lead.changed",
    "lead.merged",
    "lead.created",
    "lead.updated",
    "lead.deleted",
    "automation.executed",
)
# Kinds whose decoding needs the lead's identity (the lead must still exist).
NEEDS_IDENTITY = frozenset({CHANGED, MERGED, CREATED, UPDATED})


@dataclass(frozen=True, slots=True)
class Entry:
    """One outbox row to write: kind, tenant, lead and a payload without personal data."""

    kind: str
    project_id: int
    lead_id: int | None
    payload: Payload


@dataclass(frozen=True, slots=True)
class LeadIdentity:
    """The personal data of a live lead, read when an entry is expanded."""

    lead_id: int
    anonymous_id: str | None
    email: str | None
    name: str | None
    company: str | None


@dataclass(frozen=True, slots=True)
class Consequence:
    """A decoded outbox entry handed to the expanders: due at ``due_at`` (its write time)."""

    outbox_id: int
    due_at: datetime
    outcome: Outcome


def iso(value: datetime | None) -> str | None:
    """Write a UTC time as JSON does here: ISO-8601 with a ``Z``."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def lead_change(item: LeadScored) -> Payload:
    """Describe what a score change did to a lead, without personal data (the ``lead.changed``
    payload, and the non-personal part of the ``lead.scored`` webhook)."""
    return {
        "score": item.score,
        "previousScore": item.previous_score,
        "stage": item.stage,
        "previousStage": item.previous_stage,
        "velocityScore": item.velocity_score,
        "eventsLast24h": item.events_last_24h,
        "lastEventAt": iso(item.last_event_at),
        "eventTypes": sorted(item.event_types),
    }


def entry_of(outcome: Outcome) -> Entry:
    """Encode an outcome as the outbox row its transaction writes."""
    if isinstance(outcome, LeadScored):
        changed = {**lead_change(outcome), "at": iso(outcome.scored_at)}
        return Entry(CHANGED, outcome.project_id, outcome.lead_id, changed)
    if isinstance(outcome, LeadMerged):
        merged = {"mergedId": outcome.merged_id, "mergedAt": iso(outcome.merged_at)}
        return Entry(MERGED, outcome.project_id, outcome.survivor_id, merged)
    if isinstance(outcome, LeadEdited):
        kind = CREATED if outcome.created else UPDATED
        return Entry(kind, outcome.project_id, outcome.lead_id, {"at": iso(outcome.at)})
    if isinstance(outcome, LeadDeleted):
        deleted: Payload = {
            "mergedIds": list(outcome.merged_ids),
            "deletedAt": iso(outcome.deleted_at),
        }
        return Entry(DELETED, outcome.project_id, outcome.lead_id, deleted)
    executed: Payload = {
        "automationId": outcome.automation_id,
        "executionId": outcome.execution_id,
        "action": outcome.action,
        "status": outcome.status,
        "responseCode": outcome.response_code,
        "executedAt": iso(outcome.executed_at),
    }
    return Entry(EXECUTED, outcome.project_id, outcome.lead_id, executed)


def _scored(project_id: int, lead: LeadIdentity, p: Mapping[str, Any]) -> LeadScored:
    return LeadScored(
        project_id=project_id,
        lead_id=lead.lead_id,
        anonymous_id=lead.anonymous_id,
        email=lead.email,
        name=lead.name,
        score=p["score"],
        previous_score=p["previousScore"],
        stage=p["stage"],
        previous_stage=p["previousStage"],
        velocity_score=p["velocityScore"],
        events_last_24h=p["eventsLast24h"],
        last_event_at=_time(p.get("lastEventAt")),
        event_types=frozenset(p.get("eventTypes") or ()),
        scored_at=_time(p.get("at")),
    )


def _merged(project_id: int, lead: LeadIdentity, p: Mapping[str, Any]) -> LeadMerged:
    merged_at = _time(p["mergedAt"])
    assert merged_at is not None
    return LeadMerged(project_id, lead.lead_id, p["mergedId"], lead.email or "", merged_at)


def _edited(created: bool) -> Callable[[int, LeadIdentity, Mapping[str, Any]], LeadEdited]:
    def decode(project_id: int, lead: LeadIdentity, p: Mapping[str, Any]) -> LeadEdited:
        at = _time(p["at"])
        assert at is not None
        return LeadEdited(
            project_id, lead.lead_id, created, at, lead.anonymous_id, lead.email, lead.name,
            lead.company,
        )  # fmt: skip

    return decode


_WITH_IDENTITY: dict[str, Callable[[int, LeadIdentity, Mapping[str, Any]], Outcome]] = {
    CHANGED: _scored,
    MERGED: _merged,
    CREATED: _edited(True),
    UPDATED: _edited(False),
}


def _deleted(project_id: int, lead_id: int, p: Mapping[str, Any]) -> LeadDeleted:
    deleted_at = _time(p["deletedAt"])
    assert deleted_at is not None
    return LeadDeleted(project_id, lead_id, tuple(p.get("mergedIds") or ()), deleted_at)


def _executed(project_id: int, lead_id: int, p: Mapping[str, Any]) -> AutomationExecuted:
    executed_at = _time(p["executedAt"])
    assert executed_at is not None
    return AutomationExecuted(
        project_id=project_id,
        automation_id=p["automationId"],
        execution_id=p["executionId"],
        lead_id=lead_id,
        action=p["action"],
        status=p["status"],
        response_code=p.get("responseCode"),
        executed_at=executed_at,
    )


def outcome_of(entry: Entry, identity: Mapping[int, LeadIdentity]) -> Outcome | None:
    """Decode an entry; None when its lead no longer exists (erased) or the kind is unknown.

    ``identity`` maps lead ids to the identities of the leads that still exist.
    """
    if entry.lead_id is None:
        return None
    if entry.kind in NEEDS_IDENTITY:
        lead = identity.get(entry.lead_id)
        if lead is None:
            return None
        return _WITH_IDENTITY[entry.kind](entry.project_id, lead, entry.payload)
    if entry.kind == DELETED:
        return _deleted(entry.project_id, entry.lead_id, entry.payload)
    if entry.kind == EXECUTED:
        return _executed(entry.project_id, entry.lead_id, entry.payload)
    return None
