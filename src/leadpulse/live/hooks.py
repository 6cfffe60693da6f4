"""Turn pipeline outcomes into Socket.IO frames, each sent to its project's room only.

The frames and their fields are defined in ``live.frames``: ``newEvent`` (an event accepted
by ingest), ``scoreMutation`` (one score-history row), ``leadUpdated`` (a lead after a
scoring transaction), ``leadMerged`` (identity resolution merged two leads) and
``automationExecuted`` (an automation execution finished).
"""

from __future__ import annotations

from collections.abc import Sequence

from leadpulse.container import Container
from leadpulse.core.outcomes import (
    AutomationExecuted,
    EventIngested,
    LeadMerged,
    LeadScored,
    ScoreMutation,
)
from leadpulse.live.emitter import emitter_for
from leadpulse.live.frames import (
    AutomationExecutedFrame,
    LeadMergedFrame,
    LeadUpdatedFrame,
    NewEventFrame,
    ScoreMutationFrame,
)


def new_event(item: EventIngested) -> NewEventFrame:
    """Return the ``newEvent`` frame."""
    return NewEventFrame(
        event_id=item.event_id,
        lead_id=item.lead_id,
        event_type=item.event_type,
        anonymous_id=item.anonymous_id,
        timestamp=item.timestamp,
        received_at=item.received_at,
    )


def score_mutation(item: ScoreMutation) -> ScoreMutationFrame:
    """Return the ``scoreMutation`` frame."""
    return ScoreMutationFrame(
        id=item.history_id,
        lead_id=item.lead_id,
        cause=item.cause,
        event_id=item.event_id,
        event_type=item.event_type,
        rule_id=item.rule_id,
        old_score=item.old_score,
        new_score=item.new_score,
        delta=item.delta,
        created_at=item.created_at,
    )


def lead_updated(item: LeadScored) -> LeadUpdatedFrame:
    """Return the ``leadUpdated`` frame."""
    return LeadUpdatedFrame(
        id=item.lead_id,
        anonymous_id=item.anonymous_id,
        email=item.email,
        name=item.name,
        current_score=item.score,
        lead_stage=item.stage,
        velocity_score=item.velocity_score,
        events_last_24h=item.events_last_24h,
        last_event_at=item.last_event_at,
        previous_score=item.previous_score,
        previous_stage=item.previous_stage,
    )


def lead_merged(item: LeadMerged) -> LeadMergedFrame:
    """Return the ``leadMerged`` frame."""
    return LeadMergedFrame(
        survivor_id=item.survivor_id,
        merged_id=item.merged_id,
        email=item.email,
        merged_at=item.merged_at,
    )


def automation_executed(item: AutomationExecuted) -> AutomationExecutedFrame:
    """Return the ``automationExecuted`` frame."""
    return AutomationExecutedFrame(
        id=item.execution_id,
        automation_id=item.automation_id,
        lead_id=item.lead_id,
        action=item.action,
        status=item.status,
        response_code=item.response_code,
        finished_at=item.executed_at,
    )


def install(container: Container) -> None:
    """Register the hooks that emit live updates after each commit."""

    async def on_ingest(items: Sequence[EventIngested]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit(new_event(item), item.project_id)

    async def on_scoring(items: Sequence[LeadScored]) -> None:
        emitter = emitter_for(container)
        for lead in items:
            for row in lead.mutations:
                await emitter.emit(score_mutation(row), lead.project_id)
            await emitter.emit(lead_updated(lead), lead.project_id)

    async def on_merge(items: Sequence[LeadMerged]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit(lead_merged(item), item.project_id)

    async def on_automation(items: Sequence[AutomationExecuted]) -> None:
        emitter = emitter_for(container)
        for item in items:
            await emitter.emit(automation_executed(item), item.project_id)

    container.after_ingest.append(on_ingest)
    container.after_scoring.append(on_scoring)
    container.after_merge.append(on_merge)
    container.after_automation.append(on_automation)
