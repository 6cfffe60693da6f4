"""The Socket.IO frames, typed: one model per event, field names as in the REST resources.

Each frame carries the name of the event it is sent as (``EVENT``). Fields are named like
the REST schema of the same resource — ``leadUpdated`` says ``currentScore``/``leadStage`` as
``GET /api/leads/{id}`` does, ``newEvent`` says ``eventId`` as ``GET /api/events`` does — so
a client can apply a frame to a cached REST resource without renaming anything. Times are
ISO-8601 with their UTC offset.

Frames are batched per window before they are sent (``live.batching``): a client gets at
most one ``leadUpdated`` per lead per window (the latest state; ``previousScore`` and
``previousStage`` from before the window) and the latest few frames of each other type.
Each frame keeps its own event and shape; there is no batch envelope.

``LiveFrames`` (event name → frame) is published in the OpenAPI document by
``live.routes``; the dashboard's client types are generated from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, Field, PlainSerializer, WithJsonSchema

from leadpulse.api.schemas import ApiModel


def _iso(value: datetime) -> str:
    return value.isoformat()


Timestamp = Annotated[
    AwareDatetime,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class LiveFrame(ApiModel):
    """Base of every frame: ``payload()`` is what goes on the wire."""

    EVENT: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        """Return the JSON-ready body of the frame (camelCase keys)."""
        return self.model_dump(mode="json", by_alias=True)


class NewEventFrame(LiveFrame):
    """An event accepted by ingest (``EventRead`` names; plus the visitor's anonymous id)."""

    EVENT: ClassVar[str] = "newEvent"

    event_id: str
    lead_id: int
    event_type: str
    anonymous_id: str | None
    timestamp: Timestamp
    received_at: Timestamp


class ScoreMutationFrame(LiveFrame):
    """One score-history row (``ScoreMutationOut`` / ``HistoryRow`` names)."""

    EVENT: ClassVar[str] = "scoreMutation"

    id: int
    lead_id: int
    cause: str
    event_id: str | None
    event_type: str | None
    rule_id: int | None
    old_score: int
    new_score: int
    delta: int
    created_at: Timestamp


class LeadUpdatedFrame(LiveFrame):
    """A lead after a scoring transaction (``LeadListItem`` names) and what it was before."""

    EVENT: ClassVar[str] = "leadUpdated"

    id: int
    anonymous_id: str | None
    email: str | None
    name: str | None
    current_score: int
    lead_stage: str
    velocity_score: int
    events_last_24h: int = Field(alias="eventsLast24h")
    last_event_at: Timestamp | None
    previous_score: int
    previous_stage: str


class LeadMergedFrame(LiveFrame):
    """Identity resolution merged lead ``mergedId`` into lead ``survivorId``."""

    EVENT: ClassVar[str] = "leadMerged"

    survivor_id: int
    merged_id: int
    email: str
    merged_at: Timestamp


class AutomationExecutedFrame(LiveFrame):
    """An automation execution finished (``ExecutionRead`` names, plus its action)."""

    EVENT: ClassVar[str] = "automationExecuted"

    id: int
    automation_id: int
    lead_id: int
    action: str
    status: str
    response_code: int | None
    finished_at: Timestamp


class LiveFrames(ApiModel):
    """Every Socket.IO event a dashboard receives, by name, with the type of its payload."""

    new_event: NewEventFrame
    score_mutation: ScoreMutationFrame
    lead_updated: LeadUpdatedFrame
    lead_merged: LeadMergedFrame
    automation_executed: AutomationExecutedFrame
