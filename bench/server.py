"""The benchmark's API server: the real LeadPulse app plus one no-I/O baseline route.

Run exactly like ``leadpulse serve`` (``--embedded-worker``) or ``leadpulse api`` (one
process): same ``build_api``, same uvicorn options, settings from the LEADPULSE_ environment.
It adds ``POST /bench/noop``, which reads and parses the JSON body and answers 202 without
any I/O, so the single-event ingest figure has a baseline from the same server stack
(middleware, routing, event loop) in the same process. The product app never has this route.
"""

from __future__ import annotations

import argparse
from typing import Any

import orjson
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from leadpulse.api.app import app_kwargs
from leadpulse.config import Settings
from leadpulse.obs import configure_logging
from leadpulse.processes import build_api

baseline = APIRouter()


@baseline.post("/bench/noop", status_code=202, include_in_schema=False)
async def noop(request: Request) -> JSONResponse:
    """Read and parse the body, then answer like the ingest endpoint would (no I/O)."""
    body = orjson.loads(await request.body())
    event_id = body.get("eventId") if isinstance(body, dict) else None
    return JSONResponse({"status": "queued", "eventId": event_id, "leadId": 0}, status_code=202)


def _fastapi(app: Any) -> FastAPI:
    while not isinstance(app, FastAPI):  # Socket.IO wraps the API app when live is installed
        app = app.other_asgi_app
    return app


def main() -> None:
    """Start the benchmark server (blocks until SIGINT/SIGTERM)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedded-worker", action="store_true", help="like leadpulse serve")
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    settings.secret_key()
    app = build_api(settings, embedded_worker=args.embedded_worker)
    api = _fastapi(app)
    api.include_router(baseline)
    api.router.routes.insert(0, api.router.routes.pop())  # before the dashboard's fallback
    uvicorn.run(app, host=settings.host, port=settings.port, **app_kwargs())


if __name__ == "__main__":
    main()
