"""Every integer and string a client can put in a path or query string is bounded (§4.5).

The OpenAPI document is read as it is served, so a new route with a bare ``int`` or ``str``
parameter fails here: use ``Id``, ``id_query``, ``PageOffset`` of ``api/deps.py`` or a
``Query``/``Path`` with bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leadpulse.api.app import create_app
from leadpulse.api.schemas import MAX_BIGINT
from leadpulse.bootstrap import build_container
from leadpulse.config import Settings

# Request headers the framework reads for itself (conditional GET of the SDK script).
HEADERS_NOT_STORED = {"if-none-match"}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("openapi")
    settings = Settings(
        env="test",
        data_dir=Path(data),
        database_url=f"sqlite+aiosqlite:///{data}/x.db",
        jwt_secret="x" * 40,
        _env_file=None,  # type: ignore[call-arg]
    )
    document: dict[str, Any] = create_app(build_container(settings), auto_migrate=False).openapi()
    return document


def _parameters(openapi: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"].lower() in HEADERS_NOT_STORED:
                    continue
                found.append((f"{method.upper()} {path} {parameter['name']}", parameter))
    return found


def _variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [schema, *schema.get("anyOf", [])]


def test_every_integer_parameter_has_bounds_a_bigint_holds(openapi: dict[str, Any]) -> None:
    unbounded = [
        name
        for name, parameter in _parameters(openapi)
        for schema in _variants(parameter["schema"])
        if schema.get("type") == "integer"
        and not (
            schema.get("minimum", -1) >= 0 and schema.get("maximum", MAX_BIGINT + 1) <= MAX_BIGINT
        )
    ]
    assert not unbounded, f"bound these with api.deps.Id / id_query / PageOffset: {unbounded}"


def test_every_string_parameter_has_a_length_limit(openapi: dict[str, Any]) -> None:
    unbounded = [
        name
        for name, parameter in _parameters(openapi)
        for schema in _variants(parameter["schema"])
        if schema.get("type") == "string"
        and not ({"maxLength", "enum", "format", "const"} & set(schema))
    ]
    assert not unbounded, f"give these a max_length: {unbounded}"


def test_the_document_has_id_parameters_to_check(openapi: dict[str, Any]) -> None:
    ids = [name for name, p in _parameters(openapi) if p["in"] == "path" and "id" in name.lower()]
    assert len(ids) >= 15  # the test above is not vacuous
