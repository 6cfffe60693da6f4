"""A bare FastAPI app with one no-I/O route, served like ``leadpulse serve``/``api``.

The baseline of the ``serve_busy`` and ``api_workers`` phases: what FastAPI under the same
uvicorn options (uvloop, httptools, no access log) answers on this machine with nothing of
LeadPulse in the process — no middleware, no database, no worker.

    python bench/bare.py --port 4712 [--workers N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `--workers` imports "bare:app"

app = FastAPI()


@app.post("/bench/noop", status_code=202)
async def noop(request: Request) -> JSONResponse:
    """Read and parse the body; answer like the ingest endpoint (no I/O)."""
    body = orjson.loads(await request.body())
    event_id = body.get("eventId") if isinstance(body, dict) else None
    return JSONResponse({"status": "queued", "eventId": event_id, "leadId": 0}, status_code=202)


@app.get("/api/health")
async def health() -> dict[str, str]:
    """Answer the harness's start-up poll."""
    return {"status": "ok"}


def main() -> None:
    """Serve the app (blocks until SIGINT/SIGTERM)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    options = {"host": "127.0.0.1", "port": args.port, "server_header": False, "access_log": False}
    if args.workers > 1:
        uvicorn.run("bare:app", workers=args.workers, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(app, **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
