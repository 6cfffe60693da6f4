"""What a lead change did: the outcomes of ingest, scoring, decay, merges, edits and erasures.

Each outcome has two lives. Inside the transaction that made the change, the lead-change
outcomes (``LeadScored``, ``LeadMerged``, ``LeadEdited``, ``LeadDeleted``) and
``AutomationExecuted`` are written as outbox entries (``core.consequences`` encodes them,
``queue.outbox`` stores them); the outbox dispatcher later decodes them for automations and
webhooks. After the commit, the same objects go to the container's post-commit hooks, which
only emit best-effort live updates (Socket.IO frames may be lost; consequences may not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EventIngested:
    """An event accepted by ingest (not a duplicate)."""

    project_id: int
    lead_id: int
    event_row_id: int
    event_id: str
    event_type: str
    anonymous_id: str | None
    timestamp: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ScoreMutation:
    """One score-history row as written."""

    history_id: int
    project_id: int
    lead_id: int
    cause: str
    event_id: str | None
    event_type: str | None
    rule_id: int | None
    old_score: int
    new_score: int
    delta: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LeadScored:
    """A lead after a scoring transaction: its new state and what changed."""

    project_id: int
    lead_id: int
    anonymous_id: str | None
    email: str | None
    name: str | None
    score: int
    previous_score: int
    stage: str
    previous_stage: str
    velocity_score: int
    events_last_24h: int
    last_event_at: datetime | None
    event_types: frozenset[str]
    mutations: tuple[ScoreMutation, ...] = field(default=())
    scored_at: datetime | None = None

    @property
    def stage_changed(self) -> bool:
        """Tell whether the stage moved in this transaction."""
        return self.stage != self.previous_stage


@dataclass(frozen=True, slots=True)
class LeadMerged:
    """Lead ``merged_id`` was merged into ``survivor_id`` (identity resolution)."""

    project_id: int
    survivor_id: int
    merged_id: int
    email: str
    merged_at: datetime


@dataclass(frozen=True, slots=True)
class AutomationExecuted:
    """An automation execution finished (succeeded or failed for good)."""

    project_id: int
    automation_id: int
    execution_id: int
    lead_id: int
    action: str
    status: str
    response_code: int | None
    executed_at: datetime


@dataclass(frozen=True, slots=True)
class LeadEdited:
    """A lead created or changed by hand (``POST``/``PATCH /api/leads``)."""

    project_id: int
    lead_id: int
    created: bool
    at: datetime
    anonymous_id: str | None = None
    email: str | None = None
    name: str | None = None
    company: str | None = None


@dataclass(frozen=True, slots=True)
class LeadDeleted:
    """A lead (and the aliases merged into it) erased on request (GDPR); no personal data."""

    project_id: int
    lead_id: int
    merged_ids: tuple[int, ...]
    deleted_at: datetime
