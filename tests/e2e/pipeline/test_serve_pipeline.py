"""``leadpulse serve`` end to end: a real process, its embedded worker, real HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from pipeline_e2e_support import free_port, wait_for

pytestmark = pytest.mark.slow


async def _up(base: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            await http.get(f"{base}/api/health")
    except httpx.TransportError:
        return False
    return True


async def test_serve_scores_walkthrough_events_to_75_hot(spawn: Any, tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")}
    env.update(LEADPULSE_ENV="test", LEADPULSE_LOG_JSON="false", PYTHONUNBUFFERED="1")
    server = spawn(["serve", "--port", str(port), "--data-dir", str(data)], env)
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        assert server.process.poll() is None, server.output[-3000:]
        return await _up(base)

    await wait_for(up, what="leadpulse serve to listen", interval=0.1)
    async with httpx.AsyncClient(base_url=base, timeout=10.0) as http:
        registered = await http.post(
            "/api/auth/register",
            json={"email": "serve@example.com", "password": "correct horse battery", "name": "S"},
        )
        assert registered.status_code == 201, registered.text
        auth = {"Authorization": f"Bearer {registered.json()['token']}"}
        key = (await http.get("/api/auth/project", headers=auth)).json()["publishableKey"]
        events = [
            {"event": name, "anonymousId": "serve-visitor"}
            for name in ("page_view", "signup", "demo_request")
        ]
        sent = await http.post(
            "/api/ingest/batch", json={"events": events}, headers={"X-API-Key": key}
        )
        assert sent.status_code == 202, sent.text
        assert sent.json()["accepted"] == 3
        lead_id = sent.json()["results"][0]["leadId"]

        async def scored() -> dict[str, Any] | None:
            lead = await http.get(f"/api/leads/{lead_id}", headers=auth)
            assert lead.status_code == 200, lead.text
            body: dict[str, Any] = lead.json()
            return body if body["currentScore"] == 75 else None

        lead = await wait_for(scored, what="the embedded worker to score the lead", interval=0.1)
    assert lead["leadStage"] == "hot"
    assert lead["velocityScore"] == 3
    assert (data / "leadpulse.db").is_file()
