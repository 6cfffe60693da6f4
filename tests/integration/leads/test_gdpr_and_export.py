"""GDPR erase and export of a lead, and the streamed CSV export of the lead list."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from leadpulse.leads import export
from leadpulse.leads.service import LeadFilters
from leadpulse.store.models import (
    Automation,
    AutomationExecution,
    Event,
    FailedJob,
    Lead,
    LeadJob,
    ScoreHistory,
)
from leadpulse.store.types import utcnow

LEAD_ID_TABLES = (Event, ScoreHistory, LeadJob, FailedJob, AutomationExecution)


async def _footprint(
    db: Any, project_id: int, make_lead: Any, make_event: Any, make_history: Any
) -> dict[str, Any]:
    """A lead with an alias, events, history, a job, a failed job and an execution."""
    lead = await make_lead(db, project_id, email="erase@me.io", name="Erase Me", score=20)
    alias = await make_lead(db, project_id, merged_into_id=lead.id)
    bystander = await make_lead(db, project_id, email="keep@me.io")
    event = await make_event(db, project_id, lead.id)
    await make_event(db, project_id, lead.id, event_type="signup")
    await make_history(db, project_id, lead.id, event_row_id=event.id)
    await make_history(db, project_id, alias.id)  # the alias's own history before the merge
    kept_event = await make_event(db, project_id, bystander.id)
    # Another lead's history pointing at the erased lead's event keeps its numbers.
    await make_history(db, project_id, bystander.id, event_row_id=event.id)
    async with db.transaction() as session:
        await session.execute(insert(LeadJob).values(lead_id=lead.id, project_id=project_id))
        session.add(
            FailedJob(project_id=project_id, lead_id=lead.id, attempts=5, error="x", traceback="t")
        )
        automation = Automation(project_id=project_id, name="a", action="log")
        session.add(automation)
        await session.flush()
        session.add(
            AutomationExecution(
                project_id=project_id,
                automation_id=automation.id,
                lead_id=lead.id,
                day=date.today(),
                status="succeeded",
            )
        )
    return {"lead": lead, "alias": alias, "bystander": bystander, "kept_event": kept_event}


async def _rows_of(db: Any, ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with db.sessions() as session:
        for table in LEAD_ID_TABLES:
            counts[table.__tablename__] = await session.scalar(
                select(func.count()).select_from(table).where(table.lead_id.in_(ids))
            )
        counts["leads"] = await session.scalar(
            select(func.count()).select_from(Lead).where(Lead.id.in_(ids))
        )
        counts["merged_into"] = await session.scalar(
            select(func.count()).select_from(Lead).where(Lead.merged_into_id.in_(ids))
        )
    return counts


async def test_gdpr_delete_leaves_no_row_of_the_lead_or_its_aliases(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any, make_history: Any
) -> None:
    account = await signup()
    f = await _footprint(db, account.project_id, make_lead, make_event, make_history)
    ids = [f["lead"].id, f["alias"].id]
    assert 0 not in (await _rows_of(db, ids)).values()  # every table holds some of its rows

    response = await client.delete(f"/api/leads/{f['lead'].id}", headers=account.headers)

    assert response.status_code == 204
    assert set((await _rows_of(db, ids)).values()) == {0}
    async with db.sessions() as session:
        assert await session.get(Lead, f["bystander"].id) is not None
        assert await session.get(Event, f["kept_event"].id) is not None
        kept = await session.scalar(
            select(ScoreHistory).where(ScoreHistory.lead_id == f["bystander"].id)
        )
        assert kept is not None and kept.event_row_id is None and kept.delta == 5
    again = await client.get(f"/api/leads/{f['lead'].id}", headers=account.headers)
    assert again.status_code == 404


async def test_gdpr_export_contains_every_stored_row(
    client: Any, signup: Any, db: Any, make_lead: Any, make_event: Any, make_history: Any
) -> None:
    account = await signup()
    f = await _footprint(db, account.project_id, make_lead, make_event, make_history)
    counts = await _rows_of(db, [f["lead"].id, f["alias"].id])

    response = await client.get(f"/api/leads/{f['lead'].id}/export", headers=account.headers)

    body = response.json()
    assert response.status_code == 200
    assert body["lead"]["email"] == "erase@me.io"
    assert [a["id"] for a in body["aliases"]] == [f["alias"].id]
    assert len(body["events"]) == counts["events"] == 2
    assert len(body["scoreHistory"]) == counts["score_history"] == 2
    assert len(body["automationExecutions"]) == counts["automation_executions"] == 1
    assert len(body["failedJobs"]) == counts["failed_jobs"] == 1
    assert len(body["leadJobs"]) == counts["lead_jobs"] == 1
    assert {e["event_type"] for e in body["events"]} == {"page_view", "signup"}


async def _bulk_leads(db: Any, project_id: int, rows: list[dict[str, Any]]) -> None:
    now = utcnow()
    values = [
        {
            "project_id": project_id,
            "anonymous_id": f"bulk-{i}",
            "traits": {},
            "created_at": now,
            "updated_at": now,
            "score": 0,
            "stage": "cold",
            **row,
        }
        for i, row in enumerate(rows)
    ]
    async with db.transaction() as session:
        await session.execute(insert(Lead), values)


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_csv_escapes_formula_cells(client: Any, signup: Any, db: Any) -> None:
    account = await signup()
    evil = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "Plain"]
    await _bulk_leads(
        db,
        account.project_id,
        [{"name": n, "company": n, "score": 100 - i} for i, n in enumerate(evil)],
    )

    response = await client.get("/api/leads/export", headers=account.headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _parse(response.text)
    assert rows[0] == [
        "Name",
        "Email",
        "Company",
        "Score",
        "Stage",
        "Velocity",
        "Last event",
        "Created",
    ]
    names = [r[0] for r in rows[1:]]
    assert names == ["'" + n for n in evil[:-1]] + ["Plain"]
    assert [r[2] for r in rows[1:]] == names
    assert rows[1][3] == "100"


async def test_csv_export_streams_5000_leads_in_pages(client: Any, signup: Any, db: Any) -> None:
    account, other = await signup(), await signup()
    await _bulk_leads(
        db,
        account.project_id,
        [
            {
                "name": f"Lead {i}",
                "score": i % 150,
                "stage": "hot" if i % 2 else "cold",
                "last_event_at": utcnow() - timedelta(minutes=i),
            }
            for i in range(5000)
        ],
    )
    await _bulk_leads(db, other.project_id, [{"name": "Not mine"}])

    response_obj = export.csv_response(db, project_id=account.project_id, filters=LeadFilters())
    chunks = [chunk async for chunk in response_obj.body_iterator]
    response = await client.get("/api/leads/export", headers=account.headers)
    filtered = await client.get(
        "/api/leads/export", params={"stage": "hot", "minScore": 100}, headers=account.headers
    )

    assert len(chunks) == 1 + 5  # header, then 5 pages of 1000
    assert "content-length" not in response.headers  # streamed, not built in memory
    rows = _parse(response.text)
    assert len(rows) == 5001
    assert "Not mine" not in response.text
    scores = [int(r[3]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    hot_rows = _parse(filtered.text)[1:]
    assert hot_rows and all(r[4] == "hot" and int(r[3]) >= 100 for r in hot_rows)
    assert len(hot_rows) == sum(1 for i in range(5000) if i % 2 and i % 150 >= 100)
