"""``leadpulse import`` as a person runs it: a summary and a report of the rejected rows with
line numbers, nothing added by a second run, one red line for a file that is not CSV, and an
import killed mid-file finished by the next worker without counting a row twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from cli_e2e_support import LEADPULSE, child_env, leadpulse

from leadpulse.store.db import Database
from leadpulse.store.models import Project, StageThreshold, User

CSV = """event,timestamp,email,plan
signup,2024-01-01T10:00:00Z,ana@example.com,pro
page_view,2024-01-02T10:00:00Z,ana@example.com,pro
page_view,yesterday,bo@example.com,free
demo_request,2024-01-04T10:00:00Z,bo@example.com,free
"""
KILL_ROWS = 20_000
DEADLINE = 120.0


def _project(data_dir: Path) -> int:
    """Migrate the data dir's database and add a project; return its id."""
    assert (
        leadpulse("db", "upgrade", "--data-dir", str(data_dir), cwd=data_dir.parent).returncode == 0
    )

    async def make() -> int:
        db = Database(f"sqlite+aiosqlite:///{data_dir / 'leadpulse.db'}", pool_size=1)
        try:
            async with db.transaction() as session:
                user = User(email="owner@example.com", name="Owner")
                session.add(user)
                await session.flush()
                project = Project(owner_id=user.id, name="History")
                session.add(project)
                await session.flush()
                session.add(StageThreshold(project_id=project.id))
                return project.id
        finally:
            await db.dispose()

    return asyncio.run(make())


def _job(data_dir: Path) -> tuple[str, int, int, str | None]:
    with sqlite3.connect(data_dir / "leadpulse.db") as conn:
        row = conn.execute(
            "SELECT status, rows_read, rows_stored, locked_until FROM import_jobs "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return (row[0], row[1], row[2], row[3]) if row else ("none", 0, 0, None)


def _events(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "leadpulse.db") as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_import_reports_rejected_rows_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    project = _project(data)
    file = tmp_path / "history.csv"
    file.write_text(CSV)
    args = ("import", str(file), "--project", str(project), "--data-dir", str(data))

    first = leadpulse(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "4 row(s) of history.csv" in first.stderr
    assert "3 stored, 0 duplicate, 1 rejected" in first.stderr
    report = (tmp_path / "history.csv.rejected.csv").read_text().splitlines()
    assert report[0] == "line,reason,row"
    assert report[1].startswith("4,") and "timestamp" in report[1]

    second = leadpulse(*args, cwd=tmp_path)
    assert "0 stored, 3 duplicate, 1 rejected" in second.stderr
    assert _events(data) == 3


def test_a_binary_file_is_one_red_line_and_exit_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    project = _project(data)
    file = tmp_path / "photo.csv"
    file.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    answer = leadpulse(
        "import", str(file), "--project", str(project), "--data-dir", str(data), cwd=tmp_path
    )
    assert answer.returncode == 1
    assert answer.stderr.strip().splitlines() == [
        "error: file: photo.csv is a binary file, not CSV or NDJSON"
    ]
    assert _job(data)[0] == "none"


def _write_ndjson(path: Path, rows: int) -> None:
    with path.open("wb") as out:
        for n in range(rows):
            event = {
                "event": "page_view",
                "anonymousId": f"visitor-{n % 500}",
                "timestamp": f"2024-06-01T00:00:{n % 60:02d}Z",
                "properties": {"seq": n},
            }
            out.write(orjson.dumps(event) + b"\n")


def _wait(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)  # bounded poll of another process's progress
    raise AssertionError(f"timed out waiting for {what}")


def test_an_import_killed_mid_file_is_finished_by_the_next_worker_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    project = _project(data)
    file = tmp_path / "big.ndjson"
    _write_ndjson(file, KILL_ROWS)
    env = child_env(LEADPULSE_IMPORT_BATCH_ROWS="200", LEADPULSE_IMPORT_LEASE_SECONDS="5")
    importer = subprocess.Popen(
        [LEADPULSE, "import", str(file), "--project", str(project), "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: _job(data)[1] >= 1000, "the first committed batches")
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait()
    status, read, _, locked_until = _job(data)
    assert status == "running" and 0 < read < KILL_ROWS, "the import must die mid-file"
    assert locked_until is not None
    expiry = datetime.fromisoformat(locked_until).replace(tzinfo=UTC)
    _wait(lambda: datetime.now(UTC) > expiry, "the dead importer's lease to expire")

    worker = subprocess.run(
        [LEADPULSE, "worker", "--burst", "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    status, read, stored, _ = _job(data)
    assert (status, read) == ("finished", KILL_ROWS)  # every row read and counted once
    # A kill between the events' commit and the batch's progress commit re-reads that one
    # batch, whose events then come back as duplicates of themselves: never stored twice.
    assert KILL_ROWS - 200 <= stored <= KILL_ROWS
    assert _events(data) == KILL_ROWS


def test_map_options_name_the_columns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    project = _project(data)
    file = tmp_path / "crm.csv"
    file.write_text("Action,When,Who,plan\nsignup,2024-01-01T00:00:00Z,cy@example.com,pro\n")
    maps = ["event_type=Action", "timestamp=When", "email=Who", "properties=plan"]
    answer = leadpulse(
        "import", str(file), "--project", str(project), "--data-dir", str(data),
        *[arg for pair in maps for arg in ("--map", pair)],
        cwd=tmp_path,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert "1 stored, 0 duplicate, 0 rejected" in answer.stderr
    with sqlite3.connect(data / "leadpulse.db") as conn:
        kind, properties = conn.execute("SELECT event_type, properties FROM events").fetchone()
    assert (kind, orjson.loads(properties)) == ("signup", {"plan": "pro"})
    refused = leadpulse(
        "import", str(file), "--project", str(project), "--data-dir", str(data),
        "--map", "colour=Action", cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode == 1 and "--map.colour" in refused.stderr
