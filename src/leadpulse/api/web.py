"""Serve the built dashboard from the API's own origin.

The build is looked up in the installed package first (``leadpulse/web_dist``, put there by
the wheel's build hook), then in the source checkout's ``web/dist`` (``make web``).

Hashed bundles live under ``/assets`` and are cached for a year; every other browser
navigation that is not an API, docs, SDK or Socket.IO path gets ``index.html`` so the
dashboard's client-side routes survive a reload. Without a build, ``/`` explains how to get
one and the API keeps working.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

ASSET_CACHE = "public, max-age=31536000, immutable"
RESERVED_PREFIXES = ("/api/", "/docs", "/openapi.json", "/redoc", "/sdk/", "/socket.io")
RESERVED_EXACT = ("/api", "/sdk")
GOOGLE_META = '<meta name="leadpulse-google-client-id" content="" />'

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LeadPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
code{background:#eef;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>LeadPulse API is running</h1>
<p>Dashboard not built: install Node.js 20+ and run <code>make run</code>
(or <code>make web</code>).</p>
<p>The API works without it: see <a href="/docs">/docs</a>.</p></body></html>
"""


PACKAGED_DASHBOARD = Path(__file__).resolve().parents[1] / "web_dist"
CHECKOUT_DASHBOARD = Path(__file__).resolve().parents[3] / "web" / "dist"


def find_dashboard(candidates: Sequence[Path]) -> Path:
    """Return the first candidate holding a build (``index.html``), else the last one."""
    for candidate in candidates:
        if (candidate / "index.html").is_file():
            return candidate
    return candidates[-1]


def default_dashboard_dir() -> Path:
    """Return the dashboard inside the installed package, else the checkout's ``web/dist``."""
    return find_dashboard((PACKAGED_DASHBOARD, CHECKOUT_DASHBOARD))


class _AssetFiles(StaticFiles):
    """Static files whose names carry a content hash: cached for a year."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = ASSET_CACHE
        return response


def _is_reserved(path: str) -> bool:
    return path in RESERVED_EXACT or path.startswith(RESERVED_PREFIXES)


def _accepts_html(scope: Scope) -> bool:
    for key, value in scope.get("headers", ()):
        if key == b"accept":
            accept = value.decode("latin-1")
            return "text/html" in accept or "*/*" in accept
    return False


class DashboardRoute(BaseRoute):
    """Answer browser navigations with the dashboard; let everything else fall through."""

    def __init__(self, dist: Path, google_client_id: str | None) -> None:
        self.dist = dist
        self.google_client_id = google_client_id or ""

    def _static_file(self, path: str) -> Path | None:
        if not self.dist.is_dir() or path in ("", "/"):
            return None
        candidate = (self.dist / path.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(self.dist.resolve()):
            return candidate
        return None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match GET/HEAD for non-API paths that want HTML or name a file of the build."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        path = scope["path"]
        if _is_reserved(path):
            return Match.NONE, {}
        if _accepts_html(scope) or self._static_file(path) is not None:
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        """Refuse reverse lookups: this route has no name."""
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send a file of the build, ``index.html``, or the not-built page."""
        response = await self._response(scope["path"])
        await response(scope, receive, send)

    async def _response(self, path: str) -> Response:
        static = self._static_file(path)
        if static is not None and static.name != "index.html":
            return FileResponse(static, headers={"Cache-Control": "public, max-age=3600"})
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, headers={"Cache-Control": "no-store"})
        text = await anyio.Path(index).read_text(encoding="utf-8")
        meta = GOOGLE_META.replace('content=""', f'content="{html.escape(self.google_client_id)}"')
        return HTMLResponse(text.replace(GOOGLE_META, meta), headers={"Cache-Control": "no-cache"})


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard build at ``/`` (call after every API router is included)."""
    settings = app.state.container.settings
    dist = settings.dashboard_dir or default_dashboard_dir()
    if (dist / "assets").is_dir():
        app.mount("/assets", _AssetFiles(directory=dist / "assets"), name="assets")
    app.router.routes.append(DashboardRoute(dist, settings.google_client_id))
