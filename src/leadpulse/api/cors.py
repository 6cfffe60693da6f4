"""CORS for the public ingest endpoints and the SDK script.

Customer websites are always another origin, so ``/api/ingest/*``, the Segment-compatible
``/v1/*`` and ``/sdk/*`` answer
preflights and requests from any origin, without credentials (``*``). The JWT API keeps the
settings allow-list (``CORSMiddleware``); this middleware sits outside it and owns the CORS
headers of the public paths. A project may still restrict its keys to listed origins:
that check needs the key, so ingest does it and answers 403.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PREFIXES = ("/api/ingest/", "/sdk/", "/v1/")
_CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "Content-Type, X-API-Key, X-Request-ID",
    "access-control-expose-headers": "Retry-After, RateLimit-Limit, RateLimit-Remaining, "
    "RateLimit-Reset, X-Request-ID",
    "access-control-max-age": "86400",
}


class PublicCorsMiddleware:
    """Open CORS (no credentials) on the public ingest and SDK paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await Response(status_code=204, headers=_CORS)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name in ("access-control-allow-credentials", "vary"):
                    if name in out:
                        del out[name]
                for name, value in _CORS.items():
                    out[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)
