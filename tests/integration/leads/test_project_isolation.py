"""Every lead endpoint answers 404 for another project's lead, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from leadpulse.store.models import Lead

ENDPOINTS = [
    ("GET", "/api/leads/{id}", None),
    ("PATCH", "/api/leads/{id}", {"name": "Hijacked"}),
    ("DELETE", "/api/leads/{id}", None),
    ("GET", "/api/leads/{id}/export", None),
    ("GET", "/api/leads/{id}/timeline", None),
    ("GET", "/api/leads/{id}/history", None),
    ("GET", "/api/leads/{id}/intelligence", None),
    ("GET", "/api/events?leadId={id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_another_projects_lead_is_not_found(
    client: Any, signup: Any, db: Any, make_lead: Any, method: str, path: str, body: Any
) -> None:
    mine, theirs = await signup(), await signup()
    lead = await make_lead(db, theirs.project_id, name="Theirs", email="t@their.io")

    response = await client.request(
        method, path.format(id=lead.id), json=body, headers=mine.headers
    )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    async with db.sessions() as session:
        stored = await session.get(Lead, lead.id)
    assert stored is not None and stored.name == "Theirs"


async def test_unknown_lead_is_not_found(client: Any, signup: Any) -> None:
    account = await signup()
    assert (await client.get("/api/leads/999999", headers=account.headers)).status_code == 404


async def test_secret_key_reads_leads_but_publishable_key_may_not(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    await make_lead(db, account.project_id)
    key = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=account.headers
    )

    with_secret = await client.get("/api/leads", headers={"X-API-Key": key.json()["apiKey"]})
    with_publishable = await client.get(
        "/api/leads", headers={"X-API-Key": account.publishable_key}
    )

    assert with_secret.status_code == 200
    assert with_secret.json()["total"] == 1
    assert with_publishable.status_code == 403
