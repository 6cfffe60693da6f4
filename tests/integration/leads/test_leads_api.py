"""The leads list, read, create, update endpoints and the leaderboard."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from leadpulse.store.types import utcnow


def ago(**delta: float) -> datetime:
    return utcnow() - timedelta(**delta)


async def _ids(client: Any, headers: dict[str, str], **params: Any) -> list[int]:
    response = await client.get("/api/leads", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_list_answers_items_total_limit_offset_sorted_by_score(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    low = await make_lead(db, account.project_id, score=10, stage="cold")
    high = await make_lead(db, account.project_id, score=90, stage="hot")
    mid = await make_lead(db, account.project_id, score=50, stage="warm")

    response = await client.get("/api/leads", headers=account.headers)

    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["limit"], body["offset"]) == (3, 50, 0)
    assert [i["id"] for i in body["items"]] == [high.id, mid.id, low.id]
    item = body["items"][0]
    assert item["currentScore"] == 90
    assert item["leadStage"] == "hot"
    assert item["identified"] is False
    assert {"anonymousId", "velocityScore", "eventsLast24h", "risk", "lastEventAt"} <= set(item)


async def test_list_pages_with_limit_and_offset(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    leads = [await make_lead(db, account.project_id, score=s) for s in (5, 4, 3, 2, 1)]

    first = await client.get("/api/leads", params={"limit": 2}, headers=account.headers)
    second = await client.get(
        "/api/leads", params={"limit": 2, "offset": 2}, headers=account.headers
    )

    assert [i["id"] for i in first.json()["items"]] == [leads[0].id, leads[1].id]
    assert [i["id"] for i in second.json()["items"]] == [leads[2].id, leads[3].id]
    assert second.json()["total"] == 5


async def test_list_filters_by_stage_and_min_score(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    await make_lead(db, account.project_id, score=10, stage="cold")
    warm_low = await make_lead(db, account.project_id, score=31, stage="warm")
    warm_high = await make_lead(db, account.project_id, score=55, stage="warm")

    assert await _ids(client, account.headers, stage="warm") == [warm_high.id, warm_low.id]
    assert await _ids(client, account.headers, minScore=40) == [warm_high.id]


async def test_search_is_case_insensitive_over_name_email_company_and_anonymous_id(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    pid = account.project_id
    by_name = await make_lead(db, pid, name="Grace HOPPER", score=4)
    by_email = await make_lead(db, pid, email="hopper@navy.mil", score=3)
    by_company = await make_lead(db, pid, company="Hopper Labs", score=2)
    by_anon = await make_lead(db, pid, anonymous_id="anon-HOPPER-1", score=1)
    await make_lead(db, pid, name="Ada Lovelace")
    await make_lead(db, pid, name="100% _literal_", score=0)

    found = await _ids(client, account.headers, q="hOpPeR")

    assert found == [by_name.id, by_email.id, by_company.id, by_anon.id]
    assert len(await _ids(client, account.headers, q="%")) == 1  # LIKE wildcards are literal


async def test_sorts_by_last_event_created_and_name(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    pid = account.project_id
    old = await make_lead(db, pid, name="bob", last_event_at=ago(days=3), created_at=ago(days=1))
    new = await make_lead(db, pid, name="Alice", last_event_at=ago(hours=1), created_at=ago(days=2))
    never = await make_lead(db, pid, name="carol", created_at=ago(days=3))

    assert await _ids(client, account.headers, sort="-lastEventAt") == [new.id, old.id, never.id]
    assert await _ids(client, account.headers, sort="lastEventAt") == [old.id, new.id, never.id]
    assert await _ids(client, account.headers, sort="createdAt") == [never.id, new.id, old.id]
    assert await _ids(client, account.headers, sort="-createdAt") == [old.id, new.id, never.id]
    assert await _ids(client, account.headers, sort="name") == [new.id, old.id, never.id]
    assert await _ids(client, account.headers, sort="score") == sorted([old.id, new.id, never.id])


async def test_list_excludes_merged_leads_and_other_projects(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account, other = await signup(), await signup()
    survivor = await make_lead(db, account.project_id, email="a@example.com")
    await make_lead(db, account.project_id, merged_into_id=survivor.id)
    await make_lead(db, other.project_id)

    assert await _ids(client, account.headers) == [survivor.id]


async def test_list_rejects_bad_parameters_naming_them(client: Any, signup: Any) -> None:
    account = await signup()
    for params, loc in (
        ({"limit": 201}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"sort": "email"}, "query.sort"),
        ({"stage": "lukewarm"}, "query.stage"),
        ({"minScore": -1}, "query.minScore"),
    ):
        response = await client.get("/api/leads", params=params, headers=account.headers)
        assert response.status_code == 422, params
        assert [e["loc"] for e in response.json()["errors"]] == [loc]


async def test_list_needs_credentials(client: Any) -> None:
    assert (await client.get("/api/leads")).status_code == 401


async def test_create_known_lead_normalises_email(client: Any, signup: Any) -> None:
    account = await signup()

    response = await client.post(
        "/api/leads",
        json={
            "name": "Ada",
            "email": "  Ada@Example.COM ",
            "company": "AE",
            "traits": {"plan": "pro"},
        },
        headers=account.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["identified"] is True
    assert body["traits"] == {"plan": "pro"}
    assert (body["currentScore"], body["leadStage"]) == (0, "cold")


async def test_create_rejects_invalid_email_and_duplicates(client: Any, signup: Any) -> None:
    account = await signup()
    bad = await client.post("/api/leads", json={"email": "not-an-email"}, headers=account.headers)
    first = await client.post("/api/leads", json={"email": "a@b.co"}, headers=account.headers)
    again = await client.post("/api/leads", json={"email": "A@B.CO"}, headers=account.headers)

    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "body.email"
    assert first.status_code == 201
    assert again.status_code == 409
    listed = await client.get("/api/leads", headers=account.headers)
    assert listed.json()["total"] == 1


async def test_same_email_may_exist_in_two_projects(client: Any, signup: Any) -> None:
    a, b = await signup(), await signup()
    for account in (a, b):
        response = await client.post(
            "/api/leads", json={"email": "x@y.io"}, headers=account.headers
        )
        assert response.status_code == 201


async def test_get_lead_returns_detail(client: Any, signup: Any, db: Any, make_lead: Any) -> None:
    account = await signup()
    lead = await make_lead(
        db,
        account.project_id,
        score=70,
        stage="hot",
        event_count=4,
        velocity_score=2,
        events_last_24h=2,
        last_event_at=ago(days=8),
        traits={"plan": "pro", "_identifiedAt": "x"},
    )

    response = await client.get(f"/api/leads/{lead.id}", headers=account.headers)

    body = response.json()
    assert response.status_code == 200
    assert body["currentScore"] == 70
    assert body["eventCount"] == 4
    assert body["velocityScore"] == 2
    assert body["risk"] == "medium"
    assert body["mergedInto"] is None
    assert body["traits"] == {"plan": "pro"}
    assert "location" not in response.headers


async def test_merged_lead_answers_with_merged_into_and_location(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    survivor = await make_lead(db, account.project_id, email="s@example.com")
    merged = await make_lead(db, account.project_id, merged_into_id=survivor.id)

    response = await client.get(f"/api/leads/{merged.id}", headers=account.headers)

    assert response.status_code == 200
    assert response.json()["mergedInto"] == survivor.id
    assert response.headers["location"] == f"/api/leads/{survivor.id}"


async def test_patch_merges_traits_and_refuses_email(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    lead = await make_lead(db, account.project_id, name="Old", traits={"a": 1, "b": 2})

    patched = await client.patch(
        f"/api/leads/{lead.id}",
        json={"name": "New", "company": "Co", "traits": {"b": None, "c": "x"}},
        headers=account.headers,
    )
    refused = await client.patch(
        f"/api/leads/{lead.id}", json={"email": "e@x.io"}, headers=account.headers
    )

    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["name"], body["company"], body["traits"]) == ("New", "Co", {"a": 1, "c": "x"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == "body.email"


async def test_patch_rejects_internal_trait_names(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    lead = await make_lead(db, account.project_id)
    response = await client.patch(
        f"/api/leads/{lead.id}", json={"traits": {"_identifiedAt": "x"}}, headers=account.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "body.traits"


async def test_leaderboard_ranks_by_score_without_merged(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account = await signup()
    pid = account.project_id
    top = await make_lead(db, pid, score=120, stage="qualified", email="t@x.io")
    second = await make_lead(db, pid, score=80, stage="hot")
    await make_lead(db, pid, score=500, merged_into_id=top.id)
    third = await make_lead(db, pid, score=10)

    page1 = await client.get("/api/leaderboard", params={"limit": 2}, headers=account.headers)
    page2 = await client.get(
        "/api/leaderboard", params={"limit": 2, "offset": 2}, headers=account.headers
    )

    assert [(i["id"], i["rank"]) for i in page1.json()["items"]] == [(top.id, 1), (second.id, 2)]
    assert [(i["id"], i["rank"]) for i in page2.json()["items"]] == [(third.id, 3)]
    assert page1.json()["total"] == 3


async def test_leaderboard_by_stage_counts_every_stage(
    client: Any, signup: Any, db: Any, make_lead: Any
) -> None:
    account, other = await signup(), await signup()
    for stage in ("cold", "cold", "hot", "qualified"):
        await make_lead(db, account.project_id, stage=stage)
    await make_lead(db, other.project_id, stage="warm")

    response = await client.get("/api/leaderboard/by-stage", headers=account.headers)

    assert response.json() == {"cold": 2, "warm": 0, "hot": 1, "qualified": 1}
