#!/usr/bin/env bash
# Regenerate the dashboard's typed API client from the app's OpenAPI document.
# Writes web/src/api/openapi.json and web/src/api/schema.d.ts (both committed, never hand-edited).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
LEADPULSE_GEN_DIR="$tmp" .venv/bin/python - <<'PY'
import json
import os
from pathlib import Path

from leadpulse.api.app import create_app
from leadpulse.bootstrap import build_container
from leadpulse.config import Settings

data = Path(os.environ["LEADPULSE_GEN_DIR"])
settings = Settings(
    env="test",
    data_dir=data,
    database_url=f"sqlite:///{data / 'openapi.db'}",
    jwt_secret="openapi-generation-" + "x" * 32,
    _env_file=None,
)
app = create_app(build_container(settings), auto_migrate=False)
target = Path("web/src/api/openapi.json")
target.write_text(json.dumps(app.openapi(), indent=2, sort_keys=False) + "\n")
print(f"wrote {target} ({len(app.openapi()['paths'])} paths)")
PY
cd web
if [[ ! -d node_modules ]]; then npm ci --no-audit --no-fund --loglevel=error; fi
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts
