"""``/api/webhooks``: subscriptions are project-scoped, validated, SSRF-checked, and their
secret is shown exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from foundation_support import assert_problem, error_locs

EVENTS = ["lead.scored", "lead.stage_changed"]


async def create(client: Any, account: Any, **overrides: Any) -> Any:
    body = {"url": "http://127.0.0.1:9/hook", "events": EVENTS, **overrides}
    return await client.post("/api/webhooks", json=body, headers=account.headers)


async def test_secret_is_shown_only_in_the_create_response(client: Any, signup: Any) -> None:
    account = await signup()

    created = await create(client, account)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == EVENTS and body["active"] is True
    one = await client.get(f"/api/webhooks/{body['id']}", headers=account.headers)
    listed = await client.get("/api/webhooks", headers=account.headers)
    assert "secret" not in one.json()
    assert listed.json()["total"] == 1
    assert all("secret" not in item for item in listed.json()["items"])


async def test_secret_decodes_to_at_least_24_random_bytes(client: Any, signup: Any) -> None:
    import base64

    account = await signup()
    first = (await create(client, account)).json()["secret"]
    second = (await create(client, account)).json()["secret"]

    assert len(base64.b64decode(first.removeprefix("whsec_"))) >= 24
    assert first != second


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        ({"events": ["lead.exploded"]}, "body.events.0"),
        ({"events": []}, "body.events"),
        ({"url": "ftp://example.com/x"}, "body.url"),
        ({"url": "not a url"}, "body.url"),
        ({"url": "http://example.com/" + "x" * 2100}, "body.url"),
        ({"unknown": 1}, "body.unknown"),
    ],
)
async def test_invalid_subscription_is_refused_naming_the_field(
    client: Any, signup: Any, override: dict[str, Any], loc: str
) -> None:
    account = await signup()

    response = await create(client, account, **override)

    assert loc in error_locs(assert_problem(response, 422))
    assert (await client.get("/api/webhooks", headers=account.headers)).json()["total"] == 0


async def test_duplicate_event_types_are_stored_once(client: Any, signup: Any) -> None:
    account = await signup()

    response = await create(client, account, events=["lead.merged", "lead.merged"])

    assert response.json()["events"] == ["lead.merged"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "http://localhost:8080/hook",
    ],
)
async def test_private_targets_are_refused_unless_allowed(
    client: Any, signup: Any, container: Any, url: str
) -> None:
    container.settings.webhooks_allow_private = False
    account = await signup()

    response = await create(client, account, url=url)

    body = assert_problem(response, 422)
    assert error_locs(body) == {"body.url"}
    assert "LEADPULSE_WEBHOOKS_ALLOW_PRIVATE" in body["errors"][0]["msg"]


async def test_update_to_a_private_target_is_refused_and_changes_nothing(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    created = (await create(client, account)).json()
    container.settings.webhooks_allow_private = False

    response = await client.patch(
        f"/api/webhooks/{created['id']}",
        json={"url": "http://10.0.0.1/hook", "active": False},
        headers=account.headers,
    )

    assert error_locs(assert_problem(response, 422)) == {"body.url"}
    after = (await client.get(f"/api/webhooks/{created['id']}", headers=account.headers)).json()
    assert after["url"] == created["url"] and after["active"] is True


async def test_update_changes_only_the_sent_fields(client: Any, signup: Any) -> None:
    account = await signup()
    created = (await create(client, account)).json()

    response = await client.patch(
        f"/api/webhooks/{created['id']}",
        json={"events": ["lead.merged"], "active": False},
        headers=account.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["events"] == ["lead.merged"] and body["active"] is False
    assert body["url"] == created["url"] and "secret" not in body


async def test_null_is_not_a_valid_update(client: Any, signup: Any) -> None:
    account = await signup()
    created = (await create(client, account)).json()

    response = await client.patch(
        f"/api/webhooks/{created['id']}", json={"url": None}, headers=account.headers
    )

    assert error_locs(assert_problem(response, 422)) == {"body.url"}


async def test_delete_removes_the_subscription(client: Any, signup: Any) -> None:
    account = await signup()
    created = (await create(client, account)).json()

    deleted = await client.delete(f"/api/webhooks/{created['id']}", headers=account.headers)

    assert deleted.status_code == 204
    gone = await client.get(f"/api/webhooks/{created['id']}", headers=account.headers)
    assert_problem(gone, 404)


async def test_list_is_paginated_newest_first(client: Any, signup: Any) -> None:
    account = await signup()
    ids = [(await create(client, account)).json()["id"] for _ in range(3)]

    page = await client.get("/api/webhooks?limit=2&offset=1", headers=account.headers)

    body = page.json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 1
    assert [item["id"] for item in body["items"]] == [ids[1], ids[0]]


async def test_another_projects_subscription_answers_404_everywhere(
    client: Any, signup: Any
) -> None:
    owner = await signup()
    other = await signup()
    hook_id = (await create(client, owner)).json()["id"]
    h = other.headers

    responses = [
        await client.get(f"/api/webhooks/{hook_id}", headers=h),
        await client.patch(f"/api/webhooks/{hook_id}", json={"active": False}, headers=h),
        await client.get(f"/api/webhooks/{hook_id}/deliveries", headers=h),
        await client.post(f"/api/webhooks/{hook_id}/test", headers=h),
        await client.post(f"/api/webhooks/{hook_id}/deliveries/1/redeliver", headers=h),
        await client.delete(f"/api/webhooks/{hook_id}", headers=h),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert (await client.get("/api/webhooks", headers=h)).json()["total"] == 0
    still = await client.get(f"/api/webhooks/{hook_id}", headers=owner.headers)
    assert still.json()["active"] is True


async def test_webhooks_need_a_credential(client: Any) -> None:
    response = await client.get("/api/webhooks")

    assert_problem(response, 401)
