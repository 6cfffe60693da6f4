"""Bodies of the Segment-compatible API: what the libraries send (documented, validated by
``core.segment`` and ``ingest.schemas.SdkEvent``) and what LeadPulse answers."""

from __future__ import annotations

from typing import Any

from leadpulse.api.schemas import ApiModel

_ID = {"type": ["string", "integer"]}
_OBJECT = {"type": "object", "additionalProperties": True}
_TIME = {"type": "string", "format": "date-time"}
MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A Segment message; userId or anonymousId is required.",
    "properties": {
        "type": {"type": "string", "description": "the call (in a batch)"},
        "messageId": _ID,
        "anonymousId": _ID,
        "userId": _ID,
        "event": {"type": "string", "description": "track: the event name"},
        "name": {"type": "string", "description": "page/screen: the page name"},
        "category": {"type": "string"},
        "groupId": _ID,
        "previousId": _ID,
        "properties": _OBJECT,
        "traits": _OBJECT,
        "context": _OBJECT,
        "timestamp": _TIME,
        "originalTimestamp": _TIME,
        "sentAt": _TIME,
        "writeKey": {"type": "string", "description": "pk_ or sk_ key (or HTTP Basic)"},
    },
}
BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {"type": "array", "items": MESSAGE_SCHEMA},
        "sentAt": _TIME,
        "writeKey": {"type": "string"},
        "context": _OBJECT,
    },
}


class RejectedMessage(ApiModel):
    """A message of a batch that was not stored, and why."""

    index: int
    errors: list[dict[str, str]]


class SegmentResult(ApiModel):
    """Segment's answer, ``{"success": true}``; a batch lists the messages it dropped."""

    success: bool = True
    rejected: list[RejectedMessage] | None = None
