"""The messages webhook subscribers receive: ``{type, timestamp, data}`` with camelCase data.

Built from the outcomes the outbox dispatcher decodes (``core.consequences``); each becomes
one delivery row per active subscription of the message's project that lists its type:

- ``lead.scored`` for every scored (or decayed, or rescored) lead, and ``lead.stage_changed``
  when its stage moved; ``lead.merged``; ``lead.created`` / ``lead.updated`` for manual
  edits; ``lead.deleted`` (ids only: the lead's personal data is gone);
  ``automation.executed`` when an execution finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpulse.core.consequences import Outcome, entry_of, iso, lead_change
from leadpulse.core.outcomes import (
    AutomationExecuted,
    LeadDeleted,
    LeadEdited,
    LeadMerged,
    LeadScored,
)
from leadpulse.store.types import utcnow


@dataclass(frozen=True, slots=True)
class Message:
    """One event for the subscribers of one project (about ``lead_id``, if any)."""

    project_id: int
    type: str
    timestamp: datetime
    data: dict[str, Any]
    lead_id: int | None = None

    def payload(self) -> dict[str, Any]:
        """Return the JSON body sent to subscribers."""
        return {"type": self.type, "timestamp": iso(self.timestamp), "data": self.data}


def _scored(item: LeadScored, at: datetime) -> list[Message]:
    data = {
        "leadId": item.lead_id,
        "anonymousId": item.anonymous_id,
        "email": item.email,
        "name": item.name,
        **lead_change(item),
    }
    at = item.scored_at or at
    messages = [Message(item.project_id, "lead.scored", at, data, item.lead_id)]
    if item.stage_changed:
        messages.append(Message(item.project_id, "lead.stage_changed", at, data, item.lead_id))
    return messages


def _merged(item: LeadMerged, _: datetime) -> list[Message]:
    data = {
        "survivorId": item.survivor_id,
        "mergedId": item.merged_id,
        "email": item.email,
        "mergedAt": iso(item.merged_at),
    }
    return [Message(item.project_id, "lead.merged", item.merged_at, data, item.survivor_id)]


def _edited(item: LeadEdited, _: datetime) -> list[Message]:
    data = {
        "leadId": item.lead_id,
        "anonymousId": item.anonymous_id,
        "email": item.email,
        "name": item.name,
        "company": item.company,
    }
    kind = "lead.created" if item.created else "lead.updated"
    return [Message(item.project_id, kind, item.at, data, item.lead_id)]


def _deleted(item: LeadDeleted, _: datetime) -> list[Message]:
    data = {"leadId": item.lead_id, **entry_of(item).payload}  # ids only: the lead is gone
    return [Message(item.project_id, "lead.deleted", item.deleted_at, data, item.lead_id)]


def _executed(item: AutomationExecuted, _: datetime) -> list[Message]:
    data = {"leadId": item.lead_id, **entry_of(item).payload}
    return [Message(item.project_id, "automation.executed", item.executed_at, data, item.lead_id)]


_BUILDERS: dict[type[Any], Callable[[Any, datetime], list[Message]]] = {
    LeadScored: _scored,
    LeadMerged: _merged,
    LeadEdited: _edited,
    LeadDeleted: _deleted,
    AutomationExecuted: _executed,
}


def messages_for(outcome: Outcome, at: datetime) -> list[Message]:
    """Return the messages an outcome sends; ``at`` stamps those without a time of their own."""
    return _BUILDERS[type(outcome)](outcome, at)


def ping_message(project_id: int, subscription_id: int) -> Message:
    """Build the ``ping`` a user sends to test a subscription."""
    now = utcnow()
    return Message(project_id, "ping", now, {"subscriptionId": subscription_id})
