"""The README's Quick start, run as written against a real ``leadpulse serve``.

The shell block is taken from README.md as it stands and run by bash; only ``LP`` points it at
the test server's free port on 127.0.0.1 (the block reads ``LP=${LP:-…}`` for that).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_e2e_support import Served, child_env, serving

README = Path(__file__).resolve().parents[2] / "README.md"
SCORED_TIMEOUT = 60.0
# Test instrumentation appended to the block: the values it kept in shell variables.
REPORT = '\nprintf "VARS %s %s %s\\n" "$TOKEN" "$PK" "$SK"\n'


def quick_start_script() -> str:
    """The README's Quick start shell block that talks to the API (the one setting LP)."""
    text = README.read_text()
    section = text[
        text.index("## Quick start") : text.index("\n## ", text.index("## Quick start") + 1)
    ]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    [script] = [block for block in blocks if block.startswith("LP=")]
    return script


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with serving(tmp_path_factory.mktemp("quick-start"), LEADPULSE_ENV="development") as s:
        yield s


@pytest.fixture(scope="module")
def ran(served: Served) -> tuple[list[Any], list[str]]:
    """Run the block once; return the JSON replies it printed and the variables it kept."""
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", quick_start_script() + REPORT],
        cwd=served.data_dir.parent,
        env=child_env(LP=served.url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{served.log_tail()}"
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    *replies, report = lines
    assert report.startswith("VARS "), result.stdout
    return [json.loads(line) for line in replies], report.split()[1:]


def test_the_quick_start_keeps_a_token_a_publishable_and_a_secret_key(
    ran: tuple[list[Any], list[str]],
) -> None:
    _, (token, publishable, secret) = ran

    assert token.count(".") == 2  # a JWT
    assert publishable.startswith("pk_")
    assert secret.startswith("sk_")


def test_both_ingest_paths_queue_an_event_for_the_same_lead(
    ran: tuple[list[Any], list[str]],
) -> None:
    (snippet, server, _, _), _ = ran

    assert snippet["status"] == "queued" and server["status"] == "queued"
    assert snippet["leadId"] == server["leadId"]


def test_the_lists_have_the_shapes_the_quick_start_names(
    ran: tuple[list[Any], list[str]],
) -> None:
    (_, _, leads, feed), _ = ran

    assert set(leads) == {"items", "total", "limit", "offset"}
    assert leads["total"] == 1
    assert set(feed) == {"items", "nextCursor"}
    assert {e["eventType"] for e in feed["items"]} == {"demo_request", "pricing_page_visit"}


def test_the_lead_is_scored_as_the_quick_start_says(
    served: Served, ran: tuple[list[Any], list[str]]
) -> None:
    (snippet, _, _, _), (_, _, secret) = ran
    url = f"{served.url}/api/leads/{snippet['leadId']}"
    headers = {"Authorization": f"Bearer {secret}"}

    deadline = time.monotonic() + SCORED_TIMEOUT
    lead = httpx.get(url, headers=headers, timeout=10).json()
    while lead["currentScore"] != 65 and time.monotonic() < deadline:
        time.sleep(0.2)  # the embedded worker scores in the background; bounded poll
        lead = httpx.get(url, headers=headers, timeout=10).json()

    assert (lead["currentScore"], lead["leadStage"]) == (65, "hot")


def test_only_a_secret_key_is_announced_as_shown_once(
    served: Served, ran: tuple[list[Any], list[str]]
) -> None:
    _, (token, _, _) = ran
    headers = {"Authorization": f"Bearer {token}"}
    mint = f"{served.url}/api/auth/generate-api-key"

    publishable = httpx.post(mint, headers=headers, json={"type": "publishable"}, timeout=10)
    secret = httpx.post(mint, headers=headers, json={"type": "secret"}, timeout=10)

    assert publishable.status_code == secret.status_code == 201
    assert "never shown again" not in publishable.json()["note"]
    assert "never shown again" in secret.json()["note"]
