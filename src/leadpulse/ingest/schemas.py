"""Ingest payloads: the SDK format and the server API format, validated item by item.

Limits (configurable, ``Settings.max_*``): one event ≤ 32 KB of JSON; a batch ≤ 500 events
and the body ≤ 1 MB; ``properties``/``traits`` nested ≤ 5 levels with ≤ 100 keys per object;
event type 1–64 characters of ``[A-Za-z0-9_.:-]``; ids ≤ 128 characters; ``leadId`` a
BIGINT; dates converted to UTC (an offset carrying them out of range is refused); no NUL
character and no ``NaN``/``Infinity`` anywhere (``StrictInput``). Optional ``userId`` (the
sender's own id for the person, ≤ 255 characters; it identifies the lead, like an e-mail)
and ``context`` (an object kept with the event as sent) come from the Segment-compatible API
(``leadpulse.segment``) and may be sent by any SDK client.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from leadpulse.api.schemas import ApiModel, BigId, StrictInput, UtcDateTime
from leadpulse.core.identity import normalize_email

EVENT_TYPE_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"
MAX_ID = 128
MAX_USER_ID = 255
CONTAINERS = (dict, list)


def _email(value: str | None) -> str | None:
    return None if value is None else normalize_email(value)


class _EventBase(StrictInput):
    event_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    timestamp: UtcDateTime | None = None  # ISO strings without offset are read as UTC
    sent_at: UtcDateTime | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    traits: dict[str, Any] | None = None
    email: str | None = Field(default=None, max_length=254)
    session_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    user_id: str | None = Field(default=None, min_length=1, max_length=MAX_USER_ID)
    context: dict[str, Any] | None = None

    _email = field_validator("email")(_email)


class SdkEvent(_EventBase):
    """An event as sent by ls.js and the Python client."""

    api_key: str | None = Field(default=None, max_length=200)
    event: str = Field(pattern=EVENT_TYPE_PATTERN)
    anonymous_id: str = Field(min_length=1, max_length=MAX_ID)


class ApiEvent(_EventBase):
    """An event as sent by a back end to ``/api/events``: a lead id or an anonymous id."""

    event_type: str = Field(pattern=EVENT_TYPE_PATTERN)
    lead_id: BigId | None = None
    anonymous_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)

    @model_validator(mode="after")
    def _one_identity(self) -> ApiEvent:
        if (self.lead_id is None) == (self.anonymous_id is None):
            raise ValueError("send exactly one of leadId and anonymousId")
        return self


class IngestResult(ApiModel):
    """The outcome for one event."""

    status: Literal["queued", "duplicate"]
    event_id: str
    lead_id: int


class BatchItemResult(ApiModel):
    index: int
    status: Literal["queued", "duplicate", "rejected"]
    event_id: str | None = None
    lead_id: int | None = None
    errors: list[dict[str, str]] | None = None


class BatchResult(ApiModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[BatchItemResult]


def check_nesting(value: Any, *, max_depth: int, max_keys: int, path: str) -> str | None:
    """Return the path of the first object breaking the depth/key limits, or None."""
    stack: list[tuple[Any, int, str]] = [(value, 1, path)]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, dict):
            if len(node) > max_keys:
                return f"{where}: more than {max_keys} keys"
            # only containers can break a limit: scalars are never pushed (same result, and
            # no path string is built for them)
            children = [
                (v, depth + 1, f"{where}.{k}") for k, v in node.items() if isinstance(v, CONTAINERS)
            ]
        elif isinstance(node, list):
            children = [
                (v, depth + 1, f"{where}.{i}")
                for i, v in enumerate(node)
                if isinstance(v, CONTAINERS)
            ]
        else:
            continue
        if depth > max_depth:
            return f"{where}: nested deeper than {max_depth} levels"
        stack.extend(children)
    return None
