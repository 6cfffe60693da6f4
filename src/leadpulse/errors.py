"""The one exception tree of LeadPulse. Features raise these; only ``leadpulse.api.problems``
turns them into HTTP answers (the status each maps to is noted in brackets).

::

    LeadPulseError      [500]
    ├── BadRequest      [400] the body cannot be read (malformed JSON)
    ├── NotFound        [404] the resource does not exist in the caller's project
    ├── Conflict        [409] a uniqueness rule would break (e.g. email taken)
    ├── Unauthorized    [401] missing, invalid, expired or revoked credential
    ├── Forbidden       [403] credential valid but the action is not allowed
    ├── InvalidInput    [422] domain validation failed; carries field errors
    ├── PayloadTooLarge [413] body, batch or event over its configured limit
    ├── UnsupportedMediaType [415] a body encoding the endpoint cannot read
    ├── RateLimited     [429] carries retry_after seconds
    └── Unavailable     [503] a dependency (database, Redis, SMTP) is down
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: dotted path, message and machine-readable type."""

    loc: str
    msg: str
    type: str = "value_error"


def field_errors(raw: Sequence[Mapping[str, Any]], prefix: str = "") -> list[FieldError]:
    """Turn pydantic error dicts into FieldErrors with dotted paths, under ``prefix`` if given."""
    errors = []
    for error in raw:
        parts = [str(part) for part in error.get("loc", ())]
        inner = (error.get("ctx") or {}).get("path")  # a path inside a free-form object
        if inner:
            parts.append(str(inner))
        path = ".".join(part for part in (prefix, *parts) if part)
        errors.append(FieldError(path, str(error.get("msg")), str(error.get("type"))))
    return errors


class LeadPulseError(Exception):
    """Base of every domain error; ``title`` names its kind, ``detail`` says what happened."""

    title = "Internal error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class BadRequest(LeadPulseError):
    title = "Bad request"


class NotFound(LeadPulseError):
    title = "Not found"


class Conflict(LeadPulseError):
    title = "Conflict"


class Unauthorized(LeadPulseError):
    title = "Unauthorized"


class Forbidden(LeadPulseError):
    title = "Forbidden"


class PayloadTooLarge(LeadPulseError):
    title = "Payload too large"


class UnsupportedMediaType(LeadPulseError):
    title = "Unsupported media type"


class Unavailable(LeadPulseError):
    title = "Service unavailable"


class InvalidInput(LeadPulseError):
    title = "Validation failed"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []

    @classmethod
    def field(cls, loc: str, msg: str, type_: str = "value_error") -> InvalidInput:
        """Build an error naming one field."""
        return cls(f"{loc}: {msg}", [FieldError(loc, msg, type_)])


@dataclass
class RateLimited(LeadPulseError):
    retry_after: int
    limit: int
    remaining: int = 0
    reset: int = field(default=60)

    title = "Too many requests"

    def __post_init__(self) -> None:
        LeadPulseError.__init__(self, f"rate limit exceeded, retry in {self.retry_after}s")
