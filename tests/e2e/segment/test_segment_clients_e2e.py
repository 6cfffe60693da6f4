"""The real, unmodified Segment and RudderStack libraries against a running LeadPulse.

Each library is pointed at ``leadpulse serve`` on 127.0.0.1 by its host setting, with its
retries off, sends one scripted session (identify with e-mail, a page, two tracks, a group)
and flushes; the in-process worker then scores and identifies the lead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sdk_e2e_support import IN_CI, Account, ApiServer, wait_for

NODE_PACKAGE = Path(__file__).parent / "node"
# page_view 5 + demo_request 50 + pricing_page_visit 15 = 70: hot (60-99)
EXPECTED_SCORE, EXPECTED_STAGE = 70, "hot"


def _session() -> tuple[str, str, str, list[tuple[str, dict[str, Any]]]]:
    """A visitor who signs in, reads the pricing page, asks for a demo and joins an account."""
    user, visitor = f"user-{uuid.uuid4().hex[:10]}", f"anon-{uuid.uuid4().hex[:10]}"
    email = f"{user}@example.com"
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "identify",
            {
                "userId": user,
                "anonymousId": visitor,
                "traits": {"email": email.upper(), "name": "Grace Hopper", "plan": "pro"},
            },
        ),
        (
            "page",
            {
                "userId": user,
                "name": "Pricing",
                "category": "Docs",
                "properties": {"path": "/pricing"},
            },
        ),
        ("track", {"userId": user, "event": "Demo Request", "properties": {"seats": 12}}),
        ("track", {"userId": user, "event": "Pricing Page Visit"}),
        ("group", {"userId": user, "groupId": "acct-1", "traits": {"name": "Remington Rand"}}),
    ]
    return user, visitor, email, calls


def _lead(api: ApiServer, project_id: int, user: str) -> tuple[Any, ...] | None:
    rows = api.query(
        "SELECT id, email, external_id, score, stage, company, name FROM leads"
        " WHERE project_id = ? AND external_id = ? AND merged_into_id IS NULL",
        project_id,
        user,
    )
    return rows[0] if rows else None


def _assert_scored_and_identified(api: ApiServer, account: Account, user: str, email: str) -> None:
    def scored() -> tuple[Any, ...] | None:
        lead = _lead(api, account.project_id, user)
        return lead if lead and lead[3] == EXPECTED_SCORE and lead[5] else None

    lead_id, stored_email, external_id, score, stage, company, name = wait_for(
        scored, what=f"lead {user} scored {EXPECTED_SCORE} with its company"
    )
    assert (stored_email, external_id) == (email, user)
    assert (score, stage, company, name) == (
        EXPECTED_SCORE,
        EXPECTED_STAGE,
        "Remington Rand",
        "Grace Hopper",
    )
    live = api.query(
        "SELECT count(*) FROM leads WHERE project_id = ? AND merged_into_id IS NULL",
        account.project_id,
    )
    assert live == [(1,)]
    stored = api.events(account.project_id)
    assert sorted(e["event"] for e in stored) == [
        "demo_request",
        "group",
        "identify",
        "page_view",
        "pricing_page_visit",
    ]
    pages = api.events(account.project_id, "page_view")
    assert [(p["leadId"], p["properties"]) for p in pages] == [
        (lead_id, {"path": "/pricing", "name": "Pricing", "category": "Docs"})
    ]


def _snake(message: dict[str, Any]) -> dict[str, Any]:
    names = {"userId": "user_id", "anonymousId": "anonymous_id", "groupId": "group_id"}
    return {names.get(k, k): v for k, v in message.items()}


def _send_python(client: Any, calls: list[tuple[str, dict[str, Any]]]) -> None:
    """Make the session's calls through a Python library's documented signatures."""
    for call, message in calls:
        getattr(client, call)(**_snake(message))


def test_segment_python_library(api_server: ApiServer, account: Account) -> None:
    from segment.analytics import Client

    user, _, email, calls = _session()
    errors: list[Any] = []
    client = Client(
        account.publishable_key,
        host=api_server.url,
        max_retries=0,
        gzip=True,
        upload_interval=0.05,
        on_error=lambda error, batch: errors.append(error),
    )
    try:
        _send_python(client, calls)
        client.flush()
    finally:
        client.shutdown()

    assert errors == []
    _assert_scored_and_identified(api_server, account, user, email)


@pytest.fixture
def rudder() -> Any:
    """RudderStack's module-level client, reset afterwards (it keeps one default client)."""
    import rudderstack.analytics as rudder_analytics

    yield rudder_analytics
    if rudder_analytics.default_client is not None:
        rudder_analytics.shutdown()
    rudder_analytics.default_client = None


def test_rudderstack_python_sdk(api_server: ApiServer, account: Account, rudder: Any) -> None:
    user, _, email, calls = _session()
    errors: list[Any] = []
    rudder.write_key = account.publishable_key
    rudder.dataPlaneUrl = api_server.url
    rudder.max_retries = 0
    rudder.upload_interval = 0.05
    rudder.on_error = lambda error, batch: errors.append(error)

    _send_python(rudder, calls)
    rudder.flush()

    assert errors == []
    _assert_scored_and_identified(api_server, account, user, email)


def test_segment_node_library(api_server: ApiServer, account: Account) -> None:
    node = shutil.which("node")
    installed = (NODE_PACKAGE / "node_modules" / "@segment" / "analytics-node").is_dir()
    if node is None or not installed:
        message = "node or tests/e2e/segment/node/node_modules missing: run `make segment-node`"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    user, _, email, calls = _session()

    done = subprocess.run(
        [node, "send.mjs", api_server.url, account.publishable_key, json.dumps(calls)],
        cwd=NODE_PACKAGE,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "flushed"
    _assert_scored_and_identified(api_server, account, user, email)
