"""Historical import through the API: upload → job in the worker → events scored; rows that
do not fit are reported with their line; importing again adds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from leadpulse.store.models import Event, Lead

CSV = b"""event,timestamp,email,plan
signup,2024-01-01T10:00:00Z,ana@example.com,pro
page_view,2024-01-02T10:00:00Z,ana@example.com,pro
not a type!,2024-01-03T10:00:00Z,bo@example.com,free
demo_request,2024-01-04T10:00:00Z,bo@example.com,free
"""


async def _events(db: Any, project_id: int) -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Event).where(Event.project_id == project_id)
        )
    return int(count or 0)


async def test_uploaded_csv_is_imported_scored_and_its_bad_row_reported(
    signup: Any,
    upload: Any,
    run_imports: Any,
    worker: Any,
    client: Any,
    db: Any,
    container: Any,
) -> None:
    account = await signup()
    created = await upload(account, CSV)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["status"] == "queued" and job["rowsRead"] == 0

    assert any((container.settings.data_dir / "imports").iterdir())  # the stored upload
    assert await run_imports() == 1
    await worker.drain()
    assert not any((container.settings.data_dir / "imports").iterdir())  # deleted once imported

    answer = await client.get(f"/api/imports/{job['id']}", headers=account.headers)
    state = answer.json()
    assert (state["status"], state["percent"]) == ("finished", 100.0)
    assert (state["rowsRead"], state["rowsStored"], state["rowsRejected"]) == (4, 3, 1)
    [rejected] = state["rejections"]["items"]
    assert rejected["line"] == 4
    assert rejected["errors"][0]["loc"] == "event"
    async with db.sessions() as session:
        scores = dict(
            (
                await session.execute(
                    select(Lead.email, Lead.score).where(Lead.project_id == account.project_id)
                )
            ).all()
        )
    assert scores == {"ana@example.com": 25, "bo@example.com": 50}


async def test_importing_the_same_rows_again_in_another_layout_adds_nothing(
    signup: Any, upload: Any, run_imports: Any, client: Any, db: Any
) -> None:
    account = await signup()
    await upload(account, CSV)
    await run_imports()
    reordered = b"""email,plan,timestamp,event
bo@example.com,free,2024-01-04T10:00:00+00:00,demo_request
ana@example.com,pro,2024-01-01T10:00:00.000Z,signup
"""
    again = (await upload(account, reordered, name="re-export.csv")).json()
    await run_imports()

    state = (await client.get(f"/api/imports/{again['id']}", headers=account.headers)).json()
    assert (state["rowsStored"], state["rowsDuplicate"]) == (0, 2)
    assert await _events(db, account.project_id) == 3


async def test_segment_export_is_mapped_like_segments_api(
    signup: Any, upload: Any, run_imports: Any, db: Any
) -> None:
    account = await signup()
    lines = b"\n".join(
        [
            b'{"type":"identify","messageId":"m-1","anonymousId":"a1",'
            b'"timestamp":"2024-02-01T00:00:00Z","traits":{"email":"Seg@Example.com"}}',
            b'{"type":"track","event":"Demo-Request Sent!","messageId":"m-2",'
            b'"anonymousId":"a1","timestamp":"2024-02-02T00:00:00Z","properties":{"x":1}}',
            b'{"type":"page","name":"Pricing","messageId":"m-3","anonymousId":"a1",'
            b'"timestamp":"2024-02-03T00:00:00Z"}',
        ]
    )
    await upload(account, lines, name="segment.json", format="segment-json")
    await run_imports()
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Event.event_id, Event.event_type)
                .where(Event.project_id == account.project_id)
                .order_by(Event.event_id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("m-1", "identify"),
        ("m-2", "demo_request_sent"),
        ("m-3", "page_view"),
    ]


async def test_a_binary_file_is_refused_at_once_and_no_job_is_made(
    signup: Any, upload: Any, client: Any
) -> None:
    account = await signup()
    answer = await upload(account, b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", name="photo.csv")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == "file"
    listed = await client.get("/api/imports", headers=account.headers)
    assert listed.json()["total"] == 0


async def test_another_projects_import_is_not_found(signup: Any, upload: Any, client: Any) -> None:
    mine, theirs = await signup(), await signup()
    job = (await upload(theirs, CSV)).json()
    answer = await client.get(f"/api/imports/{job['id']}", headers=mine.headers)
    assert answer.status_code == 404


async def test_an_upload_over_the_limit_is_413(signup: Any, upload: Any, container: Any) -> None:
    container.settings.import_max_upload_bytes = 2048
    account = await signup()
    answer = await upload(account, CSV * 40)
    assert answer.status_code == 413


async def test_a_column_mapping_names_the_parts_and_a_bad_one_is_422(
    signup: Any, upload: Any, run_imports: Any, client: Any, db: Any
) -> None:
    account = await signup()
    content = b"Action,When,Who,plan,ignored\nsignup,2024-01-01T00:00:00Z,cy@example.com,pro,x\n"
    mapping = '{"eventType": "Action", "timestamp": "When", "email": "Who", "properties": ["plan"]}'
    job = (await upload(account, content, mapping=mapping)).json()
    await run_imports()
    state = (await client.get(f"/api/imports/{job['id']}", headers=account.headers)).json()
    assert state["rowsStored"] == 1
    async with db.sessions() as session:
        event = await session.scalar(select(Event).where(Event.project_id == account.project_id))
    assert event is not None and (event.event_type, event.properties) == ("signup", {"plan": "pro"})

    bad = await upload(account, content, mapping='{"eventType": "Action", "color": "x"}')
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "mapping.color"


async def test_an_upload_larger_than_the_json_body_limit_is_accepted(
    signup: Any, upload: Any, container: Any
) -> None:
    account = await signup()
    row = b"page_view,2024-01-02T10:00:00Z,ana@example.com,pro\n"
    content = CSV + row * (container.settings.max_body_bytes // len(row) + 100)
    assert len(content) > container.settings.max_body_bytes
    answer = await upload(account, content)
    assert answer.status_code == 202, answer.text
    assert answer.json()["sizeBytes"] == len(content)
