"""Pure ASGI middleware: request ids, security headers, body size limit, and the hand-over
of API-key usage marks once a response is sent.

Written against raw ASGI rather than ``BaseHTTPMiddleware`` because that wrapper costs a
task and a stream copy per request on the ingest hot path.
"""

from __future__ import annotations

import re
import time
import uuid
from functools import partial

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadpulse.api.problems import problem
from leadpulse.auth.usage import key_usage, record_key_use
from leadpulse.container import Container

log = structlog.get_logger("leadpulse.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Google Identity Services (the "Sign in with Google" button) loads its script, style and
# iframe from accounts.google.com/gsi; nothing else leaves the origin.
_GSI = "https://accounts.google.com/gsi/"
DASHBOARD_CSP = (
    f"default-src 'self'; script-src 'self' {_GSI}client; "
    f"style-src 'self' 'unsafe-inline' {_GSI}style; img-src 'self' data:; "
    f"connect-src 'self' ws: wss: {_GSI}; frame-src {_GSI}; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
# The API reference pages (api/docs.py) load Swagger UI and ReDoc from this origin; their
# start-up scripts are inline, ReDoc styles inline and runs its search in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _extra_headers(request_id: str, path: str) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path.startswith(("/docs", "/redoc")) else DASHBOARD_CSP
    return [
        (b"x-request-id", request_id.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"content-security-policy", csp.encode()),
    ]


def _hand_over_key_usage(scope: Scope) -> None:
    """Pass the API-key use marks noted so far to the container's background publisher,
    which writes ``last_used_at`` in its own transaction (``auth.usage``)."""
    if not key_usage.pending:
        return
    container = getattr(getattr(scope.get("app"), "state", None), "container", None)
    if isinstance(container, Container):
        marks = key_usage.take(container.db.engine)
        container.publish_later([partial(record_key_use, container.db)], marks)


class RequestContextMiddleware:
    """Give every request an id (echoed as ``X-Request-ID``), security headers and a log line.

    It also turns an unhandled exception into the 500 problem itself, so that answer carries
    the request id and headers too (Starlette's own handler sits outside every middleware),
    and once the answer is sent, hands API-key usage marks over to be recorded.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        path: str = scope["path"]
        extra = _extra_headers(request_id, path)
        started = time.perf_counter()
        status: int | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if status is not None:
                raise  # the answer has begun: nothing left to do but let the server log it
            log.exception("unhandled_error", path=path, error=repr(exc))
            detail = "An unexpected error occurred; it has been logged."
            await problem(500, detail)(scope, receive, send_wrapper)
        finally:
            _hand_over_key_usage(scope)
            if not path.startswith("/api/ingest"):
                log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status or 500,
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` with 413, by Content-Length or while streaming.

    ``path_limits`` gives paths of their own limit (the import upload takes files far larger
    than any JSON body).

    A streamed body is counted as it is read. Once over the limit the 413 is sent at once
    and whatever the app answers afterwards is dropped: FastAPI turns an exception raised
    while it reads the body into a 400, which must not be what the client sees.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"], self.max_bytes)
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        started = refused = False

        async def refuse() -> None:
            nonlocal refused
            if not (started or refused):
                refused = True
                await self._refuse(scope, receive, send, limit)

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                await refuse()
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; drop the app's answer to the broken read
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            await refuse()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"The request body exceeds the limit of {limit} bytes."
        await problem(413, detail)(scope, receive, send)
