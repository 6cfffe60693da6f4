"""Every error leaves the API as ``application/problem+json`` (RFC 9457).

Shape: ``{type, title, status, detail, instance?, errors?: [{loc, msg, type}]}``; ``loc`` is
a dotted field path (``body.email``, ``events.3.eventType``). This is the one place where the
domain errors of ``leadpulse.errors`` get their HTTP status (``STATUS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from redis import exceptions as redis_exc
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from leadpulse.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    LeadPulseError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    field_errors,
)

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("leadpulse.api")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://leadpulse.dev/problems/{status}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"loc": e.loc, "msg": e.msg, "type": e.type} for e in errors]
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


STATUS: dict[type[LeadPulseError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(exc: LeadPulseError) -> int:
    """Return the HTTP status of a domain error (its nearest mapped class; 500 if none)."""
    return next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), 500)


async def _validation(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem(400, "The request body is not valid JSON.", title="Malformed JSON")
    errors = field_errors(raw)
    names = ", ".join(sorted({e.loc for e in errors}))
    return problem(422, f"Invalid fields: {names}", errors=errors)


async def _http(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource."
    return problem(exc.status_code, detail, headers=exc.headers)


def _rate_headers(exc: RateLimited) -> dict[str, str]:
    return {
        "Retry-After": str(exc.retry_after),
        "RateLimit-Limit": str(exc.limit),
        "RateLimit-Remaining": str(exc.remaining),
        "RateLimit-Reset": str(exc.reset),
    }


async def _domain(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, LeadPulseError)
    errors = exc.errors if isinstance(exc, InvalidInput) else []
    headers = _rate_headers(exc) if isinstance(exc, RateLimited) else None
    status = status_of(exc)
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return problem(status, exc.detail, title=exc.title, errors=errors, headers=headers)


# A backing service that cannot be reached: the request may succeed later, so 503, not 500.
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    redis_exc.ConnectionError,
    redis_exc.TimeoutError,
)


async def _dependency_down(request: Request, exc: Exception) -> Response:
    log.error("dependency_unavailable", path=request.url.path, error=repr(exc)[:300])
    detail = "A backing service (database or Redis) is unavailable; retry shortly."
    return problem(503, detail, headers={"Retry-After": "5"})


async def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path, error=repr(exc))
    return problem(500, "An unexpected error occurred; it has been logged.")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(LeadPulseError, _domain)
    for error in DEPENDENCY_ERRORS:
        app.add_exception_handler(error, _dependency_down)
    app.add_exception_handler(Exception, _unhandled)
