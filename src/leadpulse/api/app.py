"""``create_app()``: the FastAPI application with every router, handler and middleware.

With ``bootstrap`` and the CLI this is the composition root: it imports every feature's
routes module by name (a renamed module fails at import, never silently drops its endpoints).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, Depends, FastAPI

from leadpulse import __version__
from leadpulse.admin import routes as admin_routes
from leadpulse.analytics import routes as analytics_routes
from leadpulse.api import deps, docs, health, metrics, problems, query, web
from leadpulse.api.cors import AllowListCorsMiddleware, PublicCorsMiddleware
from leadpulse.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from leadpulse.auth import routes as auth_routes
from leadpulse.automations import routes as automations_routes
from leadpulse.container import Container
from leadpulse.imports import routes as imports_routes
from leadpulse.inbound import routes as inbound_routes
from leadpulse.ingest import routes as ingest_routes
from leadpulse.leads import routes as leads_routes
from leadpulse.live import routes as live_routes
from leadpulse.live import server as live_server
from leadpulse.projects import routes as projects_routes
from leadpulse.rules import routes as rules_routes
from leadpulse.sdk import routes as sdk_routes
from leadpulse.segment import routes as segment_routes
from leadpulse.store import migrate
from leadpulse.webhooks import routes as webhooks_routes

log = structlog.get_logger("leadpulse.app")
Hook = Callable[[Container], Awaitable[None]]

# In this order: a path is matched against the routers one after the other.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    auth_routes.router,
    projects_routes.current_router,
    projects_routes.router,
    ingest_routes.router,
    segment_routes.router,
    leads_routes.router,
    rules_routes.router,
    automations_routes.router,
    webhooks_routes.router,
    analytics_routes.router,
    imports_routes.router,
    inbound_routes.router,
    admin_routes.router,
    sdk_routes.router,
    live_routes.router,
)


def create_app(
    container: Container,
    *,
    auto_migrate: bool | None = None,
    on_startup: list[Hook] | None = None,
    on_shutdown: list[Hook] | None = None,
) -> FastAPI:
    """Build the API app around a container.

    ``auto_migrate`` defaults to True for SQLite (embedded mode migrates on start) and False
    for PostgreSQL (operators run ``leadpulse db upgrade``).
    """
    migrate_on_start = container.settings.is_sqlite if auto_migrate is None else auto_migrate
    app = FastAPI(
        title="LeadPulse API",
        version=__version__,
        description="Event-driven lead scoring. Errors are application/problem+json.",
        lifespan=_lifespan(container, migrate_on_start, on_startup or [], on_shutdown or []),
        # On every route, before any other: no NUL characters, no undeclared query parameters.
        dependencies=[Depends(deps.refuse_nul_characters), Depends(query.refuse_unknown_query)],
        docs_url=None,  # docs.install serves /docs and /redoc with local assets
        redoc_url=None,
        responses={
            400: {"description": "Malformed JSON", "content": {problems.PROBLEM_JSON: {}}},
            422: {"description": "Validation failed", "content": {problems.PROBLEM_JSON: {}}},
        },
    )
    app.state.container = container
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    docs.install(app)
    web.mount_dashboard(app)  # last: its fallback route must not shadow the API
    _middleware(app, container)
    return app


def _lifespan(
    container: Container, migrate_on_start: bool, on_startup: list[Hook], on_shutdown: list[Hook]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await migrate.upgrade(container.db)
        for hook in on_startup:
            await hook(container)
        log.info("api_started", database=container.db.dialect, version=__version__)
        try:
            yield
        finally:
            for hook in reversed(on_shutdown):
                await hook(container)
            await container.close()

    return lifespan


def asgi_app(container: Container, **kwargs: Any) -> Any:
    """Return the servable ASGI app: the API behind the Socket.IO server of live updates."""
    return live_server.wrap(create_app(container, **kwargs), container)


def _middleware(app: FastAPI, container: Container) -> None:
    settings = container.settings
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        path_limits={"/api/imports": settings.import_max_upload_bytes},
    )
    app.add_middleware(
        AllowListCorsMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"],
    )
    # Outside the allow-list CORS: it owns the headers of the public ingest and SDK paths.
    app.add_middleware(PublicCorsMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(metrics.MetricsMiddleware)  # outermost: times the whole answer


def app_kwargs() -> dict[str, Any]:
    """Return uvicorn options shared by ``serve`` and ``api``."""
    return {"proxy_headers": True, "server_header": False, "access_log": False}
