"""Request and response bodies of ``/api/webhooks``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, Field, StringConstraints

from leadpulse.api.schemas import ApiModel, StrictInput, not_null
from leadpulse.webhooks import ssrf

EventType = Literal[
    "lead.scored",
    "lead.stage_changed",
    "lead.merged",
    "lead.created",
    "lead.updated",
    "lead.deleted",
    "automation.executed",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
MAX_URL_LENGTH = 2048
DeliveryStatus = Literal["pending", "succeeded", "failed"]


def check_url(value: str) -> str:
    """Accept an absolute http(s) URL with a host (the SSRF check runs in the service)."""
    try:
        return str(ssrf.parse_url(value))
    except ssrf.TargetRefused as exc:
        raise ValueError(str(exc)) from exc


def _unique(events: list[EventType]) -> list[EventType]:
    return list(dict.fromkeys(events))


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(check_url),
]
Events = Annotated[
    list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES)), AfterValidator(_unique)
]


class WebhookCreate(StrictInput):
    """Subscribe a URL to lead events."""

    url: Url = Field(description=f"http(s) URL, at most {MAX_URL_LENGTH} characters")
    events: Events = Field(description="Event types to deliver: " + ", ".join(EVENT_TYPES))
    active: bool = True


class WebhookUpdate(StrictInput):
    """Change a subscription's URL, events or active flag (omitted fields stay)."""

    url: Url | None = None
    events: Events | None = None
    active: bool | None = None

    _not_null = not_null("url", "events", "active")


class WebhookRead(ApiModel):
    """A subscription; its secret is never shown again after creation."""

    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookSaved(WebhookRead):
    """A saved subscription, with what the user should know about its target."""

    warnings: list[str] = Field(
        default_factory=list,
        description="e.g. the host does not resolve yet (each delivery checks it again)",
    )


class WebhookCreated(WebhookSaved):
    """The creation response: the only time the signing secret is shown."""

    secret: str = Field(description="whsec_… signing secret; store it now, it is not shown again")


class DeliveryRead(ApiModel):
    """One message to one subscription and the outcome of its attempts."""

    id: int
    subscription_id: int
    message_id: str = Field(description="The webhook-id header, stable across retries")
    event_type: str
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    response_code: int | None
    error: str | None
    created_at: datetime
    delivered_at: datetime | None
