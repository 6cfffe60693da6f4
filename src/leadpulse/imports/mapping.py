"""Field mappings: where in a row or payload the parts of an event are.

A mapping names, for each part of an event, a *path*: a CSV column, or a dotted path into a
JSON object (``data.customer.email``; a key that itself holds dots is found first). The
event type may instead be a constant. ``properties`` lists the paths whose values become the
event's properties; left out, every top-level field no other part uses becomes a property.

``apply_mapping`` turns one row into the server format of ``/api/events`` (``eventType``,
``anonymousId``, ``email``, ``timestamp``, ``eventId``, ``properties``, ``traits``), which
ingest then validates as it validates any event. A row with an e-mail but no anonymous id is
given ``em_`` + the first 32 hex digits of SHA-256 of the normalised address, so every row
of one person lands on one lead, and no address is written into an id. It is shared by
imports (CSV columns) and inbound webhooks (payload paths); the errors name the path.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import Field, model_validator

from leadpulse.api.schemas import StrictInput
from leadpulse.errors import FieldError, InvalidInput

PATH = r"^[^\s]{1,200}$"
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d{1,12})?$")
_MISSING = object()


class FieldMapping(StrictInput):
    """Where the parts of an event are in a row or a payload (each a column or dotted path)."""

    event_type: str | None = Field(default=None, pattern=PATH, description="path of the type")
    event_type_constant: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_.:\-]{1,64}$", description="a fixed event type"
    )
    email: str | None = Field(default=None, pattern=PATH)
    anonymous_id: str | None = Field(default=None, pattern=PATH)
    timestamp: str | None = Field(default=None, pattern=PATH)
    event_id: str | None = Field(default=None, pattern=PATH)
    properties: list[str] | None = Field(
        default=None, max_length=100, description="paths of the properties (default: the rest)"
    )

    @model_validator(mode="after")
    def _one_type(self) -> FieldMapping:
        if self.event_type is not None and self.event_type_constant is not None:
            raise ValueError("give eventType or eventTypeConstant, not both")
        return self


def resolve(data: Any, path: str) -> Any:
    """Return the value at ``path`` in ``data``, or ``_MISSING``."""
    if isinstance(data, dict) and path in data:
        return data[path]
    node = data
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def anonymous_id_for_email(email: str) -> str:
    """Return the anonymous id given to rows that carry only an e-mail."""
    return "em_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def cell_value(value: Any) -> Any:
    """Read a CSV cell: numbers and true/false as such, an empty cell as absent."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return _MISSING
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return value


class _Reader:
    """Collects the values of one row and the errors naming missing or mistyped paths."""

    def __init__(self, data: Any, loc: str, *, cells: bool) -> None:
        self.data = data
        self.loc = loc
        self.cells = cells
        self.errors: list[FieldError] = []

    def value(self, path: str | None) -> Any:
        if path is None:
            return _MISSING
        found = resolve(self.data, path)
        return cell_value(found) if self.cells else found

    def text(self, path: str | None, *, required: bool = False) -> str | None:
        found = self.value(path)
        if found is _MISSING or found is None:
            if required and path is not None:
                self.errors.append(FieldError(self._at(path), "missing", "missing"))
            return None
        if isinstance(found, bool) or not isinstance(found, str | int | float):
            self.errors.append(FieldError(self._at(path), "must be a string", "type_error"))
            return None
        return str(found)

    def _at(self, path: str | None) -> str:
        return ".".join(part for part in (self.loc, path) if part)


def _properties(mapping: FieldMapping, reader: _Reader, used: set[str]) -> dict[str, Any]:
    if mapping.properties is None:
        if not isinstance(reader.data, dict):
            return {}
        names = [key for key in reader.data if key not in used]
    else:
        names = mapping.properties
    properties: dict[str, Any] = {}
    for path in names:
        found = reader.value(path)
        if found is not _MISSING:
            properties[path.rsplit(".", 1)[-1] if mapping.properties else path] = found
    return properties


def _event_type(mapping: FieldMapping, reader: _Reader, loc: str) -> str | None:
    """Return the constant or mapped event type; a mapping with neither is an error."""
    if mapping.event_type_constant is not None:
        return mapping.event_type_constant
    event_type = reader.text(mapping.event_type, required=True)
    if mapping.event_type is None:
        reader.errors.append(FieldError(loc or "mapping", "no event type mapped", "missing"))
    return event_type


def _require_identity(
    mapping: FieldMapping, reader: _Reader, email: str | None, anonymous_id: str | None
) -> None:
    """Record an error on a row that names neither an anonymous id nor an e-mail."""
    if email is None and anonymous_id is None:
        where = mapping.anonymous_id or mapping.email or "anonymousId"
        reader.errors.append(
            FieldError(reader._at(where), "needs an anonymous id or an e-mail", "missing")
        )


def _used_paths(mapping: FieldMapping) -> set[str]:
    """Return the paths the event's named parts read (not properties by default)."""
    parts = (mapping.event_type, mapping.email, mapping.anonymous_id, mapping.timestamp)
    used = {path for path in parts if path is not None}
    return used | ({mapping.event_id} if mapping.event_id else set())


def apply_mapping(
    mapping: FieldMapping, data: Any, *, loc: str = "", cells: bool = False
) -> dict[str, Any]:
    """Return the server-format event of one row or payload; raise InvalidInput naming the
    paths that are missing or of the wrong type (``cells``: read CSV cells)."""
    reader = _Reader(data, loc, cells=cells)
    if not isinstance(data, dict):
        raise InvalidInput.field(loc or "body", "must be a JSON object", "type_error")
    event_type = _event_type(mapping, reader, loc)
    email = reader.text(mapping.email)
    anonymous_id = reader.text(mapping.anonymous_id)
    timestamp = reader.text(mapping.timestamp, required=True)
    event_id = reader.text(mapping.event_id)
    _require_identity(mapping, reader, email, anonymous_id)
    if reader.errors:
        raise InvalidInput(f"Invalid data at {reader.errors[0].loc}", reader.errors)
    event: dict[str, Any] = {
        "eventType": event_type,
        "anonymousId": anonymous_id or anonymous_id_for_email(email or ""),
        "properties": _properties(mapping, reader, _used_paths(mapping)),
    }
    for key, value in (("email", email), ("timestamp", timestamp), ("eventId", event_id)):
        if value is not None:
            event[key] = value
    return event


# The server-format field each mapping part fills, for naming the source path in errors.
_PARTS = {
    "eventType": "event_type",
    "email": "email",
    "anonymousId": "anonymous_id",
    "timestamp": "timestamp",
    "eventId": "event_id",
}


def source_path(mapping: FieldMapping, loc: str, error: FieldError) -> FieldError:
    """Rename an error on a server-format field (``body.timestamp``) to the path it was
    mapped from (``body.data.created``), so the sender sees its own field."""
    prefix = f"{loc}." if loc else ""
    field = error.loc.removeprefix(prefix).split(".", 1)[0]
    path = getattr(mapping, _PARTS[field], None) if field in _PARTS else None
    if not isinstance(path, str):
        return error
    return FieldError(f"{prefix}{path}", error.msg, error.type)
