"""The one exception tree of LeadPulse. HTTP mapping lives in ``leadpulse.api.problems``.

::

    LeadPulseError
    ├── BadRequest          (400) the body cannot be read (malformed JSON)
    ├── NotFound            (404) the resource does not exist in the caller's project
    ├── Conflict            (409) a uniqueness rule would break (e.g. email taken)
    ├── Unauthorized        (401) missing, invalid, expired or revoked credential
    ├── Forbidden           (403) credential valid but the action is not allowed
    ├── InvalidInput        (422) domain validation failed; carries field errors
    ├── PayloadTooLarge     (413) body, batch or event over its configured limit
    ├── RateLimited         (429) carries retry_after seconds
    └── Unavailable         (503) a dependency (database, Redis, SMTP) is down
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: dotted path, message and machine-readable type."""

    loc: str
    msg: str
    type: str = "value_error"


class LeadPulseError(Exception):
    """Base of every domain error; ``status`` is the HTTP status it maps to."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class BadRequest(LeadPulseError):
    status = 400
    title = "Bad request"


class NotFound(LeadPulseError):
    status = 404
    title = "Not found"


class Conflict(LeadPulseError):
    status = 409
    title = "Conflict"


class Unauthorized(LeadPulseError):
    status = 401
    title = "Unauthorized"


class Forbidden(LeadPulseError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(LeadPulseError):
    status = 413
    title = "Payload too large"


class Unavailable(LeadPulseError):
    status = 503
    title = "Service unavailable"


class InvalidInput(LeadPulseError):
    status = 422
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

    status = 429
    title = "Too many requests"

    def __post_init__(self) -> None:
        LeadPulseError.__init__(self, f"rate limit exceeded, retry in {self.retry_after}s")
