"""Sign-up, sign-in and the current user and project."""

from __future__ import annotations

from typing import Any


async def test_register_returns_token_user_and_project(client: Any) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "  Ada@Example.COM ", "password": "long enough", "name": "Ada"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["project"]["id"] > 0
    assert body["token"].count(".") == 2


async def test_current_project_has_a_publishable_key(client: Any, signup: Any) -> None:
    account = await signup()
    response = await client.get("/api/auth/project", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["publishableKey"].startswith("pk_")
