"""``GET /metrics``: Prometheus text format, and the middleware that counts HTTP requests.

Who may scrape is ``obs.metrics_allowed`` (``LEADPULSE_METRICS_TOKEN``). The endpoint is
left out of the OpenAPI document: it is for Prometheus, not for API clients.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadpulse import obs
from leadpulse.api.deps import ContainerDep
from leadpulse.api.problems import problem
from leadpulse.queue import backlog
from leadpulse.store.types import utcnow

router = APIRouter(tags=["operations"])
UNMATCHED = "unmatched"  # a path no route matched (404s): one label, whatever the path
# Any other method (a client may send anything) is one label too: series stay bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, c: ContainerDep) -> Response:
    """Answer this process's metrics and the database-wide queue gauges."""
    if not obs.metrics_allowed(c.settings, request.headers.get("authorization"), public=True):
        detail = (
            "Send Authorization: Bearer <LEADPULSE_METRICS_TOKEN>."
            if c.settings.metrics_token
            else "Metrics are off on the API in production until LEADPULSE_METRICS_TOKEN is set."
        )
        return problem(403, detail)
    async with c.db.sessions() as session:
        families = await backlog.families(session, now=utcnow())
    return Response(obs.exposition(families), media_type=CONTENT_TYPE_LATEST)


def route_of(scope: Scope) -> str:
    """Return the template of the route that answered (``/api/leads/{lead_id}``).

    FastAPI (0.16x) keeps included routers as they are, so ``scope["route"]`` is the route as
    its own router declared it (``/{lead_id}``); the full template is on the effective
    route context FastAPI leaves in the scope. Older versions copied each route with its
    full path into the app, where ``scope["route"]`` has it. ``test_api_metrics`` checks the
    result, so an upgrade that moves it fails there.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Count requests and time them by method, route template and status (pure ASGI).

    The template, never the raw path, is the label: ``/api/leads/1`` and ``/api/leads/2``
    are one series. Label children are cached, so a request costs two dict look-ups.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._counters: dict[tuple[str, str, str], Counter] = {}
        self._timers: dict[tuple[str, str], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self._record(method, route_of(scope), status, time.perf_counter() - started)

    def _record(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = obs.HTTP_REQUESTS.labels(*key)
        counter.inc()
        timer = self._timers.get(key[:2])
        if timer is None:
            timer = self._timers[(method, route)] = obs.HTTP_DURATION.labels(method, route)
        timer.observe(seconds)
