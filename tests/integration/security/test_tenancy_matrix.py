"""Tenancy matrix: another project's credentials never reach a project's rows (§5).

The operations come from the OpenAPI document the app serves (``app.openapi()``), so a new
endpoint joins the matrix by existing:

- every operation with an id in its path is called with project A's ids and each of
  project B's credentials (user token, ``sk_``, ``pk_``): the answer is 403 or 404 —
  never 2xx, never 5xx — and A's resources are unchanged afterwards;
- every GET without a path id (the lists, feeds, exports, analytics) is called by B, with
  A's ids in any id query parameter: nothing of A's shows (A's rows carry a marker that
  A's own answers show, so the check is not vacuous).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from security_support import key_header, row_counts, seed_project

# Operations that are cross-project by design, left out of the list check (each says why).
CROSS_PROJECT = {
    "/api/health",  # process health, no project data
    "/sdk/ls.js",  # the public website snippet
    "/sdk/ls.src.js",
    "/api/auth/me",  # the caller's own account: whoever calls sees only themselves
}
# A valid body for the write operations with an id in the path, so a refusal is the
# tenancy check and not validation (a new endpoint whose body this does not fit fails loudly).
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/webhooks/{webhook_id}": {"active": False},
    "PATCH /api/rules/{rule_id}": {"points": 99},
    "PATCH /api/leads/{lead_id}": {"name": "hijacked"},
    "PATCH /api/automations/{automation_id}": {"name": "hijacked"},
    "PATCH /api/projects/{project_id}": {"name": "hijacked"},
}
PARAM = re.compile(r"\{([^}:]+)[^}]*\}")


def _operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    document = app.openapi()
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def _credentials(b: Any, b_ids: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        "jwt": b.headers,
        "sk_": {"Authorization": f"Bearer {b_ids['secret_key']}"},
        "pk_": key_header(b.publishable_key),
    }


async def _snapshot(client: httpx.AsyncClient, a: Any, ids: dict[str, Any]) -> list[str]:
    paths = [
        f"/api/leads/{ids['lead_id']}",
        f"/api/rules/{ids['rule_id']}",
        f"/api/automations/{ids['automation_id']}",
        f"/api/webhooks/{ids['webhook_id']}",
        f"/api/webhooks/{ids['webhook_id']}/deliveries",
        f"/api/projects/{ids['project_id']}/keys",
        "/api/projects",
    ]
    return [(await client.get(path, headers=a.headers)).text for path in paths]


async def test_another_projects_credentials_never_reach_an_id_in_the_path(
    client: httpx.AsyncClient, app: Any, signup: Any, db: Any
) -> None:
    a, b = await signup(), await signup()
    a_ids = await seed_project(client, db, a, f"tenant-a-{uuid.uuid4().hex[:8]}")
    b_ids = await seed_project(client, db, b, f"tenant-b-{uuid.uuid4().hex[:8]}")
    before, counts = await _snapshot(client, a, a_ids), await row_counts(db)
    checked = 0
    for method, path, operation in _operations(app):
        names = PARAM.findall(path)
        if not names:
            continue
        missing = [n for n in names if n not in a_ids]
        assert not missing, f"{method} {path}: seed a resource of project A for {missing}"
        url = PARAM.sub(lambda m: str(a_ids[m.group(1)]), path)
        body = BODIES.get(f"{method} {path}")
        if "requestBody" in operation and method != "POST":
            assert body is not None, f"add a valid body for {method} {path} to BODIES"
        for name, headers in _credentials(b, b_ids).items():
            response = await client.request(method, url, json=body, headers=headers)
            assert response.status_code in (403, 404), (name, method, url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            checked += 1
    assert checked >= 3 * 25
    assert await _snapshot(client, a, a_ids) == before
    assert await row_counts(db) == counts


async def test_lists_never_show_another_projects_rows(
    client: httpx.AsyncClient, app: Any, signup: Any, db: Any
) -> None:
    a, b = await signup(), await signup()
    marker = f"tenant-a-{uuid.uuid4().hex[:8]}"
    a_ids = await seed_project(client, db, a, marker)
    b_ids = await seed_project(client, db, b, f"tenant-b-{uuid.uuid4().hex[:8]}")
    b_jwt, b_sk = _credentials(b, b_ids)["jwt"], _credentials(b, b_ids)["sk_"]
    shown_to_a = 0
    for method, path, operation in _operations(app):
        if method != "GET" or PARAM.search(path) or path in CROSS_PROJECT:
            continue
        query = {
            p["name"]: a_ids[snake]
            for p in operation.get("parameters", [])
            if p["in"] == "query" and (snake := _snake(p["name"])) in a_ids
        }
        mine = await client.get(path, params=query, headers=a.headers)
        shown_to_a += marker in mine.text
        for headers in (b_jwt, b_sk):
            response = await client.get(path, params=query, headers=headers)
            assert response.status_code < 500, (path, response.text)
            assert marker not in response.text, (path, query, response.text[:300])
    assert shown_to_a >= 5, "the marker must show in A's own lists, or the check is vacuous"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
