"""A publishable key addresses leads only by anonymousId, never by leadId (§4.2)."""

from __future__ import annotations

from typing import Any

import httpx
from security_support import event_count, key_header, secret_key


async def _lead_id(client: httpx.AsyncClient, key: str, anonymous_id: str) -> int:
    body = {"eventType": "page_view", "anonymousId": anonymous_id}
    response = await client.post("/api/events", json=body, headers=key_header(key))
    assert response.status_code == 202, response.text
    lead_id: int = response.json()["leadId"]
    return lead_id


async def test_a_publishable_key_sending_a_lead_id_is_refused_with_403(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    lead_id = await _lead_id(client, await secret_key(client, account), "victim")
    body = {"eventType": "contract_signed", "leadId": lead_id}
    response = await client.post(
        "/api/events", json=body, headers=key_header(account.publishable_key)
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "anonymousId" in response.json()["detail"]
    assert await event_count(db, account.project_id) == 1  # only the secret key's event


async def test_a_publishable_key_batch_rejects_only_the_items_with_a_lead_id(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    lead_id = await _lead_id(client, await secret_key(client, account), "victim")
    events = [
        {"eventType": "page_view", "anonymousId": "visitor", "email": "v@example.com"},
        {"eventType": "contract_signed", "leadId": lead_id},
        {"eventType": "signup", "anonymousId": "visitor"},
    ]
    response = await client.post(
        "/api/events/batch", json={"events": events}, headers=key_header(account.publishable_key)
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    rejected = body["results"][1]
    assert rejected["status"] == "rejected"
    assert [(e["loc"], e["type"]) for e in rejected["errors"]] == [("events.1.leadId", "forbidden")]
    assert {r["leadId"] for r in (body["results"][0], body["results"][2])} != {lead_id}
    assert await event_count(db, account.project_id) == 3


async def test_a_secret_key_and_a_user_token_may_still_address_a_lead_by_id(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    key = await secret_key(client, account)
    lead_id = await _lead_id(client, key, "known")
    for headers in (key_header(key), account.headers):
        body = {"eventType": "page_view", "leadId": lead_id}
        response = await client.post("/api/events", json=body, headers=headers)
        assert response.status_code == 202, response.text
        assert response.json()["leadId"] == lead_id
        batch = {"events": [body]}
        response = await client.post("/api/events/batch", json=batch, headers=headers)
        assert response.json()["accepted"] == 1, response.text


async def test_the_sdk_format_has_no_lead_id_at_all(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    body = {"event": "page_view", "anonymousId": "a", "leadId": 1}
    response = await client.post(
        "/api/ingest/event", json=body, headers=key_header(account.publishable_key)
    )
    assert response.status_code == 422
    assert "body.leadId" in {e["loc"] for e in response.json()["errors"]}
