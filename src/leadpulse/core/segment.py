"""Segment Tracking API messages → LeadPulse SDK events (pure).

One message (an ``identify``, ``track``, ``page``, ``screen``, ``group`` or ``alias`` call, as
sent by Segment's and RudderStack's libraries) becomes one event in LeadPulse's SDK format
(the body ``ingest.schemas.SdkEvent`` validates), so it is validated, deduplicated, queued
and scored like any other event:

==================  =====================================================================
Segment             LeadPulse event
==================  =====================================================================
``messageId``       ``eventId`` (the dedupe key; none sent: LeadPulse makes one)
``anonymousId``     ``anonymousId``, the lead's key
``userId``          ``userId`` (stored on the event; identifies the lead like an e-mail).
                    Without an anonymousId the lead's key is made from it (``user_key``)
``event``           event type, ``normalize_event_type``: "Demo Requested" → demo_requested
page / screen       ``page_view`` / ``screen_view``; ``name`` and ``category`` join the
                    properties
identify / group /  ``identify`` / ``group`` / ``alias``
alias
``properties``      ``properties``
``traits``          ``traits`` (identify: over ``context.traits``; other calls:
                    ``context.traits``). ``traits.email`` → ``email`` (identify by e-mail);
                    a ``company`` object gives its ``name``; ``firstName`` + ``lastName``
                    give ``name`` when there is none
group               ``traits``: ``groupId``, ``company`` = group ``traits.name``, and the
                    other group traits (``employees``, ``industry`` …) except
                    ``email``; ``properties.groupId``
alias               the lead keyed by ``previousId`` is identified by ``userId``;
                    ``properties.previousId`` (the worker also merges the lead whose
                    external id is ``previousId``)
``originalTimestamp`` ``timestamp`` (else ``timestamp``), corrected with ``sentAt``
``sentAt``          ``sentAt`` (the message's, else the batch's)
``context``         ``context``, kept as sent
==================  =====================================================================

Event types (``normalize_event_type``): lowercase; spaces and dashes become underscores;
every character other than ``a-z``, ``0-9`` and ``_`` is dropped; runs of underscores
collapse to one and leading/trailing ones go; at most 64 characters. A name with nothing
left is invalid. Other message fields (``integrations``, ``channel``, ``type`` …) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

CALLS = ("identify", "track", "page", "screen", "group", "alias")
FIXED_TYPES = {
    "identify": "identify",
    "page": "page_view",
    "screen": "screen_view",
    "group": "group",
    "alias": "alias",
}
MAX_EVENT_TYPE = 64
MAX_USER_ID = 255
PREVIOUS_ID_KEY = "previousId"
GROUP_ID_KEY = "groupId"
_SEPARATORS = re.compile(r"[\s\-]+")
_DROPPED = re.compile(r"[^a-z0-9_]")
_UNDERSCORES = re.compile(r"_+")


class SegmentFieldError(ValueError):
    """A message field that cannot be mapped: its Segment path and what is wrong."""

    def __init__(self, field: str, msg: str, type_: str = "value_error") -> None:
        super().__init__(f"{field}: {msg}")
        self.field, self.msg, self.type = field, msg, type_


@dataclass(frozen=True, slots=True)
class Mapped:
    """One message as a LeadPulse SDK event, and where each of its fields came from."""

    event: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)


def normalize_event_type(name: str) -> str:
    """Turn a Segment event name into a LeadPulse event type (see the module docstring)."""
    text = _SEPARATORS.sub("_", name.strip().lower())
    text = _UNDERSCORES.sub("_", _DROPPED.sub("", text)).strip("_")
    return text[:MAX_EVENT_TYPE].rstrip("_")


def _id(message: Mapping[str, Any], name: str) -> str | None:
    value = message.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SegmentFieldError(name, "must be a string", "string_type")
    text = str(value).strip()
    if len(text) > MAX_USER_ID:
        raise SegmentFieldError(name, f"must be at most {MAX_USER_ID} characters", "too_long")
    return text or None


def _object(message: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = message.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SegmentFieldError(name, "must be an object", "dict_type")
    return dict(value)


def _person(traits: dict[str, Any]) -> dict[str, Any]:
    """Fit Segment's reserved person traits to LeadPulse's name and company columns."""
    company = traits.get("company")
    if isinstance(company, dict):
        traits["company"] = company.get("name")
    if not traits.get("name"):
        parts = [traits.get(k) for k in ("firstName", "lastName")]
        full = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
        if full:
            traits["name"] = full
    return {k: v for k, v in traits.items() if v is not None}


def _group_traits(message: Mapping[str, Any], group_id: str) -> dict[str, Any]:
    group = _object(message, "traits")
    name = group.pop("name", None)
    group.pop("email", None)
    traits: dict[str, Any] = {**group, GROUP_ID_KEY: group_id}
    if isinstance(name, str) and name.strip():
        traits["company"] = name
    return traits


def _event_type(call: str, message: Mapping[str, Any]) -> str:
    if call in FIXED_TYPES:
        return FIXED_TYPES[call]
    name = message.get("event")
    if not isinstance(name, str) or not name.strip():
        raise SegmentFieldError("event", "a track call needs an event name", "missing")
    normalized = normalize_event_type(name)
    if not normalized:
        raise SegmentFieldError("event", "has no letter, digit or underscore to keep")
    return normalized


def _properties(call: str, message: Mapping[str, Any], extra: Mapping[str, str]) -> dict[str, Any]:
    properties = _object(message, "properties") if call in ("track", "page", "screen") else {}
    if call in ("page", "screen"):
        for name in ("name", "category"):
            value = message.get(name)
            if isinstance(value, str) and value:
                properties[name] = value
    return {**properties, **extra}


def _traits(
    call: str, message: Mapping[str, Any], extra: Mapping[str, str]
) -> tuple[dict[str, Any], str]:
    context_traits = _object(_object(message, "context"), "traits")
    if call == "group":
        return {**context_traits, **_group_traits(message, extra[GROUP_ID_KEY])}, "traits"
    if call == "identify":
        return _person({**context_traits, **_object(message, "traits")}), "traits"
    return _person(context_traits), "context.traits"


def _required_ids(call: str, message: Mapping[str, Any]) -> dict[str, str]:
    """Return the ids a call must carry (groupId, previousId) as extra properties."""
    if call == "group":
        group_id = _id(message, GROUP_ID_KEY)
        if group_id is None:
            raise SegmentFieldError(GROUP_ID_KEY, "a group call needs a groupId", "missing")
        return {GROUP_ID_KEY: group_id}
    if call == "alias":
        previous = _id(message, PREVIOUS_ID_KEY)
        if previous is None or _id(message, "userId") is None:
            raise SegmentFieldError(PREVIOUS_ID_KEY, "an alias needs previousId and userId")
        return {PREVIOUS_ID_KEY: previous}
    return {}


def _when(message: Mapping[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    when: dict[str, Any] = {}
    for source in ("originalTimestamp", "timestamp"):
        if message.get(source) is not None:
            when["timestamp"], sources["timestamp"] = message[source], source
            break
    if message.get("sentAt") is not None:
        when["sentAt"] = message["sentAt"]
    return when


def map_message(call: str, message: Mapping[str, Any], *, user_key: Callable[[str], str]) -> Mapped:
    """Map one Segment message of a known call to a LeadPulse SDK event body.

    ``user_key`` makes the lead key of a message that has a userId but no anonymousId.
    Raises SegmentFieldError naming the Segment field that cannot be mapped.
    """
    extra = _required_ids(call, message)
    user_id = _id(message, "userId")
    anonymous_id = extra.get(PREVIOUS_ID_KEY) if call == "alias" else _id(message, "anonymousId")
    if anonymous_id is None and user_id is None:
        raise SegmentFieldError("userId", "send a userId or an anonymousId", "missing")
    sources = {"anonymousId": "previousId" if call == "alias" else "anonymousId"}
    event: dict[str, Any] = {
        "event": _event_type(call, message),
        "anonymousId": anonymous_id or user_key(user_id or ""),
        "properties": _properties(call, message, extra),
    }
    _add_traits(event, sources, *_traits(call, message, extra))
    if user_id is not None:
        event["userId"] = user_id
    message_id = _id(message, "messageId")
    if message_id is not None:
        event["eventId"], sources["eventId"] = message_id, "messageId"
    if isinstance(message.get("context"), dict):
        event["context"] = message["context"]
    event.update(_when(message, sources))
    return Mapped(event=event, sources=sources)


def _add_traits(
    event: dict[str, Any], sources: dict[str, str], traits: dict[str, Any], source: str
) -> None:
    sources["traits"] = source
    if not traits:
        return
    event["traits"] = traits
    if isinstance(traits.get("email"), str):
        event["email"], sources["email"] = traits["email"], f"{source}.email"
