"""Container health check for the LeadPulse image (stdlib only).

    python healthcheck.py api      # GET /api/health on LEADPULSE_PORT (default 4000)
    python healthcheck.py worker   # GET /health on LEADPULSE_WORKER_HEALTH_PORT (default 5000)

The API counts as healthy when it answers and its database and Redis work. It does not wait
for a worker heartbeat: ``/api/health`` answers 503 ``degraded`` while no worker runs, and the
worker has its own check, so an API container must not turn unhealthy because the worker
container is down. The worker counts as healthy when its ``/health`` answers 200 (the worker
reaches its database). Exit status 0 = healthy, 1 = not.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

TIMEOUT_SECONDS = 4.0


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:  # 503 still carries the JSON body
        return error.code, json.loads(error.read() or b"{}")


def api_is_healthy(body: dict[str, Any]) -> bool:
    """Tell whether the API's own dependencies (database, Redis) work."""
    database = body.get("database", {}).get("status")
    redis = body.get("redis", {}).get("status")
    return database == "ok" and redis in ("ok", "disabled")


def check(role: str) -> str | None:
    """Return why ``role`` is unhealthy, or None when it is healthy."""
    if role == "api":
        port = os.environ.get("LEADPULSE_PORT", "4000")
        _, body = _get(f"http://127.0.0.1:{port}/api/health")
        return None if api_is_healthy(body) else f"api unhealthy: {body}"
    if role == "worker":
        port = os.environ.get("LEADPULSE_WORKER_HEALTH_PORT", "5000")
        status, body = _get(f"http://127.0.0.1:{port}/health")
        return None if status == 200 else f"worker unhealthy ({status}): {body}"
    return f"unknown role {role!r}: use 'api' or 'worker'"


def main() -> int:
    """Run the check named on the command line; print why it failed."""
    role = sys.argv[1] if len(sys.argv) > 1 else "api"
    try:
        problem = check(role)
    except (OSError, ValueError) as error:  # refused, timed out, not JSON
        problem = f"{role} not answering: {error}"
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
