"""Request and response bodies of the leads, leaderboard and event-feed endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from leadpulse.api.schemas import ApiModel, StrictInput

# Named limits of the leads API.
MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_TRAITS = 100
MAX_TRAIT_KEY = 64
MAX_TIMELINE_EVENTS = 1000
DEFAULT_TIMELINE_EVENTS = 200
MAX_SEARCH = 200
MAX_CURSOR = 200

LeadSort = Literal[
    "score", "-score", "lastEventAt", "-lastEventAt", "createdAt", "-createdAt", "name"
]
StageName = Literal["cold", "warm", "hot", "qualified"]
TraitValue = str | int | float | bool | None


def _check_traits(value: dict[str, TraitValue] | None) -> dict[str, TraitValue] | None:
    if value is None:
        return None
    if len(value) > MAX_TRAITS:
        raise ValueError(f"at most {MAX_TRAITS} traits")
    for key in value:
        if not key or len(key) > MAX_TRAIT_KEY or key.startswith("_"):
            raise ValueError(f"trait names are 1-{MAX_TRAIT_KEY} characters, not starting with _")
    return value


class LeadCreate(StrictInput):
    email: str = Field(max_length=254)
    name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    anonymous_id: str | None = Field(default=None, min_length=1, max_length=128)
    traits: dict[str, TraitValue] | None = None

    _traits = field_validator("traits")(_check_traits)


class LeadUpdate(StrictInput):
    """PATCH body: ``traits`` are merged (a null value removes a trait); email is refused."""

    name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    traits: dict[str, TraitValue] | None = None
    email: str | None = Field(default=None, description="Not patchable: send an identify.")

    _traits = field_validator("traits")(_check_traits)


class LeadListItem(ApiModel):
    id: int
    anonymous_id: str | None
    email: str | None
    name: str | None
    company: str | None
    current_score: int
    lead_stage: str
    velocity_score: int
    events_last_24h: int = Field(alias="eventsLast24h")
    risk: str
    last_event_at: datetime | None
    created_at: datetime
    identified: bool
    traits: dict[str, Any]


class LeadRead(LeadListItem):
    """A lead; a merged lead has ``mergedInto`` set (and a ``Location`` header to it)."""

    base_score: int
    event_count: int
    last_decay_on: date | None
    merged_into: int | None
    updated_at: datetime


class LeaderboardItem(LeadListItem):
    rank: int


class StageCounts(ApiModel):
    cold: int = 0
    warm: int = 0
    hot: int = 0
    qualified: int = 0


class TimelineEvent(ApiModel):
    id: int
    event_id: str
    event_type: str
    timestamp: datetime
    received_at: datetime
    properties: dict[str, Any]
    processed: bool
    delta: int
    score: int | None = Field(description="Score right after this event; null if not scored yet.")


class TimelineSession(ApiModel):
    session_id: str | None = Field(description="null groups events sent without a session.")
    started_at: datetime
    ended_at: datetime
    events: list[TimelineEvent]


class Timeline(ApiModel):
    lead_id: int
    sessions: list[TimelineSession]


class HistoryRow(ApiModel):
    id: int
    cause: str
    rule_id: int | None
    event_row_id: int | None
    event_id: str | None
    event_type: str | None
    event_timestamp: datetime | None
    points: int
    old_score: int
    new_score: int
    delta: int
    detail: dict[str, Any] | None
    created_at: datetime


class IntelligenceRead(ApiModel):
    """``velocityScore`` is min(10, eventsLast24h), the 0–10 figure automations compare;
    ``velocity`` is eventsLast24h × 3, the spec's intelligence figure (not a count)."""

    stage: str
    events_last_24h: int = Field(alias="eventsLast24h", description="By event time, as of now")
    velocity: int = Field(description="eventsLast24h × 3")
    velocity_score: int = Field(description="min(10, eventsLast24h), 0–10")
    velocity_trend: str
    risk: str
    next_action: str
    engagement_score: float
    churn_probability: float
    days_since_last_event: float | None


class EventRead(ApiModel):
    """``email`` is what this event carried; ``leadEmail``/``leadName``/``anonymousId`` are
    its lead's identity now (set on every event once the lead is identified)."""

    id: int
    event_id: str
    event_type: str
    lead_id: int
    session_id: str | None
    email: str | None
    lead_email: str | None = None
    lead_name: str | None = None
    anonymous_id: str | None = None
    timestamp: datetime
    received_at: datetime
    properties: dict[str, Any]
    processed: bool


class EventFeed(ApiModel):
    """Newest first; pass ``nextCursor`` back as ``cursor`` for the next page (null: done)."""

    items: list[EventRead]
    next_cursor: str | None
