"""A bounded schemathesis run over the whole OpenAPI document: no input is a 5xx (§5).

The API runs for real (uvicorn on 127.0.0.1, SQLite), the requests carry the user token
of a seeded project, and every operation of the served document gets a few positive and a
few negative examples (``EXAMPLES`` each, fixed seed, no example database), so the run is
the same on every machine (about 20 s here). Every 5xx is collected with the curl
command that reproduces it, and every 4xx must be problem+json.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from foundation_support import CertServer
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from live_api_support import LOCAL_URL, LiveApi, Seeded, seed_over_http
from schemathesis import GenerationMode

EXAMPLES = 5
# Run last: they revoke the token every other call uses.
LAST = ("/api/auth/sign-out-everywhere", "/api/auth/change-password")
URL_FIELDS = ("url", "webhookUrl")


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApi, Seeded]]:
    with CertServer() as certs:  # no certificates: every fuzzed Google token is refused
        api = LiveApi(Path(tmp_path_factory.mktemp("fuzz")), google_certs_url=certs.url).start()
        try:
            yield api, seed_over_http(api.url)
        finally:
            api.stop()


def _keep_local(body: Any) -> Any:
    """Point every URL of a body at a closed local port: a fuzzed webhook never leaves."""
    if isinstance(body, dict):
        return {k: LOCAL_URL if k in URL_FIELDS else _keep_local(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_keep_local(v) for v in body]
    return body


def _run(
    operation: Any, mode: GenerationMode, api: LiveApi, seeded: Seeded, statuses: list[int]
) -> list[str]:
    problems: list[str] = []

    @seed(20261208)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        if isinstance(case.body, dict | list):
            case.body = _keep_local(case.body)
        response = case.call(base_url=api.url, headers=seeded.jwt, timeout=30)
        status = response.status_code
        statuses.append(status)
        if status >= 500:
            problems.append(
                f"{status} {case.as_curl_command(base_url=api.url)}\n{response.text[:300]}"
            )
        elif status >= 400 and not _content_type(response).startswith("application/problem+json"):
            problems.append(f"{status} not problem+json: {case.as_curl_command(base_url=api.url)}")

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, f"no example for {operation.label}"
        # nothing to negate: an operation without parameters or body (GET /api/health)
    return problems


def _content_type(response: Any) -> str:
    values = response.headers.get("content-type") or [""]  # schemathesis: name → values
    return str(values[0])


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.path in LAST)


def test_no_generated_request_is_a_server_error(live_api: tuple[LiveApi, Seeded]) -> None:
    api, seeded = live_api
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    operations = _operations(schema)
    assert len(operations) >= 60
    problems: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            problems += _run(operation, mode, api, seeded, statuses)
    print(f"{len(statuses)} requests:", {s: statuses.count(s) for s in sorted(set(statuses))})
    assert len(statuses) >= 4 * len(operations)  # both modes ran for (nearly) every operation
    assert sum(200 <= s < 300 for s in statuses) >= len(operations)  # not all refused
    assert not problems, "\n\n".join(problems[:30]) + f"\n\n({len(problems)} in all)"
