"""Regenerate migrations/versions/0001_initial_schema.py from the models (pre-release only).

Until the first release, the schema lives in one initial migration. After a release, new
revisions are added with Alembic autogenerate instead, and this script goes away.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from pathlib import Path

from alembic import command

from leadpulse.store.db import Database
from leadpulse.store.migrate import MIGRATIONS, alembic_config

TARGET = MIGRATIONS / "versions" / "0001_initial_schema.py"


async def main() -> None:
    TARGET.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'gen.db'}", pool_size=1)
        async with db.engine.begin() as conn:
            await conn.run_sync(
                lambda c: command.revision(
                    alembic_config(c), message="initial schema", autogenerate=True, rev_id="0001"
                )
            )
        await db.dispose()
    text = TARGET.read_text().replace("astext_type=Text()", "astext_type=sa.Text()")
    TARGET.write_text(text)
    subprocess.run([".venv/bin/ruff", "format", "-q", str(TARGET)], check=True)
    subprocess.run(
        [".venv/bin/ruff", "check", "--fix", "--unsafe-fixes", "-q", str(TARGET)],
        check=False,
        capture_output=True,
    )


asyncio.run(main())
