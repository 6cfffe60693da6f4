"""Autogenerate a new Alembic revision from the models: ``.venv/bin/python scripts/new-migration.py "add x"``.

It migrates a scratch SQLite database to head, compares it with the models and writes the
difference as a new revision under ``src/leadpulse/store/migrations/versions/``. Review it
(expression indexes and PostgreSQL-only details need a hand-written touch), then run the
migration parity test (``tests/integration/test_migrations.py``) on both databases.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command

from leadpulse.store.db import Database
from leadpulse.store.migrate import alembic_config


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}", pool_size=1)
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "head"))
        async with db.engine.begin() as conn:
            await conn.run_sync(
                lambda c: command.revision(alembic_config(c), message=message, autogenerate=True)
            )
        await db.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    asyncio.run(main(sys.argv[1]))
