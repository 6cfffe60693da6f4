"""Response bodies of ``/api/analytics``."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from leadpulse.api.schemas import ApiModel

T = TypeVar("T")


class TypeCount(ApiModel):
    event_type: str
    count: int


class StageCounts(ApiModel):
    cold: int = 0
    warm: int = 0
    hot: int = 0
    qualified: int = 0


class TopLead(ApiModel):
    id: int
    name: str | None
    email: str | None
    anonymous_id: str | None
    score: int
    stage: str


class DashboardOut(ApiModel):
    """Headline figures of one project.

    ``identifiedLeads`` counts the live leads with an e-mail or an external user id.
    ``identityResolutions`` counts leads merged into another lead (one per merge).
    ``avgProcessingLatencyMs`` averages processed_at − received_at over the events received
    in the last 24 h that have been scored; null when there are none.
    """

    total_leads: int
    identified_leads: int
    qualified_leads: int
    events_today: int
    total_events: int
    average_score: float
    identity_resolutions: int
    avg_processing_latency_ms: float | None
    events_by_type: list[TypeCount]
    score_distribution: StageCounts
    top_leads: list[TopLead]


class ThroughputBucket(ApiModel):
    hour: datetime
    events: int
    score_mutations: int


class ThroughputOut(ApiModel):
    """Events received and score mutations written per UTC hour, oldest first."""

    hours: int
    buckets: list[ThroughputBucket]


class QueueHealthOut(ApiModel):
    """The project's scoring queue; ``workers`` counts live workers of the whole installation."""

    pending: int
    active: int
    failed: int
    dead_letters: int
    workers: int
    oldest_pending_age_seconds: float | None


class ScoreMutationOut(ApiModel):
    id: int
    lead_id: int
    lead_name: str | None = None
    lead_email: str | None = None
    anonymous_id: str | None = None
    cause: str
    event_id: str | None
    event_type: str | None
    rule_id: int | None
    old_score: int
    new_score: int
    delta: int
    created_at: datetime


class AutomationLogOut(ApiModel):
    id: int
    automation_id: int
    automation_name: str
    action: str
    lead_id: int
    lead_name: str | None
    lead_email: str | None
    status: str
    attempts: int
    response_code: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class Feed(ApiModel, Generic[T]):
    """The latest rows, newest first (a feed, not a paginated list: no total)."""

    items: list[T]
    limit: int
