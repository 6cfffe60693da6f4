"""The messages webhook subscribers receive: ``{type, timestamp, data}`` with camelCase data.

Built from the pipeline's post-commit outcomes; each becomes one delivery row per active
subscription of the message's project that lists its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpulse.core.outcomes import AutomationExecuted, LeadMerged, LeadScored
from leadpulse.store.types import utcnow


@dataclass(frozen=True, slots=True)
class Message:
    """One event for the subscribers of one project."""

    project_id: int
    type: str
    timestamp: datetime
    data: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """Return the JSON body sent to subscribers."""
        return {"type": self.type, "timestamp": _iso(self.timestamp), "data": self.data}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _lead_data(item: LeadScored) -> dict[str, Any]:
    return {
        "leadId": item.lead_id,
        "anonymousId": item.anonymous_id,
        "email": item.email,
        "name": item.name,
        "score": item.score,
        "previousScore": item.previous_score,
        "stage": item.stage,
        "previousStage": item.previous_stage,
        "velocityScore": item.velocity_score,
        "eventsLast24h": item.events_last_24h,
        "lastEventAt": _iso(item.last_event_at),
        "eventTypes": sorted(item.event_types),
    }


def scored_messages(items: Sequence[LeadScored]) -> Iterable[Message]:
    """Yield ``lead.scored`` for each lead, and ``lead.stage_changed`` when its stage moved."""
    for item in items:
        at = item.scored_at or utcnow()
        data = _lead_data(item)
        yield Message(item.project_id, "lead.scored", at, data)
        if item.stage_changed:
            yield Message(item.project_id, "lead.stage_changed", at, data)


def merged_messages(items: Sequence[LeadMerged]) -> Iterable[Message]:
    """Yield ``lead.merged`` for each identity merge."""
    for item in items:
        data = {
            "survivorId": item.survivor_id,
            "mergedId": item.merged_id,
            "email": item.email,
            "mergedAt": _iso(item.merged_at),
        }
        yield Message(item.project_id, "lead.merged", item.merged_at, data)


def automation_messages(items: Sequence[AutomationExecuted]) -> Iterable[Message]:
    """Yield ``automation.executed`` for each finished automation execution."""
    for item in items:
        data = {
            "automationId": item.automation_id,
            "executionId": item.execution_id,
            "leadId": item.lead_id,
            "action": item.action,
            "status": item.status,
            "responseCode": item.response_code,
            "executedAt": _iso(item.executed_at),
        }
        yield Message(item.project_id, "automation.executed", item.executed_at, data)


def ping_message(project_id: int, subscription_id: int) -> Message:
    """Build the ``ping`` a user sends to test a subscription."""
    now = utcnow()
    return Message(project_id, "ping", now, {"subscriptionId": subscription_id})
