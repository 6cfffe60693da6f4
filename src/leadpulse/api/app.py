"""``create_app()``: the FastAPI application with every router, handler and middleware."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from leadpulse import __version__
from leadpulse.api import health, problems
from leadpulse.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from leadpulse.bootstrap import Container
from leadpulse.ingest.cors import PublicCorsMiddleware
from leadpulse.store import migrate

log = structlog.get_logger("leadpulse.app")
Hook = Callable[[Container], Awaitable[None]]

# Each feature's ``routes`` module exposes ``router``; missing modules are skipped so a
# feature can be developed (and removed) without touching this file.
ROUTE_MODULES = (
    "leadpulse.auth.routes",
    "leadpulse.projects.routes",
    "leadpulse.ingest.routes",
    "leadpulse.leads.routes",
    "leadpulse.rules.routes",
    "leadpulse.automations.routes",
    "leadpulse.webhooks.routes",
    "leadpulse.analytics.routes",
    "leadpulse.admin.routes",
    "leadpulse.sdk.routes",
    "leadpulse.live.routes",
)


def _optional(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def routers() -> list[APIRouter]:
    """Return the routers of every installed feature, health first."""
    found = [health.router]
    for name in ROUTE_MODULES:
        module = _optional(name)
        if module is not None:
            found.append(module.router)
    return found


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
    settings = container.settings
    migrate_on_start = settings.is_sqlite if auto_migrate is None else auto_migrate

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await migrate.upgrade(container.db)
        for hook in on_startup or []:
            await hook(container)
        log.info("api_started", database=container.db.dialect, version=__version__)
        try:
            yield
        finally:
            for hook in reversed(on_shutdown or []):
                await hook(container)
            await container.close()

    app = FastAPI(
        title="LeadPulse API",
        version=__version__,
        description="Event-driven lead scoring. Errors are application/problem+json.",
        lifespan=lifespan,
        responses={
            400: {"description": "Malformed JSON", "content": {problems.PROBLEM_JSON: {}}},
            422: {"description": "Validation failed", "content": {problems.PROBLEM_JSON: {}}},
        },
    )
    app.state.container = container
    problems.install(app)
    for router in routers():
        app.include_router(router)
    web = _optional("leadpulse.api.web")
    if web is not None:
        web.mount_dashboard(app)  # last: its fallback route must not shadow the API
    _middleware(app, container)
    return app


def asgi_app(container: Container, **kwargs: Any) -> Any:
    """Return the servable ASGI app: the API wrapped by Socket.IO when live is installed."""
    app = create_app(container, **kwargs)
    live = _optional("leadpulse.live.server")
    return live.wrap(app, container) if live is not None else app


def _middleware(app: FastAPI, container: Container) -> None:
    settings = container.settings
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"],
    )
    # Outside the allow-list CORS: it owns the headers of the public ingest and SDK paths.
    app.add_middleware(PublicCorsMiddleware)
    app.add_middleware(RequestContextMiddleware)


def app_kwargs() -> dict[str, Any]:
    """Return uvicorn options shared by ``serve`` and ``api``."""
    return {"proxy_headers": True, "server_header": False, "access_log": False}
