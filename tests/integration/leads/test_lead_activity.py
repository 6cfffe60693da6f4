"""Timeline, score history, intelligence and the project event feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from leadpulse.store.types import utcnow


def ago(**delta: float) -> datetime:
    return utcnow() - timedelta(**delta)


async def test_timeline_groups_events_by_session_newest_first_with_deltas(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any, make_history: Any
) -> None:
    account = await signup()
    pid = account.project_id
    lead = await make_lead(db, pid, score=25)
    t0 = ago(hours=5)
    a1 = await make_event(db, pid, lead.id, session_id="s-a", timestamp=t0)
    b1 = await make_event(db, pid, lead.id, session_id="s-b", timestamp=t0 + timedelta(hours=1))
    a2 = await make_event(
        db, pid, lead.id, session_id="s-a", timestamp=t0 + timedelta(hours=2), event_type="signup"
    )
    loose = await make_event(db, pid, lead.id, session_id=None, timestamp=t0 + timedelta(hours=3))
    await make_history(db, pid, lead.id, event_row_id=a1.id, old_score=0, new_score=5, delta=5)
    await make_history(db, pid, lead.id, event_row_id=b1.id, old_score=5, new_score=10, delta=5)
    await make_history(db, pid, lead.id, event_row_id=a2.id, old_score=10, new_score=30, delta=20)
    # A recompute re-scored a2: the newest row for an event is the one shown.
    await make_history(
        db,
        pid,
        lead.id,
        event_row_id=a2.id,
        cause="recompute",
        old_score=10,
        new_score=25,
        delta=15,
    )

    response = await client.get(f"/api/leads/{lead.id}/timeline", headers=account.headers)

    assert response.status_code == 200, response.text
    sessions = response.json()["sessions"]
    assert [s["sessionId"] for s in sessions] == [None, "s-a", "s-b"]
    assert [e["id"] for e in sessions[1]["events"]] == [a2.id, a1.id]
    assert [(e["delta"], e["score"]) for e in sessions[1]["events"]] == [(15, 25), (5, 5)]
    assert [(e["id"], e["delta"], e["score"]) for e in sessions[0]["events"]] == [
        (loose.id, 0, None)
    ]
    assert sessions[2]["events"][0]["delta"] == 5


async def test_history_pages_newest_first_with_cause(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any, make_history: Any
) -> None:
    account = await signup()
    pid = account.project_id
    lead = await make_lead(db, pid)
    event = await make_event(db, pid, lead.id, event_type="demo_request")
    rows = [
        await make_history(
            db,
            pid,
            lead.id,
            event_row_id=event.id,
            event_id=event.event_id,
            event_type="demo_request",
            rule_id=7,
            points=50,
            old_score=0,
            new_score=50,
            delta=50,
        ),
        await make_history(
            db,
            pid,
            lead.id,
            cause="decay",
            points=0,
            old_score=50,
            new_score=48,
            delta=-2,
            detail={"days": 1, "rate": 0.05},
        ),
        await make_history(
            db,
            pid,
            lead.id,
            cause="merge",
            points=0,
            old_score=48,
            new_score=48,
            delta=0,
            detail={"mergedLeadId": 99},
        ),
    ]

    first = await client.get(
        f"/api/leads/{lead.id}/history", params={"limit": 2}, headers=account.headers
    )
    second = await client.get(
        f"/api/leads/{lead.id}/history", params={"limit": 2, "offset": 2}, headers=account.headers
    )

    body = first.json()
    assert body["total"] == 3
    assert [r["cause"] for r in body["items"]] == ["merge", "decay"]
    assert body["items"][1]["detail"] == {"days": 1, "rate": 0.05}
    rule_row = second.json()["items"][0]
    assert rule_row["id"] == rows[0].id
    assert (rule_row["ruleId"], rule_row["eventType"], rule_row["delta"]) == (7, "demo_request", 50)
    assert rule_row["eventId"] == event.event_id


async def test_intelligence_reports_every_field_from_known_events(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    pid = account.project_id
    last = ago(hours=1)
    lead = await make_lead(db, pid, score=120, stage="qualified", last_event_at=last)
    for hours in (1, 2, 3, 4):  # 4 in the last 24 h
        await make_event(db, pid, lead.id, timestamp=ago(hours=hours))
    await make_event(db, pid, lead.id, timestamp=ago(hours=30))  # 1 in the 24 h before
    await make_event(db, pid, lead.id, timestamp=ago(days=10))  # outside the 7-day window

    response = await client.get(f"/api/leads/{lead.id}/intelligence", headers=account.headers)

    body = response.json()
    assert response.status_code == 200
    assert body["stage"] == "qualified"
    assert body["eventsLast24h"] == 4
    assert body["velocity"] == 12
    assert body["velocityScore"] == 4
    assert body["velocityTrend"] == "increasing"
    assert body["risk"] == "low"
    assert body["nextAction"] == "immediate_sales_contact"
    # 4 * 1 + 3 * 4/5 + 2 * 5/20 + (1 - 0.04/14) = 7.897... -> 7.9
    assert body["engagementScore"] == 7.9
    assert 0 <= body["churnProbability"] <= 0.05
    assert 0.04 <= body["daysSinceLastEvent"] <= 0.05


async def test_intelligence_counts_events_beyond_the_velocity_score_cap(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    lead = await make_lead(db, account.project_id, last_event_at=ago(minutes=1))
    for minutes in range(1, 13):  # 12 events in the last 24 h
        await make_event(db, account.project_id, lead.id, timestamp=ago(minutes=minutes))

    response = await client.get(f"/api/leads/{lead.id}/intelligence", headers=account.headers)

    body = response.json()
    assert (body["eventsLast24h"], body["velocityScore"], body["velocity"]) == (12, 10, 36)


async def test_intelligence_of_an_idle_lead_is_high_risk(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    lead = await make_lead(db, account.project_id, score=10, last_event_at=ago(days=20))
    await make_event(db, account.project_id, lead.id, timestamp=ago(days=20))

    body = (await client.get(f"/api/leads/{lead.id}/intelligence", headers=account.headers)).json()

    assert (body["risk"], body["nextAction"], body["velocityTrend"]) == (
        "high",
        "re_engagement_required",
        "steady",
    )
    assert body["velocity"] == 0
    assert body["churnProbability"] > 0.9


async def test_event_feed_pages_newest_first_with_cursor(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    pid = account.project_id
    lead = await make_lead(db, pid)
    same = ago(minutes=1)
    events = [
        await make_event(db, pid, lead.id, received_at=ago(minutes=10)),
        await make_event(db, pid, lead.id, received_at=same),
        await make_event(db, pid, lead.id, received_at=same),  # ties break by id
        await make_event(db, pid, lead.id, received_at=ago(seconds=1)),
    ]

    seen: list[int] = []
    cursor = None
    for _ in range(3):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/api/events", params=params, headers=account.headers)).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break

    assert seen == [events[3].id, events[2].id, events[1].id, events[0].id]
    assert cursor is None


async def test_event_feed_filters_by_type_lead_and_since(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    pid = account.project_id
    one, two = await make_lead(db, pid), await make_lead(db, pid)
    old = await make_event(db, pid, one.id, event_type="signup", received_at=ago(days=2))
    recent = await make_event(db, pid, one.id, event_type="signup", received_at=ago(hours=1))
    other = await make_event(db, pid, two.id, event_type="page_view", received_at=ago(hours=1))

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/events", params=params, headers=account.headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(eventType="signup") == [recent.id, old.id]
    assert await ids(leadId=two.id) == [other.id]
    since = ago(days=1).isoformat()
    assert sorted(await ids(since=since)) == sorted([recent.id, other.id])


async def test_event_feed_rejects_a_forged_cursor(client: Any, signup: Any) -> None:
    account = await signup()
    response = await client.get(
        "/api/events", params={"cursor": "not-a-cursor"}, headers=account.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "query.cursor"


async def test_event_feed_shows_only_the_callers_project(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account, other = await signup(), await signup()
    theirs = await make_lead(db, other.project_id)
    await make_event(db, other.project_id, theirs.id)

    body = (await client.get("/api/events", headers=account.headers)).json()

    assert body == {"items": [], "nextCursor": None}


async def test_event_feed_names_every_event_by_its_leads_identity_now(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any
) -> None:
    account = await signup()
    pid = account.project_id
    known = await make_lead(db, pid, anonymous_id="v-known", email="ada@example.com", name="Ada")
    anonymous = await make_lead(db, pid, anonymous_id="v-anon")
    before = await make_event(db, pid, known.id, received_at=ago(hours=3))  # sent anonymously
    carried = await make_event(
        db, pid, known.id, event_type="identify", email="ada@example.com", received_at=ago(hours=2)
    )
    stranger = await make_event(db, pid, anonymous.id, received_at=ago(hours=1))

    response = await client.get("/api/events", headers=account.headers)

    assert response.status_code == 200
    rows = {
        item["id"]: (item["email"], item["leadEmail"], item["leadName"], item["anonymousId"])
        for item in response.json()["items"]
    }
    assert rows == {
        before.id: (None, "ada@example.com", "Ada", "v-known"),
        carried.id: ("ada@example.com", "ada@example.com", "Ada", "v-known"),
        stranger.id: (None, None, None, "v-anon"),
    }
