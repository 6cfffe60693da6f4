"""Turn pipeline outcomes into Socket.IO events, each sent to its project's room only.

Events (JSON, camelCase, ISO-8601 UTC times):

- ``newEvent`` — an event accepted by ingest.
- ``scoreMutation`` — one score-history row.
- ``leadUpdated`` — a lead after a scoring transaction.
- ``leadMerged`` — identity resolution merged two leads.
- ``automationExecuted`` — an automation execution finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from leadpulse.container import Container
from leadpulse.core.outcomes import (
    AutomationExecuted,
    EventIngested,
    LeadMerged,
    LeadScored,
    ScoreMutation,
)
from leadpulse.live.emitter import emitter_for


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def new_event(item: EventIngested) -> dict[str, Any]:
    """Return the ``newEvent`` payload."""
    return {
        "id": item.event_id,
        "leadId": item.lead_id,
        "eventType": item.event_type,
        "anonymousId": item.anonymous_id,
        "timestamp": _iso(item.timestamp),
        "receivedAt": _iso(item.received_at),
    }


def score_mutation(item: ScoreMutation) -> dict[str, Any]:
    """Return the ``scoreMutation`` payload."""
    return {
        "id": item.history_id,
        "leadId": item.lead_id,
        "cause": item.cause,
        "eventId": item.event_id,
        "eventType": item.event_type,
        "ruleId": item.rule_id,
        "oldScore": item.old_score,
        "newScore": item.new_score,
        "delta": item.delta,
        "createdAt": _iso(item.created_at),
    }


def lead_updated(item: LeadScored) -> dict[str, Any]:
    """Return the ``leadUpdated`` payload."""
    return {
        "id": item.lead_id,
        "anonymousId": item.anonymous_id,
        "email": item.email,
        "name": item.name,
        "score": item.score,
        "stage": item.stage,
        "velocityScore": item.velocity_score,
        "eventsLast24h": item.events_last_24h,
        "lastEventAt": _iso(item.last_event_at),
        "previousScore": item.previous_score,
        "previousStage": item.previous_stage,
    }


def lead_merged(item: LeadMerged) -> dict[str, Any]:
    """Return the ``leadMerged`` payload."""
    return {
        "survivorId": item.survivor_id,
        "mergedId": item.merged_id,
        "email": item.email,
        "mergedAt": _iso(item.merged_at),
    }


def automation_executed(item: AutomationExecuted) -> dict[str, Any]:
    """Return the ``automationExecuted`` payload."""
    return {
        "id": item.execution_id,
        "automationId": item.automation_id,
        "leadId": item.lead_id,
        "action": item.action,
        "status": item.status,
        "responseCode": item.response_code,
        "executedAt": _iso(item.executed_at),
    }


def install(container: Container) -> None:
    """Register the hooks that emit live updates after each commit."""

    async def on_ingest(items: Sequence[EventIngested]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit("newEvent", new_event(item), item.project_id)

    async def on_scoring(items: Sequence[LeadScored]) -> None:
        emitter = emitter_for(container)
        for lead in items:
            for row in lead.mutations:
                await emitter.emit("scoreMutation", score_mutation(row), lead.project_id)
            await emitter.emit("leadUpdated", lead_updated(lead), lead.project_id)

    async def on_merge(items: Sequence[LeadMerged]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit("leadMerged", lead_merged(item), item.project_id)

    async def on_automation(items: Sequence[AutomationExecuted]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit("automationExecuted", automation_executed(item), item.project_id)

    container.after_ingest.append(on_ingest)
    container.after_scoring.append(on_scoring)
    container.after_merge.append(on_merge)
    container.after_automation.append(on_automation)
