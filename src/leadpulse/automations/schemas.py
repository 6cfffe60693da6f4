"""Request and response bodies of ``/api/automations``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from leadpulse.api.schemas import ApiModel, StrictInput, not_null
from leadpulse.automations.configs import Action
from leadpulse.core.stages import Stage

MAX_VELOCITY = 10  # velocityScore = min(10, eventsLast24h): a higher minimum never fires
MAX_SCORE = 10_000
ExecutionStatus = Literal["pending", "succeeded", "failed"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EventType = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
MinVelocity = Annotated[int, Field(ge=0, le=MAX_VELOCITY)]
MinScore = Annotated[int, Field(ge=0, le=MAX_SCORE)]
Config = Annotated[
    dict[str, Any],
    Field(
        description=(
            "Per action: webhook {url, method?, headers?}; slack {webhookUrl}; "
            "email {recipients, subject?, body?}; log {level?}"
        )
    ),
]


class AutomationCreate(StrictInput):
    """A rule: when every set condition holds after scoring, run the action (once a day)."""

    name: Name
    when_stage: Stage | None = None
    min_velocity: MinVelocity | None = None
    min_score: MinScore | None = None
    event_type: EventType | None = None
    action: Action
    config: Config = Field(default_factory=dict)
    active: bool = True


class AutomationUpdate(StrictInput):
    """Change an automation; conditions may be set to null to clear them."""

    name: Name | None = None
    when_stage: Stage | None = None
    min_velocity: MinVelocity | None = None
    min_score: MinScore | None = None
    event_type: EventType | None = None
    action: Action | None = None
    config: Config | None = None
    active: bool | None = None

    _not_null = not_null("name", "action", "config", "active")


class AutomationRead(ApiModel):
    """An automation as stored (config in its JSON form)."""

    id: int
    name: str
    when_stage: str | None
    min_velocity: int | None
    min_score: int | None
    event_type: str | None
    action: str
    config: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime


class ExecutionRead(ApiModel):
    """One firing of an automation for a lead, and how running it went."""

    id: int
    automation_id: int
    lead_id: int
    day: date
    status: ExecutionStatus
    attempts: int
    response_code: int | None
    error: str | None
    payload: dict[str, Any]
    run_at: datetime
    created_at: datetime
    finished_at: datetime | None
