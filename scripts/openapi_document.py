"""Build the app's OpenAPI document the same way every time; write it where the web app reads it.

Used by ``scripts/gen-api-client.sh`` (``make api-client``) and by the drift test
(``tests/integration/test_api_client_contract.py``), so both see the same document: fixed test
settings, no ``LEADPULSE_*`` variable or ``.env`` file of the caller, a throw-away data dir
(nothing is connected or migrated), keys in the app's order, two-space indent, final newline.

    python scripts/openapi_document.py web/src/api/openapi.json
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parents[1] / "web" / "src" / "api" / "openapi.json"


@contextlib.contextmanager
def _without_leadpulse_environment() -> Iterator[None]:
    saved = {k: v for k, v in os.environ.items() if k.startswith("LEADPULSE_")}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


def build() -> dict[str, Any]:
    """Return the OpenAPI document of ``create_app`` under fixed settings."""
    from leadpulse.api.app import create_app
    from leadpulse.bootstrap import build_container
    from leadpulse.config import Settings

    with _without_leadpulse_environment(), tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        settings = Settings(
            env="test",
            data_dir=data,
            database_url=f"sqlite:///{data / 'openapi.db'}",
            jwt_secret="openapi-generation-" + "x" * 32,
            _env_file=None,  # type: ignore[call-arg]
        )
        return create_app(build_container(settings), auto_migrate=False).openapi()


def render(document: dict[str, Any]) -> str:
    """Return the document as committed: JSON, two-space indent, trailing newline."""
    return json.dumps(document, indent=2) + "\n"


def main(target: Path) -> None:
    """Write the document to ``target`` (through a temporary file: never half-written)."""
    document = build()
    partial = target.with_suffix(".json.tmp")
    partial.write_text(render(document), encoding="utf-8")
    partial.replace(target)
    print(f"wrote {target} ({len(document['paths'])} paths)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
