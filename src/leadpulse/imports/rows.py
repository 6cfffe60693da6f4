"""One import row → the server format of ``/api/events``, for each file format.

- ``csv``: the mapping's columns (default: the first column named like each part, e.g.
  ``event_type``/``event``/``type``, ``timestamp``/``time``, ``email``, ``anonymous_id``,
  ``event_id``/``message_id``); every other column becomes a property. Cells holding numbers
  or ``true``/``false`` are read as such, empty cells are left out.
- ``ndjson``: one server-format (``eventType``) or SDK-format (``event``) event per line;
  with a mapping, the mapping's dotted paths instead.
- ``segment-json``: a Segment export, one ``track``/``identify``/``page`` call per line,
  mapped as Segment's HTTP API would be: ``track`` → its ``event`` name normalised
  (lower case, spaces and dashes to ``_``, other characters dropped), ``page`` →
  ``page_view``, ``identify`` → ``identify`` with its traits; ``messageId`` → eventId;
  ``anonymousId`` (else ``userId``) → anonymousId; ``traits.email`` (or
  ``context.traits.email``) → email.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from leadpulse.errors import InvalidInput
from leadpulse.imports.formats import Format
from leadpulse.imports.mapping import FieldMapping, apply_mapping

CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "event_type": ("event_type", "eventtype", "event", "type"),
    "timestamp": ("timestamp", "time", "occurred_at", "created_at", "date"),
    "email": ("email", "e-mail", "email_address"),
    "anonymous_id": ("anonymous_id", "anonymousid", "visitor_id", "user_id", "userid"),
    "event_id": ("event_id", "eventid", "message_id", "messageid", "id"),
}
SERVER_KEYS = ("anonymousId", "leadId", "email", "timestamp", "eventId", "properties", "traits")
SEGMENT_TYPES = {"track", "identify", "page"}
_NOT_NAME = re.compile(r"[^a-z0-9_]")
Convert = Callable[[Any], dict[str, Any]]


def _is_given(part: str, values: dict[str, Any]) -> bool:
    """Tell whether the given mapping already fills ``part`` (a type constant fills the type)."""
    return part in values or (part == "event_type" and "event_type_constant" in values)


def _alias_column(aliases: Sequence[str], lowered: dict[str, str], taken: set[str]) -> str | None:
    """Return the first column named like one of ``aliases``, unless another part has it."""
    column = next((lowered[a] for a in aliases if a in lowered), None)
    if column is None or column in taken:
        return None
    return column


def default_csv_mapping(header: Sequence[str], given: FieldMapping | None) -> FieldMapping:
    """Fill the parts ``given`` leaves unset with the header's columns named like them."""
    values = given.model_dump(exclude_none=True) if given else {}
    lowered = {name.lower(): name for name in header}
    for part, aliases in CSV_ALIASES.items():
        taken = {value for value in values.values() if isinstance(value, str)}
        if _is_given(part, values):
            continue
        column = _alias_column(aliases, lowered, taken)
        if column is not None:
            values[part] = column
    return FieldMapping.model_validate(values)


def segment_name(name: str) -> str:
    """Normalise a Segment event name: ``Signed Up`` → ``signed_up``."""
    return _NOT_NAME.sub("", name.strip().lower().replace(" ", "_").replace("-", "_"))


def _segment_type(call: dict[str, Any]) -> str:
    kind = call.get("type")
    if kind not in SEGMENT_TYPES:
        raise InvalidInput.field("type", "must be track, identify or page", "value_error")
    if kind == "page":
        return "page_view"
    if kind == "identify":
        return "identify"
    name = call.get("event")
    if not isinstance(name, str) or not segment_name(name):
        raise InvalidInput.field("event", "a track call needs an event name", "missing")
    return segment_name(name)


def _segment_email(call: dict[str, Any]) -> Any:
    for holder in (call.get("traits"), (call.get("context") or {}).get("traits")):
        if isinstance(holder, dict) and holder.get("email"):
            return holder["email"]
    return None


def _segment_properties(call: dict[str, Any]) -> dict[str, Any]:
    """Return the call's properties, with a page's name and the user id added if absent."""
    properties = dict(call.get("properties") or {})
    if call.get("type") == "page" and call.get("name"):
        properties.setdefault("name", call["name"])
    if call.get("userId") is not None:
        properties.setdefault("userId", str(call["userId"]))
    return properties


def _segment_anonymous_id(call: dict[str, Any]) -> str | None:
    """Return the call's anonymousId, else its userId, as text."""
    anonymous = call.get("anonymousId") or call.get("userId")
    return None if anonymous is None else str(anonymous)


def _segment_details(call: dict[str, Any]) -> dict[str, Any]:
    """Return an identify call's traits and the call's eventId and timestamp, where present."""
    details: dict[str, Any] = {}
    traits = call.get("traits")
    if call.get("type") == "identify" and isinstance(traits, dict):
        details["traits"] = traits
    for source, target in (("messageId", "eventId"), ("timestamp", "timestamp")):
        if call.get(source) is not None:
            details[target] = call[source]
    return details


def segment_event(call: Any) -> dict[str, Any]:
    """Map one Segment call to the server format (see the module docstring)."""
    if not isinstance(call, dict):
        raise InvalidInput.field("line", "must be a JSON object", "type_error")
    event: dict[str, Any] = {"eventType": _segment_type(call)}
    anonymous_id = _segment_anonymous_id(call)
    if anonymous_id is not None:
        event["anonymousId"] = anonymous_id
    event["properties"] = _segment_properties(call)
    event.update(_segment_details(call))
    email = _segment_email(call)
    if email is not None:
        event["email"] = email
    return event


def server_event(data: Any) -> dict[str, Any]:
    """Read one NDJSON line as a server-format or SDK-format event."""
    if not isinstance(data, dict):
        raise InvalidInput.field("line", "must be a JSON object", "type_error")
    event = {key: data[key] for key in SERVER_KEYS if key in data}
    kind = data.get("eventType", data.get("event"))
    if kind is None:
        raise InvalidInput.field("eventType", "missing", "missing")
    event["eventType"] = kind
    return event


def converter(fmt: Format, mapping: FieldMapping | None, header: Sequence[str]) -> Convert:
    """Return the function turning a record's data into a server-format event."""
    if fmt == "segment-json":
        return segment_event
    if fmt == "csv":
        full = default_csv_mapping(header, mapping)
        return lambda data: apply_mapping(full, data, cells=True)
    if mapping is not None:
        given = mapping
        return lambda data: apply_mapping(given, data)
    return server_event
