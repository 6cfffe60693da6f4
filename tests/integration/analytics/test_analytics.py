"""Analytics figures equal hand-computed values on a seeded data set, per project only.

The service functions take ``now``, so the time-dependent figures are exact; the HTTP tests
check the routes, their validation and project scoping on data seeded around the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from analytics_seed import seed_project_a, seed_project_b

from leadpulse.analytics import service
from leadpulse.store.types import utcnow

NOW = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)

EXPECTED_DISTRIBUTION = {"cold": 2, "warm": 2, "hot": 1, "qualified": 1}
EXPECTED_TYPES = [
    {"eventType": "page_view", "count": 3},
    {"eventType": "demo_request", "count": 1},
    {"eventType": "signup", "count": 1},
]


async def _two_projects(db: Any, signup: Any, now: datetime) -> tuple[Any, Any, Any]:
    a, b = await signup(), await signup()
    seeded = await seed_project_a(db, a.project_id, now)
    await seed_project_b(db, b.project_id, now)
    return a, b, seeded


async def test_dashboard_figures_match_the_data_set(db: Any, signup: Any) -> None:
    a, _, seeded = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        out = await service.dashboard(session, project_id=a.project_id, now=NOW)

    body = out.model_dump(by_alias=True)
    top = body.pop("topLeads")
    assert body == {
        "totalLeads": 6,  # Gus is merged into Ada
        "identifiedLeads": 6,  # every live seeded lead has an e-mail; merged Gus is not counted
        "qualifiedLeads": 1,
        "eventsToday": 3,  # 10:30, 11:30, 12:00; the 23:59:59 one was yesterday
        "totalEvents": 5,
        "averageScore": 47.7,  # (120 + 75 + 40 + 36 + 10 + 5) / 6 = 47.67
        "identityResolutions": 1,
        "avgProcessingLatencyMs": 1666.7,  # (1500 + 2500 + 1000) / 3
        "eventsByType": EXPECTED_TYPES,
        "scoreDistribution": EXPECTED_DISTRIBUTION,
    }
    assert [(lead["name"], lead["score"], lead["stage"]) for lead in top] == [
        ("Ada", 120, "qualified"),
        ("Bob", 75, "hot"),
        ("Cy", 40, "warm"),
        ("Di", 36, "warm"),
        ("Ed", 10, "cold"),
    ]
    assert top[0] == {
        "id": seeded.leads["Ada"],
        "name": "Ada",
        "email": "ada@example.com",
        "anonymousId": f"anon-ada-{a.project_id}",
        "score": 120,
        "stage": "qualified",
    }


async def test_dashboard_of_an_empty_project_is_all_zero(db: Any, signup: Any) -> None:
    a = await signup()
    await seed_project_b(db, (await signup()).project_id, NOW)

    async with db.sessions() as session:
        out = await service.dashboard(session, project_id=a.project_id, now=NOW)

    assert out.model_dump(by_alias=True) == {
        "totalLeads": 0,
        "identifiedLeads": 0,
        "qualifiedLeads": 0,
        "eventsToday": 0,
        "totalEvents": 0,
        "averageScore": 0.0,
        "identityResolutions": 0,
        "avgProcessingLatencyMs": None,
        "eventsByType": [],
        "scoreDistribution": {"cold": 0, "warm": 0, "hot": 0, "qualified": 0},
        "topLeads": [],
    }


async def test_identified_leads_count_an_email_or_an_external_id_not_merged_leads(
    db: Any, signup: Any
) -> None:
    from factories import make_lead

    a, b = await signup(), await signup()
    p = a.project_id
    await make_lead(db, p, email="mail@example.com", stage="warm")
    await make_lead(db, p, external_id="user-7", stage="hot")
    await make_lead(db, p, email="both@example.com", external_id="user-8")
    await make_lead(db, p)  # anonymous
    await make_lead(db, p, anonymous_id=None, name="Name only")  # a name is not an identity
    survivor = await make_lead(db, p)
    await make_lead(db, p, email="merged@example.com", merged_into_id=survivor.id)
    await make_lead(db, b.project_id, email="other@example.com")

    async with db.sessions() as session:
        out = await service.dashboard(session, project_id=p, now=NOW)

    # 6 live leads; identified: mail, user-7, both (3); the merged one counts as a merge only.
    assert (out.total_leads, out.identified_leads, out.identity_resolutions) == (6, 3, 1)


async def test_events_by_type_lists_the_top_twenty(db: Any, signup: Any) -> None:
    from leadpulse.store.models import Event, Lead

    a = await signup()
    async with db.transaction() as session:
        lead = Lead(project_id=a.project_id, anonymous_id="many")
        session.add(lead)
        await session.flush()
        session.add_all(
            Event(
                project_id=a.project_id,
                lead_id=lead.id,
                event_id=f"e{t}-{n}",
                event_type=f"type_{t:02d}",
                timestamp=NOW,
                received_at=NOW,
            )
            for t in range(22)
            for n in range(1 + (t == 21))  # type_21 happens twice: ranked first
        )

    async with db.sessions() as session:
        out = await service.dashboard(session, project_id=a.project_id, now=NOW)

    names = [row.event_type for row in out.events_by_type]
    assert names == ["type_21", *[f"type_{t:02d}" for t in range(19)]]
    assert out.events_by_type[0].count == 2


async def test_throughput_counts_per_hour_zero_filled(db: Any, signup: Any) -> None:
    a, _, _ = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        out = await service.throughput(session, project_id=a.project_id, hours=3, now=NOW)

    assert out.model_dump(mode="json", by_alias=True) == {
        "hours": 3,
        "buckets": [
            {"hour": "2026-11-28T10:00:00Z", "events": 1, "scoreMutations": 0},
            {"hour": "2026-11-28T11:00:00Z", "events": 1, "scoreMutations": 2},
            {"hour": "2026-11-28T12:00:00Z", "events": 1, "scoreMutations": 1},
        ],
    }


async def test_throughput_over_a_day_reaches_into_yesterday(db: Any, signup: Any) -> None:
    a, _, _ = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        out = await service.throughput(session, project_id=a.project_id, hours=24, now=NOW)

    buckets = out.model_dump(mode="json", by_alias=True)["buckets"]
    assert len(buckets) == 24
    assert buckets[0]["hour"] == "2026-11-27T13:00:00Z"
    assert buckets[-1]["hour"] == "2026-11-28T12:00:00Z"
    busy = {
        b["hour"]: (b["events"], b["scoreMutations"])
        for b in buckets
        if b["events"] or b["scoreMutations"]
    }
    assert busy == {
        "2026-11-27T23:00:00Z": (1, 0),
        "2026-11-28T10:00:00Z": (1, 0),
        "2026-11-28T11:00:00Z": (1, 2),
        "2026-11-28T12:00:00Z": (1, 1),
    }


async def test_queue_health_counts_the_projects_jobs(db: Any, signup: Any) -> None:
    a, _, _ = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        out = await service.queue_health(session, project_id=a.project_id, now=NOW)

    assert out.model_dump(by_alias=True) == {
        "pending": 2,
        "active": 1,  # the other running job's lease has expired
        "failed": 1,  # pending again after 2 attempts
        "deadLetters": 2,  # the replayed one no longer counts
        "workers": 2,  # seen 10 s ago and now; 31 s ago is gone
        "oldestPendingAgeSeconds": 300.0,
    }


async def test_queue_health_of_an_idle_project(db: Any, signup: Any) -> None:
    a = await signup()
    await seed_project_b(db, (await signup()).project_id, NOW)

    async with db.sessions() as session:
        out = await service.queue_health(session, project_id=a.project_id, now=NOW)

    assert out.model_dump(by_alias=True) == {
        "pending": 0,
        "active": 0,
        "failed": 0,
        "deadLetters": 0,
        "workers": 0,
        "oldestPendingAgeSeconds": None,
    }


async def test_score_mutations_are_newest_first_with_the_lead(db: Any, signup: Any) -> None:
    a, _, seeded = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        rows = await service.score_mutations(session, project_id=a.project_id, limit=2)

    assert [row.id for row in rows] == [seeded.history["h3"], seeded.history["h2"]]
    first = rows[0].model_dump(mode="json", by_alias=True)
    assert first == {
        "id": seeded.history["h3"],
        "leadId": seeded.leads["Ada"],
        "leadName": "Ada",
        "leadEmail": "ada@example.com",
        "anonymousId": f"anon-ada-{a.project_id}",
        "cause": "rule",
        "eventId": first["eventId"],
        "eventType": "page_view",
        "ruleId": None,
        "oldScore": 0,
        "newScore": 5,
        "delta": 5,
        "createdAt": "2026-11-28T12:05:00Z",
    }


async def test_automation_logs_are_newest_first_with_the_automation(db: Any, signup: Any) -> None:
    a, _, seeded = await _two_projects(db, signup, NOW)

    async with db.sessions() as session:
        rows = await service.automation_logs(session, project_id=a.project_id, limit=50)

    assert [r.model_dump(mode="json", by_alias=True) for r in rows] == [
        {
            "id": seeded.executions["x2"],
            "automationId": seeded.automation_id,
            "automationName": "Notify sales",
            "action": "webhook",
            "leadId": seeded.leads["Ada"],
            "leadName": "Ada",
            "leadEmail": "ada@example.com",
            "status": "failed",
            "attempts": 3,
            "responseCode": 500,
            "error": "HTTP 500",
            "createdAt": "2026-11-28T11:30:00Z",
            "finishedAt": "2026-11-28T11:30:01Z",
        },
        {
            "id": seeded.executions["x1"],
            "automationId": seeded.automation_id,
            "automationName": "Notify sales",
            "action": "webhook",
            "leadId": seeded.leads["Bob"],
            "leadName": "Bob",
            "leadEmail": "bob@example.com",
            "status": "succeeded",
            "attempts": 1,
            "responseCode": 200,
            "error": None,
            "createdAt": "2026-11-28T10:30:00Z",
            "finishedAt": "2026-11-28T10:30:01Z",
        },
    ]


# --- over HTTP ----------------------------------------------------------------------------


async def test_dashboard_over_http_is_scoped_to_the_callers_project(
    client: Any, db: Any, signup: Any
) -> None:
    a, b, _ = await _two_projects(db, signup, utcnow())

    mine = await client.get("/api/analytics/dashboard", headers=a.headers)
    theirs = await client.get("/api/analytics/dashboard", headers=b.headers)

    assert mine.status_code == 200
    body = mine.json()
    assert (body["totalLeads"], body["totalEvents"], body["averageScore"]) == (6, 5, 47.7)
    assert body["scoreDistribution"] == EXPECTED_DISTRIBUTION
    assert body["eventsByType"] == EXPECTED_TYPES
    assert [lead["name"] for lead in body["topLeads"]] == ["Ada", "Bob", "Cy", "Di", "Ed"]
    other = theirs.json()
    assert (other["totalLeads"], other["totalEvents"], other["identityResolutions"]) == (1, 10, 1)
    assert [lead["name"] for lead in other["topLeads"]] == ["Zed"]


async def test_feeds_and_queue_health_over_http(client: Any, db: Any, signup: Any) -> None:
    a, _, seeded = await _two_projects(db, signup, utcnow())

    mutations = await client.get("/api/analytics/score-mutations?limit=3", headers=a.headers)
    logs = await client.get("/api/analytics/automation-logs", headers=a.headers)
    queue = await client.get("/api/analytics/queue-health", headers=a.headers)
    hours = await client.get("/api/analytics/throughput?hours=168", headers=a.headers)

    assert mutations.status_code == 200
    assert mutations.json()["limit"] == 3
    assert [r["id"] for r in mutations.json()["items"]] == [
        seeded.history[k] for k in ("h3", "h2", "h1")
    ]
    assert logs.json()["limit"] == 50
    assert [r["id"] for r in logs.json()["items"]] == [seeded.executions[k] for k in ("x2", "x1")]
    health = queue.json()
    assert (health["pending"], health["active"], health["failed"], health["deadLetters"]) == (
        2,
        1,
        1,
        2,
    )
    assert len(hours.json()["buckets"]) == 168
    assert sum(b["events"] for b in hours.json()["buckets"]) == 5


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/analytics/throughput?hours=0", "query.hours"),
        ("/api/analytics/throughput?hours=169", "query.hours"),
        ("/api/analytics/throughput?hours=many", "query.hours"),
        ("/api/analytics/score-mutations?limit=500", "query.limit"),
        ("/api/analytics/score-mutations?limit=0", "query.limit"),
        ("/api/analytics/automation-logs?limit=500", "query.limit"),
    ],
)
async def test_out_of_range_query_is_rejected_naming_it(
    client: Any, signup: Any, path: str, param: str
) -> None:
    a = await signup()

    response = await client.get(path, headers=a.headers)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in response.json()["errors"]] == [param]


@pytest.mark.parametrize(
    "path",
    [
        "/api/analytics/dashboard",
        "/api/analytics/throughput",
        "/api/analytics/queue-health",
        "/api/analytics/score-mutations",
        "/api/analytics/automation-logs",
    ],
)
async def test_analytics_need_a_user_token_or_secret_key(
    client: Any, signup: Any, path: str
) -> None:
    a = await signup()

    anonymous = await client.get(path)
    publishable = await client.get(path, headers={"X-API-Key": a.publishable_key})

    assert anonymous.status_code == 401
    assert publishable.status_code == 403
