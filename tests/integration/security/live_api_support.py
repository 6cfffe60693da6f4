"""A real LeadPulse API (uvicorn on 127.0.0.1, SQLite in a temporary folder) in a thread,
and an account seeded over HTTP, for the tests that drive the whole OpenAPI document."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from foundation_support import free_port

from leadpulse.processes import uvicorn_options

LOCAL_URL = "http://127.0.0.1:9/hook"  # discard port: nothing listens, refusals are instant


async def _heartbeat(container: Any) -> None:
    """Record a worker as alive, so health answers 200 (no worker runs in these tests)."""
    from leadpulse.store.models import WorkerHeartbeat

    async with container.db.transaction() as session:
        session.add(WorkerHeartbeat(worker_id="fuzz", hostname="127.0.0.1", pid=1))


class LiveApi:
    """Run ``leadpulse`` API (no worker) on a free local port until ``stop``."""

    def __init__(self, data_dir: Path, *, google_certs_url: str) -> None:
        from leadpulse.api.app import create_app
        from leadpulse.bootstrap import build_container
        from leadpulse.config import Settings

        self.port = free_port()
        settings = Settings(
            env="test",
            host="127.0.0.1",
            port=self.port,
            data_dir=data_dir,
            database_url=f"sqlite+aiosqlite:///{data_dir}/leadpulse.db",
            jwt_secret="test-secret-" + "x" * 40,
            log_json=False,
            log_level="WARNING",
            rate_limit_enabled=False,
            webhooks_allow_private=True,  # no DNS: every URL a test sends is local
            webhook_timeout_seconds=1,
            google_client_id="fuzz-client.apps.googleusercontent.com",
            google_certs_url=google_certs_url,  # a local certificate server
            worker_lease_seconds=3600,  # the heartbeat written at start stays fresh
            _env_file=None,  # type: ignore[call-arg]
        )
        app = create_app(build_container(settings), auto_migrate=True, on_startup=[_heartbeat])
        config = uvicorn.Config(app, log_config=None, **uvicorn_options(settings))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-api", daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveApi:
        self.thread.start()
        for _ in range(500):  # bounded poll: the server sets ``started`` once it listens
            if self.server.started or not self.thread.is_alive():
                break
            self.thread.join(timeout=0.02)
        assert self.server.started, "the API did not start"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Seeded:
    """A project with one of each resource, and credentials of its owner."""

    token: str
    secret_key: str
    publishable_key: str
    project_id: int
    ids: dict[str, Any]

    @property
    def jwt(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def seed_over_http(base_url: str) -> Seeded:
    """Register an account and give its project a lead, rule, automation and webhook."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        body = {
            "email": f"st-{uuid.uuid4().hex[:10]}@example.com",
            "password": "correct horse battery",
            "name": "S",
        }
        registered = _ok(c.post("/api/auth/register", json=body))
        jwt = {"Authorization": f"Bearer {registered['token']}"}
        project = _ok(c.get("/api/auth/project", headers=jwt))
        key = _ok(c.post("/api/auth/generate-api-key", json={"type": "secret"}, headers=jwt))[
            "apiKey"
        ]
        event = {"eventType": "page_view", "anonymousId": "seed-visitor"}
        lead_id = _ok(c.post("/api/events", json=event, headers=jwt))["leadId"]
        rule = _ok(c.post("/api/rules", json={"eventType": "seeded", "points": 5}, headers=jwt))
        automation = _ok(
            c.post("/api/automations", json={"name": "seed", "action": "log"}, headers=jwt)
        )
        hook = _ok(
            c.post("/api/webhooks", json={"url": LOCAL_URL, "events": ["lead.scored"]}, headers=jwt)
        )
        delivery = _ok(c.post(f"/api/webhooks/{hook['id']}/test", headers=jwt))
        return Seeded(
            token=registered["token"],
            secret_key=key,
            publishable_key=project["publishableKey"],
            project_id=project["id"],
            ids={
                "lead_id": lead_id,
                "rule_id": rule["id"],
                "automation_id": automation["id"],
                "webhook_id": hook["id"],
                "delivery_id": delivery["id"],
                "project_id": project["id"],
            },
        )
