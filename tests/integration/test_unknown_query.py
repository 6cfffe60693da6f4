"""Unknown query parameters are a 422 naming them, on every GET operation of the API document.

The operations come from the app's own OpenAPI document, so an endpoint added later is covered
by these tests without touching them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from foundation_support import assert_problem, error_locs

UNKNOWN = "definitelyNotAParameter"


def _get_operations(app: Any) -> list[tuple[str, set[str]]]:
    """Every documented GET path (path parameters filled with 1) with its declared query names."""
    found = []
    for path, item in app.openapi()["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        found.append((re.sub(r"\{[^}]+\}", "1", path), declared))
    return found


async def test_every_get_operation_refuses_an_unknown_query_parameter(
    app: Any, client: Any, signup: Any
) -> None:
    account = await signup()
    operations = _get_operations(app)
    assert len(operations) >= 30  # the document was read, not an empty list

    for path, declared in operations:
        assert UNKNOWN not in declared
        response = await client.get(path, params={UNKNOWN: "x"}, headers=account.headers)
        body = assert_problem(response, 422)
        assert error_locs(body) == {f"query.{UNKNOWN}"}, path
        assert UNKNOWN in body["detail"], path


async def test_the_problem_names_each_unknown_parameter_and_no_declared_one(
    client: Any, signup: Any
) -> None:
    account = await signup()

    response = await client.get(
        "/api/leads",
        params={"search": "x", "q": "x", "limit": 5, "pageSize": 9},
        headers=account.headers,
    )

    body = assert_problem(response, 422)
    assert error_locs(body) == {"query.pageSize", "query.search"}
    assert body["detail"] == "Unknown query parameters: pageSize, search"


async def test_declared_parameters_and_their_aliases_are_accepted(client: Any, signup: Any) -> None:
    account = await signup()
    queries = [
        ("/api/leads", {"q": "x", "minScore": 1, "sort": "name", "stage": "hot", "limit": 5}),
        ("/api/events", {"eventType": "signup", "limit": 5}),
        ("/api/analytics/throughput", {"hours": 3}),
        ("/api/automations/executions", {"status": "failed", "offset": 0}),
        ("/api/admin/failed-jobs", {"includeReplayed": "true"}),
    ]
    for path, params in queries:
        response = await client.get(path, params=params, headers=account.headers)
        assert response.status_code == 200, (path, response.text)


async def test_the_python_parameter_name_of_an_aliased_query_is_unknown(
    client: Any, signup: Any
) -> None:
    account = await signup()

    response = await client.get("/api/leads", params={"min_score": 5}, headers=account.headers)

    assert error_locs(assert_problem(response, 422)) == {"query.min_score"}


async def test_an_unknown_parameter_is_refused_before_authentication(client: Any) -> None:
    response = await client.get("/api/leads", params={"search": "x"})

    assert error_locs(assert_problem(response, 422)) == {"query.search"}


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
async def test_pages_outside_the_api_document_ignore_query_strings(client: Any, path: str) -> None:
    response = await client.get(path, params={"utm_source": "newsletter"})

    assert response.status_code == 200
