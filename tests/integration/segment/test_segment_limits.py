"""LeadPulse's ingest rules hold on the Segment API too: origins, rate limits, key kinds."""

from __future__ import annotations

from typing import Any

import pytest
from segment_support import anon, events_of

KEY_LIMIT = 3


@pytest.fixture
def settings(settings: Any) -> Any:
    """The test settings with rate limits on and a small per-key budget."""
    settings.rate_limit_enabled = True
    settings.rate_limit_key_per_minute = KEY_LIMIT
    settings.rate_limit_ip_per_minute = 100
    return settings


async def test_a_key_over_its_budget_is_429_across_both_apis(
    segment: Any, client: Any, account: Any
) -> None:
    message = {"anonymousId": anon(), "event": "signup"}
    ours = await client.post(
        "/api/ingest/event",
        json={"event": "signup", "anonymousId": anon()},
        headers={"X-API-Key": account.publishable_key},
    )
    answers = [await segment("track", message) for _ in range(KEY_LIMIT)]

    assert ours.status_code == 202
    assert [a.status_code for a in answers] == [200] * (KEY_LIMIT - 1) + [429]
    assert answers[-1].headers["RateLimit-Limit"] == str(KEY_LIMIT)


async def test_the_projects_allowed_origins_refuse_other_sites(
    segment: Any, client: Any, db: Any, account: Any
) -> None:
    patched = await client.patch(
        f"/api/projects/{account.project_id}",
        json={"allowedOrigins": ["https://shop.example"]},
        headers=account.headers,
    )
    assert patched.status_code == 200, patched.text
    message = {"anonymousId": anon(), "event": "signup"}

    refused = await segment("track", message, Origin="https://evil.example")
    allowed = await segment("track", message, Origin="https://shop.example")

    assert (refused.status_code, allowed.status_code) == (403, 200)
    assert len(await events_of(db, account.project_id)) == 1


async def test_a_secret_key_is_a_write_key(
    segment: Any, client: Any, db: Any, account: Any
) -> None:
    created = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=account.headers
    )
    assert created.status_code == 201, created.text
    secret = created.json()["apiKey"]
    assert secret.startswith("sk_")

    response = await segment("identify", {"userId": "u-1", "traits": {"name": "A"}}, key=secret)

    assert response.status_code == 200, response.text
    assert [e.user_id for e in await events_of(db, account.project_id)] == ["u-1"]
