"""Turn pipeline outcomes into Socket.IO frames, each sent to its project's room only.

The frames and their fields are defined in ``live.frames``: ``newEvent`` (an event accepted
by ingest), ``scoreMutation`` (one score-history row), ``leadUpdated`` (a lead after a
scoring transaction), ``leadMerged`` (identity resolution merged two leads) and
``automationExecuted`` (an automation execution finished). They are batched per window
(``live.batching``) before they reach the emitter.
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
from leadpulse.live.batching import Coalescer, FrameBatcher
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


def batcher_for(container: Container) -> FrameBatcher:
    """Return a batcher that sends each window through the process's emitter.

    Its closer is registered at the first offer, after ``emitter_for`` registered the
    emitter's: closers run in reverse, so the last window is flushed before the emitter
    (and the server) close.
    """
    settings = container.settings
    coalescer = Coalescer(window=settings.live_batch_ms / 1000, cap=settings.live_batch_cap)

    def started() -> None:
        emitter_for(container)
        container.closers.append(batcher.close)

    batcher = FrameBatcher(coalescer, lambda: emitter_for(container), on_first_offer=started)
    return batcher


def install(container: Container) -> None:
    """Register the hooks that emit live updates after each commit (batched per window)."""
    batcher = batcher_for(container)

    async def on_ingest(items: Sequence[EventIngested]) -> None:
        for item in items:
            batcher.offer(item.project_id, new_event(item))

    async def on_scoring(items: Sequence[LeadScored]) -> None:
        for lead in items:
            for row in lead.mutations:
                batcher.offer(lead.project_id, score_mutation(row))
            batcher.offer(lead.project_id, lead_updated(lead))

    async def on_merge(items: Sequence[LeadMerged]) -> None:
        for item in items:
            batcher.offer(item.project_id, lead_merged(item))

    async def on_automation(items: Sequence[AutomationExecuted]) -> None:
        for item in items:
            batcher.offer(item.project_id, automation_executed(item))

    container.after_ingest.append(on_ingest)
    container.after_scoring.append(on_scoring)
    container.after_merge.append(on_merge)
    container.after_automation.append(on_automation)
