"""The Segment HTTP Tracking API at the wire: auth, encodings, limits, dedupe, validation."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import orjson
from segment_support import anon, basic, events_of, live_leads, uid

PROBLEM = "application/problem+json"


async def test_a_gzip_batch_is_stored_and_scored(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    visitor = anon()
    batch = {
        "batch": [
            {"type": "page", "anonymousId": visitor, "name": "Home", "category": "Docs"},
            {"type": "track", "anonymousId": visitor, "event": "Pricing-Page Visit!"},
        ]
    }

    response = await segment("batch", batch, gzipped=True)
    await worker.drain()

    assert response.status_code == 200 and response.json() == {"success": True}
    stored = await events_of(db, account.project_id)
    assert [e.event_type for e in stored] == ["page_view", "pricing_page_visit"]
    assert stored[0].properties == {"name": "Home", "category": "Docs"}
    (lead,) = await live_leads(db, account.project_id)
    assert lead.score == 20  # page_view 5 + pricing_page_visit 15


async def test_the_same_message_id_twice_is_one_event(
    segment: Any, worker: Any, db: Any, account: Any
) -> None:
    message = {"anonymousId": anon(), "event": "signup", "messageId": "msg-1"}

    first = await segment("track", message)
    again = await segment("batch", {"batch": [{**message, "type": "track"}]})
    await worker.drain()

    assert first.status_code == again.status_code == 200
    assert [e.event_id for e in await events_of(db, account.project_id)] == ["msg-1"]
    (lead,) = await live_leads(db, account.project_id)
    assert lead.score == 20


async def test_the_write_key_may_come_in_the_body(client: Any, db: Any, account: Any) -> None:
    body = {"writeKey": account.publishable_key, "anonymousId": anon(), "event": "download"}

    response = await client.post("/v1/track", json=body)

    assert response.status_code == 200, response.text
    assert len(await events_of(db, account.project_id)) == 1


async def test_context_and_user_id_are_kept_with_the_event(
    segment: Any, db: Any, account: Any
) -> None:
    user = uid()
    context = {"library": {"name": "analytics-python"}, "ip": "203.0.113.9"}

    await segment("track", {"userId": user, "event": "download", "context": context})

    (event,) = await events_of(db, account.project_id)
    assert (event.user_id, event.context) == (user, context)


async def test_a_wrong_or_missing_write_key_is_401(segment: Any, client: Any, db: Any) -> None:
    message = {"anonymousId": anon(), "event": "signup"}

    wrong = await segment("track", message, key="pk_live_nottherightkey")
    foreign = await segment("track", message, key="some-segment-write-key")
    missing = await client.post("/v1/track", json=message)

    assert [r.status_code for r in (wrong, foreign, missing)] == [401, 401, 401]
    assert wrong.headers["content-type"] == PROBLEM


async def test_an_unknown_call_is_404(segment: Any) -> None:
    response = await segment("foo", {"anonymousId": anon(), "event": "x"})

    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


async def test_an_unsupported_content_encoding_is_415(client: Any, db: Any, account: Any) -> None:
    raw = zlib.compress(orjson.dumps({"anonymousId": anon(), "event": "signup"}))
    headers = {**basic(account.publishable_key), "Content-Encoding": "deflate"}

    response = await client.post("/v1/track", content=raw, headers=headers)

    assert response.status_code == 415 and response.headers["content-type"] == PROBLEM
    assert await events_of(db, account.project_id) == []


async def test_a_body_claiming_gzip_that_is_not_is_400(client: Any, account: Any) -> None:
    headers = {**basic(account.publishable_key), "Content-Encoding": "gzip"}

    response = await client.post("/v1/track", content=b'{"event": "x"}', headers=headers)

    assert response.status_code == 400


async def test_a_call_over_32_kb_is_413(segment: Any, db: Any, account: Any) -> None:
    big = {"anonymousId": anon(), "event": "signup", "properties": {"blob": "x" * 33_000}}

    plain = await segment("track", big)
    packed = await segment("track", big, gzipped=True)  # the limit is on the decoded body

    assert plain.status_code == packed.status_code == 413
    assert plain.headers["content-type"] == PROBLEM
    assert await events_of(db, account.project_id) == []


async def test_a_batch_over_500_kb_is_413(segment: Any, db: Any, account: Any) -> None:
    message = {"type": "track", "anonymousId": anon(), "event": "signup"}
    batch = [{**message, "properties": {"blob": "x" * 20_000}} for _ in range(26)]

    response = await segment("batch", {"batch": batch}, gzipped=True)

    assert response.status_code == 413
    assert await events_of(db, account.project_id) == []


async def test_bad_messages_do_not_fail_the_batch(segment: Any, db: Any, account: Any) -> None:
    visitor = anon()
    batch = [
        {"type": "track", "anonymousId": visitor, "event": "signup"},
        {"type": "teleport", "anonymousId": visitor},
        {"type": "track", "anonymousId": visitor},
        {"type": "track", "anonymousId": visitor, "event": "x", "properties": {"b": "x" * 33_000}},
        {"type": "identify", "anonymousId": visitor, "traits": {"email": "not-an-email"}},
        {"type": "page", "anonymousId": visitor},
    ]

    response = await segment("batch", {"batch": batch})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    rejected = {r["index"]: {e["loc"] for e in r["errors"]} for r in body["rejected"]}
    assert rejected == {
        1: {"batch.1.type"},
        2: {"batch.2.event"},
        3: {"batch.3"},
        4: {"batch.4.traits.email"},
    }
    assert [e.event_type for e in await events_of(db, account.project_id)] == [
        "signup",
        "page_view",
    ]


async def test_an_invalid_call_is_422_naming_the_segment_field(
    segment: Any, db: Any, account: Any
) -> None:
    no_event = await segment("track", {"anonymousId": anon()})
    no_identity = await segment("track", {"event": "signup"})
    long_id = await segment("track", {"anonymousId": anon(), "event": "x", "messageId": "m" * 200})
    bad_time = await segment("page", {"anonymousId": anon(), "originalTimestamp": "yesterday"})
    not_object = await segment("track", ["signup"])

    def locs(response: Any) -> list[str]:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        return [e["loc"] for e in response.json()["errors"]]

    assert locs(no_event) == ["body.event"]
    assert locs(no_identity) == ["body.userId"]
    assert locs(long_id) == ["body.messageId"]
    assert locs(bad_time) == ["body.originalTimestamp"]
    assert locs(not_object) == ["body"]
    assert await events_of(db, account.project_id) == []


async def test_malformed_json_is_400(client: Any, account: Any) -> None:
    headers = {**basic(account.publishable_key), "Content-Encoding": "gzip"}

    response = await client.post("/v1/batch", content=gzip.compress(b"{nope"), headers=headers)

    assert (
        response.status_code == 400
        and response.headers["content-type"] == "application/problem+json"
    )


async def test_the_ingest_cors_rules_apply(client: Any, account: Any) -> None:
    preflight = await client.options(
        "/v1/batch",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
