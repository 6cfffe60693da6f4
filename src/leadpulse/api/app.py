"""``create_app()``: the FastAPI application with every router, handler and middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from leadpulse import __version__
from leadpulse.api import health, problems
from leadpulse.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from leadpulse.auth import routes as auth_routes
from leadpulse.bootstrap import Container
from leadpulse.projects import routes as project_routes
from leadpulse.store import migrate

log = structlog.get_logger("leadpulse.app")
Hook = Callable[[Container], Awaitable[None]]

ROUTERS = [health.router, auth_routes.router, project_routes.router]


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
    for router in ROUTERS:
        app.include_router(router)
    _middleware(app, container)
    return app


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
    app.add_middleware(RequestContextMiddleware)


def app_kwargs() -> dict[str, Any]:
    """Return uvicorn options shared by ``serve`` and ``api``."""
    return {"proxy_headers": True, "server_header": False, "access_log": False}
