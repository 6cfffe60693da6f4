"""One bad event never costs the good ones: each item is validated alone (§4.4).

A batch answers 202 with a per-item ``rejected`` result naming the field
(``events.1.timestamp``) and stores every good item; the single-event endpoints answer 422
naming the field. Each case here was a 500 that lost the whole request.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from security_support import MAX_BIGINT, event_count, key_header, problem_locs, secret_key

# (extra fields of an otherwise valid event, the field the rejection must name)
BAD_ITEMS: list[tuple[dict[str, Any], str]] = [
    ({"timestamp": "0001-01-01T00:00:00+14:00"}, "timestamp"),  # before year 1 in UTC
    ({"timestamp": "9999-12-31T23:59:59-23:59"}, "timestamp"),  # after 9999 in UTC
    ({"sentAt": "9999-12-31T23:59:59-23:59"}, "sentAt"),
    # both in range, but the skew correction (receivedAt − (sentAt − timestamp)) is not
    ({"timestamp": "0001-01-02T00:00:00Z", "sentAt": "9999-12-30T00:00:00Z"}, "timestamp"),
    ({"properties": {"note": "a\u0000b"}}, "properties.note"),
    ({"properties": {"list": [1, {"deep": "\u0000"}]}}, "properties.list.1.deep"),
    ({"properties": {"k\u0000": 1}}, "properties"),
    ({"traits": {"name": "\u0000"}}, "traits.name"),
    ({"sessionId": "s\u0000"}, "sessionId"),
    ({"email": "a\u0000@example.com"}, "email"),
]
SERVER_ONLY: list[tuple[dict[str, Any], str]] = [
    ({"leadId": MAX_BIGINT + 1, "anonymousId": None}, "leadId"),
    ({"anonymousId": "a\u0000"}, "anonymousId"),
]
# NaN and Infinity are not JSON: orjson refuses them, so they are sent as raw text
RAW_BAD = [('{"score": NaN}', "properties.score"), ('{"x": [Infinity]}', "properties.x.0")]


def _server(extra: dict[str, Any]) -> dict[str, Any]:
    event = {"eventType": "page_view", "anonymousId": "good-visitor", **extra}
    return {k: v for k, v in event.items() if v is not None}


def _sdk(extra: dict[str, Any]) -> dict[str, Any]:
    return {"event": "page_view", "anonymousId": "good-visitor", **extra}


@pytest.mark.parametrize(("extra", "field"), BAD_ITEMS + SERVER_ONLY)
async def test_a_bad_item_of_a_server_batch_is_rejected_alone_naming_its_field(
    client: httpx.AsyncClient, signup: Any, db: Any, extra: dict[str, Any], field: str
) -> None:
    account = await signup()
    events = [_server({}), _server({"eventType": "signup"}), _server(extra), _server({})]
    response = await client.post(
        "/api/events/batch",
        json={"events": events},
        headers=key_header(await secret_key(client, account)),
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (3, 1), body
    assert body["results"][2]["status"] == "rejected"
    assert f"events.2.{field}" in {e["loc"] for e in body["results"][2]["errors"]}
    assert await event_count(db, account.project_id) == 3


@pytest.mark.parametrize(("extra", "field"), BAD_ITEMS)
async def test_a_bad_item_of_an_sdk_batch_is_rejected_alone_naming_its_field(
    client: httpx.AsyncClient, signup: Any, db: Any, extra: dict[str, Any], field: str
) -> None:
    account = await signup()
    events = [_sdk({}), _sdk(extra)]
    response = await client.post(
        "/api/ingest/batch", json={"events": events}, headers=key_header(account.publishable_key)
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1), body
    assert f"events.1.{field}" in {e["loc"] for e in body["results"][1]["errors"]}
    assert await event_count(db, account.project_id) == 1


@pytest.mark.parametrize(("extra", "field"), BAD_ITEMS + SERVER_ONLY)
async def test_a_bad_single_event_is_422_naming_its_field(
    client: httpx.AsyncClient, signup: Any, db: Any, extra: dict[str, Any], field: str
) -> None:
    account = await signup()
    key = await secret_key(client, account)
    response = await client.post("/api/events", json=_server(extra), headers=key_header(key))
    assert response.status_code == 422, response.text
    assert f"body.{field}" in problem_locs(response)
    if (extra, field) in BAD_ITEMS:
        response = await client.post(
            "/api/ingest/event", json=_sdk(extra), headers=key_header(account.publishable_key)
        )
        assert response.status_code == 422, response.text
        assert f"body.{field}" in problem_locs(response)
    assert await event_count(db, account.project_id) == 0


@pytest.mark.parametrize(("properties", "field"), RAW_BAD)
async def test_nan_and_infinity_are_refused_per_item_naming_the_path(
    client: httpx.AsyncClient, signup: Any, db: Any, properties: str, field: str
) -> None:
    account = await signup()
    good = '{"event": "page_view", "anonymousId": "v"}'
    bad = f'{{"event": "page_view", "anonymousId": "v", "properties": {properties}}}'
    headers = {**key_header(account.publishable_key), "Content-Type": "application/json"}
    batch = await client.post(
        "/api/ingest/batch", content=f'{{"events": [{good}, {bad}]}}', headers=headers
    )
    assert batch.status_code == 202, batch.text
    assert f"events.1.{field}" in {e["loc"] for e in batch.json()["results"][1]["errors"]}
    single = await client.post("/api/ingest/event", content=bad, headers=headers)
    assert single.status_code == 422, single.text
    assert f"body.{field}" in problem_locs(single)
    assert await event_count(db, account.project_id) == 1
