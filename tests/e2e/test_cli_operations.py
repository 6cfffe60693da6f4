"""Operator commands on a database a real server filled: ``rescore`` and ``decay run``.

A ``leadpulse serve`` takes a sign-up and two events (demo_request, 50 points: warm), a rule
change makes demo_request worth 100 (qualified), the server stops, and the commands run on
its data dir from another working directory.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_e2e_support import leadpulse, serving

from leadpulse.cli.rescore import stage_changes

SCORED_TIMEOUT = 60.0


def _wait_until_scored(url: str, headers: dict[str, str], lead_ids: list[int]) -> None:
    deadline = time.monotonic() + SCORED_TIMEOUT
    while time.monotonic() < deadline:
        scores = [
            httpx.get(f"{url}/api/leads/{i}", headers=headers, timeout=10).json()["currentScore"]
            for i in lead_ids
        ]
        if all(score == 50 for score in scores):
            return
        time.sleep(0.2)  # the embedded worker scores in the background; bounded poll
    pytest.fail(f"leads {lead_ids} were not scored in {SCORED_TIMEOUT}s")


def _fill(url: str) -> dict[str, Any]:
    email = f"ops-{uuid.uuid4().hex[:10]}@example.com"
    account = httpx.post(
        f"{url}/api/auth/register",
        json={"email": email, "password": "a-long-password", "name": "Ops"},
        timeout=30,
    ).json()
    headers = {"Authorization": f"Bearer {account['token']}"}
    lead_ids = []
    for visitor in ("visitor-1", "visitor-2"):
        reply = httpx.post(
            f"{url}/api/events",
            headers=headers,
            json={"eventType": "demo_request", "anonymousId": visitor},
            timeout=10,
        )
        assert reply.status_code == 202, reply.text
        lead_ids.append(reply.json()["leadId"])
    _wait_until_scored(url, headers, lead_ids)
    rules = httpx.get(f"{url}/api/rules", headers=headers, timeout=10).json()["items"]
    [demo] = [r for r in rules if r["eventType"] == "demo_request"]
    changed = httpx.patch(
        f"{url}/api/rules/{demo['id']}", headers=headers, json={"points": 100}, timeout=10
    )
    assert changed.status_code == 200, changed.text
    return {"project_id": account["project"]["id"], "leads": lead_ids}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A data dir with two warm leads and a rule change not yet applied to them."""
    root = tmp_path_factory.mktemp("operations")
    with serving(root) as server:
        facts = _fill(server.url)
    return server.data_dir, facts


def test_rescore_shows_what_changed_after_its_progress_bar(
    filled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = filled
    project = str(facts["project_id"])

    result = leadpulse("rescore", "--project-id", project, "--data-dir", str(data), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    summary = re.search(
        rf"Rescored 2 lead\(s\) of project {project} in \d+\.\d s; (.*)\.$",
        result.stderr,
        flags=re.MULTILINE,
    )
    assert summary is not None, result.stderr
    assert summary.group(1) == "stages: warm 2 → 0, qualified 0 → 2"


def test_rescore_without_waiting_only_queues(
    filled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = filled
    project = str(facts["project_id"])

    result = leadpulse(
        "rescore", "--project-id", project, "--no-wait", "--data-dir", str(data), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert re.search(r"Rescore job [0-9a-f]{32} queued for 2 lead\(s\)\.", result.stderr)


def test_decay_run_works_on_the_data_dir_it_is_given(
    filled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = filled

    result = leadpulse("decay", "run", "--now", "2099-01-01", "--data-dir", str(data), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "2 lead(s) decayed" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was created where the command ran


def test_the_summary_names_only_the_stages_that_moved() -> None:
    before = {"cold": 3, "warm": 2, "hot": 0, "qualified": 1}

    assert stage_changes(before, {**before, "warm": 0, "hot": 2}) == "stages: warm 2 → 0, hot 0 → 2"
    assert stage_changes(before, before) == "stages unchanged (cold 3, warm 2, hot 0, qualified 1)"
