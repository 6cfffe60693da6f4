"""Inbound webhooks: a signed delivery becomes a scored event; anything unsigned, badly
signed, stale or replayed is 401 and stores nothing; mapping errors are 422 naming the
payload path. Signed with the ``standardwebhooks`` library (a real third-party signer)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from leadpulse.store.models import Event, Lead
from leadpulse.worker.loop import Worker

MAPPING = {
    "eventType": "data.kind",
    "email": "data.customer.email",
    "timestamp": "data.created",
    "properties": ["data.plan", "data.amount"],
}


def payload(**data: Any) -> bytes:
    body = {
        "data": {
            "kind": "demo_request",
            "customer": {"email": "buyer@example.com"},
            "created": "2024-05-01T12:00:00Z",
            "plan": "pro",
            "amount": 99,
            **data,
        }
    }
    return orjson.dumps(body)


def standard_headers(
    secret: str, body: bytes, *, msg_id: str | None = None, age: int = 0
) -> dict[str, str]:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    sent = datetime.now(UTC) - timedelta(seconds=age)
    signature = Webhook(secret).sign(msg_id, sent, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


@pytest.fixture
def make_source(client: Any) -> Any:
    async def _make(account: Any, **fields: Any) -> dict[str, Any]:
        body = {"name": "Billing", "mapping": MAPPING, **fields}
        answer = await client.post("/api/inbound-sources", json=body, headers=account.headers)
        assert answer.status_code == 201, answer.text
        data: dict[str, Any] = answer.json()
        return data

    return _make


async def _count(db: Any, model: Any, project_id: int) -> int:
    async with db.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(model).where(model.project_id == project_id)
        )
    return int(found or 0)


async def test_a_standard_webhooks_delivery_is_stored_and_scored(
    signup: Any, make_source: Any, client: Any, container: Any, db: Any
) -> None:
    account = await signup()
    source = await make_source(account)
    assert source["secret"].startswith("whsec_")
    body = payload()
    answer = await client.post(
        f"/api/inbound/{source['id']}",
        content=body,
        headers=standard_headers(source["secret"], body),
    )
    assert answer.status_code == 202, answer.text
    await Worker(container, worker_id="inbound-test").drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, answer.json()["leadId"])
        event = await session.scalar(select(Event).where(Event.lead_id == lead.id))  # type: ignore[union-attr]
    assert lead is not None and lead.score == 50 and lead.email == "buyer@example.com"
    assert event is not None and event.properties == {"plan": "pro", "amount": 99}


async def test_the_hmac_header_variant_is_accepted(
    signup: Any, make_source: Any, client: Any, db: Any
) -> None:
    account = await signup()
    config = {
        "header": "X-Hub-Signature",
        "encoding": "hex",
        "prefix": "sha256=",
        "timestampHeader": "X-Timestamp",
        "idHeader": "X-Delivery",
    }
    source = await make_source(account, scheme="hmac", hmac=config)
    body = payload()
    stamp = str(int(time.time()))
    digest = hmac.new(source["secret"].encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    headers = {
        "X-Hub-Signature": "sha256=" + digest.hexdigest(),
        "X-Timestamp": stamp,
        "X-Delivery": "d-1",
    }
    answer = await client.post(f"/api/inbound/{source['id']}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    replay = await client.post(f"/api/inbound/{source['id']}", content=body, headers=headers)
    assert replay.status_code == 401
    wrong = {**headers, "X-Hub-Signature": "sha256=" + base64.b16encode(b"x" * 32).decode()}
    assert (
        await client.post(f"/api/inbound/{source['id']}", content=body, headers=wrong)
    ).status_code == 401
    assert await _count(db, Event, account.project_id) == 1


@pytest.mark.parametrize("tamper", ["bad_signature", "missing_headers", "stale", "replayed"])
async def test_refused_deliveries_are_401_and_store_nothing(
    tamper: str, signup: Any, make_source: Any, client: Any, db: Any
) -> None:
    account = await signup()
    source = await make_source(account)
    body = payload()
    url = f"/api/inbound/{source['id']}"
    headers = standard_headers(source["secret"], body, age=600 if tamper == "stale" else 0)
    if tamper == "replayed":
        first = await client.post(url, content=body, headers=headers)
        assert first.status_code == 202
    if tamper == "bad_signature":
        headers = standard_headers("whsec_" + base64.b64encode(b"k" * 24).decode(), body)
    if tamper == "missing_headers":
        headers = {"content-type": "application/json"}
    answer = await client.post(url, content=body, headers=headers)
    assert answer.status_code == 401, answer.text
    assert await _count(db, Event, account.project_id) == (1 if tamper == "replayed" else 0)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"customer": None}, "body.data.customer.email"),
        ({"created": "yesterday"}, "body.data.created"),
    ],
)
async def test_mapping_errors_are_422_naming_the_payload_path(
    data: dict[str, Any], path: str, signup: Any, make_source: Any, client: Any, db: Any
) -> None:
    account = await signup()
    source = await make_source(account, mapping={**MAPPING, "anonymousId": "data.customer.email"})
    body = payload(**data)
    answer = await client.post(
        f"/api/inbound/{source['id']}",
        content=body,
        headers=standard_headers(source["secret"], body),
    )
    assert answer.status_code == 422, answer.text
    assert path in [e["loc"] for e in answer.json()["errors"]]
    assert await _count(db, Event, account.project_id) == 0


async def test_a_body_over_the_limit_is_413(
    signup: Any, make_source: Any, client: Any, container: Any
) -> None:
    container.settings.inbound_max_body_bytes = 300
    account = await signup()
    source = await make_source(account)
    body = payload(plan="x" * 400)
    answer = await client.post(
        f"/api/inbound/{source['id']}",
        content=body,
        headers=standard_headers(source["secret"], body),
    )
    assert answer.status_code == 413


async def test_another_projects_source_is_not_found(
    signup: Any, make_source: Any, client: Any
) -> None:
    mine, theirs = await signup(), await signup()
    source = await make_source(theirs)
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"name": "x"}} if method == "PATCH" else {}
        answer = await client.request(
            method, f"/api/inbound-sources/{source['id']}", headers=mine.headers, **kwargs
        )
        assert answer.status_code == 404, method
    unknown = await client.post("/api/inbound/999999", content=b"{}")
    assert unknown.status_code == 404


async def test_preview_shows_the_event_or_the_missing_path(signup: Any, client: Any) -> None:
    account = await signup()
    sample = orjson.loads(payload())
    ok = await client.post(
        "/api/inbound-sources/preview",
        json={"mapping": MAPPING, "sample": sample},
        headers=account.headers,
    )
    assert ok.status_code == 200, ok.text
    event = ok.json()["event"]
    assert (event["eventType"], event["email"]) == ("demo_request", "buyer@example.com")
    missing = await client.post(
        "/api/inbound-sources/preview",
        json={"mapping": {**MAPPING, "eventType": "data.type"}, "sample": sample},
        headers=account.headers,
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == "sample.data.type"


async def test_switching_a_source_to_hmac_without_its_settings_is_422(
    signup: Any, make_source: Any, client: Any
) -> None:
    account = await signup()
    source = await make_source(account)
    answer = await client.patch(
        f"/api/inbound-sources/{source['id']}", json={"scheme": "hmac"}, headers=account.headers
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == "body.hmac"
    kept = await client.get(f"/api/inbound-sources/{source['id']}", headers=account.headers)
    assert kept.json()["scheme"] == "standard"
