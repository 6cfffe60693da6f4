"""API reference pages that work offline: Swagger UI at ``/docs`` and ReDoc at ``/redoc``.

FastAPI's own pages load their scripts from a CDN, so on a machine without internet they
render blank. Here the pages are FastAPI's, pointed at copies served from this process:
the assets ship in the ``fastapi-standalone-docs`` package (MIT; Swagger UI under Apache-2.0
and ReDoc under MIT, their licence files beside the assets, served at
``/docs/swagger/LICENSE`` and ``/redoc/redoc.standalone.js.LICENSE.txt``). Only its static
files are used: its helper patches FastAPI module functions globally, which we avoid.

The pages' CSP is ``api.middleware.DOCS_CSP``: same-origin assets only.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_standalone_docs
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = Path(fastapi_standalone_docs.__file__).resolve().parent / "static"
SWAGGER_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# Swagger UI would otherwise show a badge fetched from its public online validator.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def install(app: FastAPI) -> None:
    """Serve Swagger UI and ReDoc with local assets (create the app with docs turned off)."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} — reference"

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=title,
            swagger_js_url=f"{root}{SWAGGER_URL}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_URL}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_URL}/fastapi/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    async def oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=title,
            redoc_js_url=f"{root}{REDOC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{SWAGGER_URL}/fastapi/favicon.png",
            with_google_fonts=False,
        )

    # Pages first: a mount at the same prefix only matches the paths below it.
    app.add_route(SWAGGER_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.mount(f"{SWAGGER_URL}/swagger", StaticFiles(directory=ASSETS / "swagger"))
    app.mount(f"{SWAGGER_URL}/fastapi", StaticFiles(directory=ASSETS / "fastapi"))
    # The ReDoc bundle loads its logo from ``<page path>/logo-mini.svg``: serve the bundle's
    # folder right under the page.
    app.mount(REDOC_URL, StaticFiles(directory=ASSETS / "redoc"))
