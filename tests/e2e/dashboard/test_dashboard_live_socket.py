"""The dashboard's live socket connects on the origin it is served from, and updates screens.

A real ``leadpulse serve`` on 127.0.0.1 and a random port (not in the default
``LEADPULSE_CORS_ORIGINS``) serves the build; the page turns the polling fallback off
(``localStorage["leadpulse.polling"] = "off"``), so only a Socket.IO frame can make a lead
ingested through the API appear on the open Leads page without a reload.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PIPELINE_TIMEOUT_MS = 20_000
DEFAULT_ALLOW_LIST = ("http://localhost:4000", "http://localhost:5173")


def _register(base_url: str) -> tuple[str, str]:
    body = {
        "email": f"live-{uuid.uuid4().hex[:10]}@example.com",
        "password": "correct horse battery",
        "name": "Lee Live",
    }
    with httpx.Client(base_url=base_url) as http:
        token = http.post("/api/auth/register", json=body).json()["token"]
        project = http.get("/api/auth/project", headers={"Authorization": f"Bearer {token}"})
    return token, project.json()["publishableKey"]


def _ingest(base_url: str, key: str, email: str) -> None:
    event = {"event": "signup", "anonymousId": f"v-{uuid.uuid4().hex[:8]}", "email": email}
    with httpx.Client(base_url=base_url) as http:
        response = http.post("/api/ingest/event", headers={"X-API-Key": key}, json=event)
    assert response.status_code == 202, response.text


def _socket_frames(page: Any) -> list[str]:
    """Collect the text frames the page receives on its websockets."""
    frames: list[str] = []

    def received(payload: str | bytes) -> None:
        if isinstance(payload, str):
            frames.append(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", received))
    return frames


def test_live_socket_connects_on_a_non_default_port_and_shows_a_new_lead(
    page: Any, live_server: str
) -> None:
    assert live_server.startswith("http://127.0.0.1:") and live_server not in DEFAULT_ALLOW_LIST
    token, key = _register(live_server)
    page.context.add_init_script(
        f"localStorage.setItem('leadpulse.token', {json.dumps(token)});"
        "localStorage.setItem('leadpulse.polling', 'off');"
    )
    frames = _socket_frames(page)
    page.goto("/app/leads")
    expect(page.get_by_test_id("live-status")).to_have_text("Live")
    page.evaluate("window.__noReload = true")

    email = f"lena-{uuid.uuid4().hex[:8]}@example.com"
    _ingest(live_server, key, email)

    expect(page.get_by_text(email).first).to_be_visible(timeout=PIPELINE_TIMEOUT_MS)
    assert page.evaluate("window.__noReload") is True  # the same page, never reloaded
    assert any('"leadUpdated"' in frame and email in frame for frame in frames)
    expect(page.get_by_test_id("live-status")).to_have_text("Live")
