"""An erased lead's id is never given to a new lead (§4.3, migration 0004)."""

from __future__ import annotations

from typing import Any

import httpx
from security_support import key_header, secret_key


async def _ingest(client: httpx.AsyncClient, key: str, anonymous_id: str) -> int:
    body = {"eventType": "page_view", "anonymousId": anonymous_id}
    response = await client.post("/api/events", json=body, headers=key_header(key))
    assert response.status_code == 202, response.text
    lead_id: int = response.json()["leadId"]
    return lead_id


async def test_a_new_lead_never_gets_the_id_of_the_erased_newest_lead(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    key = await secret_key(client, account)
    ids = [await _ingest(client, key, f"visitor-{i}") for i in range(3)]
    created = await client.post(
        "/api/leads", json={"email": "x@example.com"}, headers=account.headers
    )
    assert created.status_code == 201, created.text
    newest = created.json()["id"]
    assert newest > max(ids)

    erased = await client.delete(f"/api/leads/{newest}", headers=account.headers)
    assert erased.status_code == 204, erased.text
    fresh = await _ingest(client, key, "visitor-after-erasure")
    manual = await client.post(
        "/api/leads", json={"email": "y@example.com"}, headers=account.headers
    )

    assert fresh > newest
    assert manual.json()["id"] > fresh
    gone = await client.get(f"/api/leads/{newest}", headers=account.headers)
    assert gone.status_code == 404
