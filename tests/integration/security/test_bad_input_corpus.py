"""A corpus of bad input replayed against every write endpoint of the OpenAPI document (§5).

Every POST, PUT, PATCH and DELETE the app serves gets each bad body (wrong JSON, wrong
types, NUL, lone surrogates, NaN, huge and deeply nested values, out-of-range dates and
ids, wrong content types) and each bad path id. Every answer is a 4xx problem+json — or a
2xx where the input happens to be valid for that endpoint (only the entries marked so) —
never a 5xx, and a refused request changes no row of any table.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from security_support import row_counts, seed_project

JSON = "application/json"
# (name, raw body, content type, may be valid for some endpoint)
BODIES: list[tuple[str, bytes, str, bool]] = [
    ("empty", b"", JSON, False),
    ("null", b"null", JSON, False),
    ("array", b"[]", JSON, False),
    ("number", b"123", JSON, False),
    ("string", b'"text"', JSON, False),
    ("truncated", b'{"name": ', JSON, False),
    ("empty object", b"{}", JSON, True),
    ("bom", b"\xef\xbb\xbf{}", JSON, True),
    ("invalid utf-8", b'{"name": "\xff\xfe"}', JSON, False),
    ("deep array", b"[" * 100_000 + b"]" * 100_000, JSON, False),
    ("deep object", b'{"a":' * 3000 + b"1" + b"}" * 3000, JSON, False),
    ("huge string", b'{"name": "' + b"a" * 900_000 + b'"}', JSON, False),
    ("over the body limit", b'{"name": "' + b"a" * 1_100_000 + b'"}', JSON, False),
    ("nul", b'{"name": "a\\u0000", "email": "\\u0000@x.io", "events": ["\\u0000"]}', JSON, False),
    ("surrogate", b'{"name": "\\ud800", "url": "http://\\udfff"}', JSON, False),
    ("nan", b'{"name": NaN, "points": NaN, "traits": {"x": NaN}}', JSON, False),
    ("infinity", b'{"points": Infinity, "warm": -Infinity, "minScore": 1e400}', JSON, False),
    ("big ints", b'{"points": 99999999999999999999, "leadId": 9223372036854775808}', JSON, False),
    (
        "wrong types",
        b'{"name": 1, "email": [], "points": "x", "events": {}, "url": 5, "active": "no",'
        b' "traits": [], "config": "x", "password": 1, "type": {}, "warm": "x"}',
        JSON,
        False,
    ),
    (
        "dates",
        b'{"timestamp": "0001-01-01T00:00:00+14:00", "sentAt": "9999-12-31T23:59:59-23:59",'
        b' "events": [{"timestamp": "0001-01-01T00:00:00+14:00"}]}',
        JSON,
        False,
    ),
    ("unicode", '{"name": "\u202e\ufeff\u0301\U0001f4a9", "x": "\u2028"}'.encode(), JSON, False),
    ("form", b"name=x&email=y", "application/x-www-form-urlencoded", False),
    ("xml", b"<lead><name>x</name></lead>", "application/xml", False),
    ("multipart", b"--b\r\n\r\nx\r\n--b--\r\n", "multipart/form-data; boundary=b", False),
    ("text", b'{"name": "x"}', "text/plain", True),
    ("no content type", b'{"name": "x"}', "", True),
]
BAD_IDS = ["abc", "-1", "0", "1.5", "1e3", str(2**63), "9" * 400, "%00", "%F0%9F%92%A9", "%20"]
PARAM = re.compile(r"\{([^}:]+)[^}]*\}")
WRITES = {"post", "put", "patch", "delete"}
# Run last: each revokes the token every other request uses.
LAST = ("/api/auth/sign-out-everywhere", "/api/auth/change-password")


def _writes(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method.upper(), path, operation)
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
        if method in WRITES
    ]
    return sorted(found, key=lambda op: op[1] in LAST)


def _is_refusal(response: httpx.Response) -> bool:
    """A 4xx problem, or a batch answer that stored nothing (every item rejected)."""
    if response.status_code == 202 and "rejected" in response.json():
        return response.json()["accepted"] == response.json()["duplicates"] == 0
    return 400 <= response.status_code < 500 and response.headers.get(
        "content-type", ""
    ).startswith("application/problem+json")


def _fill(path: str, values: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


async def _replay(
    client: httpx.AsyncClient,
    db: Any,
    request: tuple[str, str],
    may_be_valid: bool,
    label: str,
    **send: Any,
) -> list[str]:
    before = await row_counts(db)
    response = await client.request(*request, **send)
    if 200 <= response.status_code < 300 and may_be_valid:
        return []
    if not _is_refusal(response):
        return [f"{label}: {response.status_code} {response.text[:200]}"]
    after = await row_counts(db)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    return [f"{label}: refused but changed {changed}"] if changed else []


async def _bad_bodies(
    client: httpx.AsyncClient, db: Any, account: Any, method: str, url: str, optional: bool
) -> list[str]:
    failures: list[str] = []
    for name, raw, content_type, may_be_valid in BODIES:
        # an optional body: sending none (or null) is the valid default request
        valid = may_be_valid or (optional and raw in (b"", b"null"))
        headers = {**account.headers, "Content-Type": content_type}
        label = f"{method} {url} [{name}]"
        failures += await _replay(
            client, db, (method, url), valid, label, content=raw, headers=headers
        )
    return failures


async def _bad_ids(
    client: httpx.AsyncClient, db: Any, account: Any, method: str, path: str, ids: dict[str, Any]
) -> list[str]:
    failures: list[str] = []
    for name in PARAM.findall(path):
        for bad in BAD_IDS:
            url = _fill(path, {**ids, name: bad})
            label = f"{method} {url}"
            send = {"json": {}, "headers": account.headers}
            failures += await _replay(client, db, (method, url), False, label, **send)
    return failures


async def test_every_write_endpoint_refuses_every_bad_input_cleanly(
    client: httpx.AsyncClient, app: Any, signup: Any, db: Any
) -> None:
    account = await signup()
    ids = await seed_project(client, db, account, f"corpus-{uuid.uuid4().hex[:8]}")
    operations = _writes(app)
    assert len(operations) >= 30
    failures: list[str] = []
    for method, path, operation in operations:
        url = _fill(path, ids)
        if "requestBody" in operation:
            optional = not operation["requestBody"].get("required", False)
            failures += await _bad_bodies(client, db, account, method, url, optional)
        failures += await _bad_ids(client, db, account, method, path, ids)
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
