"""Steps the dashboard browser tests share: sign up, navigate, send events as the user."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

PIPELINE_TIMEOUT_MS = 20_000


def nav(page: Any, label: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()


def sign_up(page: Any) -> str:
    """Create a fresh account from the landing page; return its e-mail."""
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    page.goto("/")
    page.get_by_role("link", name="Get started").click()
    page.get_by_label("Name").fill("Dana Dashboard")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_label("Company (optional)").fill("Acme")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return email


def post_event(page: Any, body: dict[str, Any]) -> None:
    """POST /api/events as the signed-in user (its token from localStorage)."""
    token = page.evaluate("localStorage.getItem('leadpulse.token')")
    response = page.request.post(
        "/api/events", headers={"Authorization": f"Bearer {token}"}, data=body
    )
    assert response.status == 202, response.text()
