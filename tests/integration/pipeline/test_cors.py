"""CORS: ingest is open to every website (no credentials); the JWT API keeps its allow-list;
a project can restrict its keys to listed origins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from leadpulse.store.models import Lead

CUSTOMER = "https://customer.example"


def _event(anonymous_id: str = "cors-visitor") -> dict[str, Any]:
    return {"event": "page_view", "anonymousId": anonymous_id}


async def test_ingest_preflight_from_any_origin_is_allowed_without_credentials(
    client: Any,
) -> None:
    response = await client.options(
        "/api/ingest/batch",
        headers={
            "Origin": CUSTOMER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "x-api-key" in allowed and "content-type" in allowed


async def test_ingest_post_from_a_customer_site_gets_a_wildcard_origin(
    client: Any, signup: Any
) -> None:
    account = await signup()
    response = await client.post(
        "/api/ingest/batch",
        json={"events": [_event()]},
        headers={"Origin": CUSTOMER, "X-API-Key": account.publishable_key},
    )
    assert response.status_code == 202, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


async def test_ingest_error_answers_also_carry_cors_headers(client: Any) -> None:
    response = await client.post(
        "/api/ingest/event",
        json=_event(),
        headers={"Origin": CUSTOMER, "X-API-Key": "pk_unknown_key_0000000000"},
    )
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "*"


async def test_jwt_api_preflight_from_an_unknown_origin_gets_no_cors_grant(client: Any) -> None:
    response = await client.options(
        "/api/auth/me",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert "access-control-allow-origin" not in response.headers
    listed = await client.options(
        "/api/auth/me",
        headers={"Origin": "http://localhost:4000", "Access-Control-Request-Method": "GET"},
    )
    assert listed.headers["access-control-allow-origin"] == "http://localhost:4000"
    assert listed.headers["access-control-allow-credentials"] == "true"


async def test_project_allowed_origins_refuse_other_sites_with_403(
    client: Any, signup: Any, db: Any
) -> None:
    account = await signup()
    patched = await client.patch(
        f"/api/projects/{account.project_id}",
        json={"allowedOrigins": ["https://shop.example"]},
        headers=account.headers,
    )
    assert patched.status_code == 200, patched.text
    headers = {"X-API-Key": account.publishable_key}
    refused = await client.post(
        "/api/ingest/batch",
        json={"events": [_event("evil-visitor")]},
        headers={**headers, "Origin": "https://evil.example"},
    )
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "https://evil.example" in refused.json()["detail"]
    allowed = await client.post(
        "/api/ingest/batch",
        json={"events": [_event("shop-visitor")]},
        headers={**headers, "Origin": "https://shop.example"},
    )
    assert allowed.status_code == 202, allowed.text
    assert allowed.json()["accepted"] == 1

    async with db.sessions() as session:
        evil = await session.scalar(
            select(func.count()).select_from(Lead).where(Lead.anonymous_id == "evil-visitor")
        )
    assert evil == 0, "a refused request must change nothing"
