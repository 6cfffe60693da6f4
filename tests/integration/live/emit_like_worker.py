"""Run in a separate process: publish scoring outcomes like a worker (no Socket.IO server).

Usage: ``python emit_like_worker.py PROJECT_A PROJECT_B`` with LEADPULSE_REDIS_URL and
LEADPULSE_LIVE_CHANNEL set. Emits a scoreMutation and leadUpdated for project A, then a
sentinel leadUpdated for project B, and prints the emitter adapter it used.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from leadpulse.config import Settings
from leadpulse.container import Container
from leadpulse.core.outcomes import LeadScored, ScoreMutation
from leadpulse.live import hooks
from leadpulse.live.emitter import emitter_for
from leadpulse.store.db import Database

T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def scored(
    project_id: int, lead_id: int, score: int, rows: tuple[ScoreMutation, ...]
) -> LeadScored:
    return LeadScored(
        project_id=project_id,
        lead_id=lead_id,
        anonymous_id="anon-1",
        email=None,
        name=None,
        score=score,
        previous_score=5,
        stage="warm",
        previous_stage="cold",
        velocity_score=3,
        events_last_24h=3,
        last_event_at=T0,
        event_types=frozenset({"demo_request"}),
        mutations=rows,
    )


async def main(project_a: int, project_b: int) -> None:
    settings = Settings(env="test", _env_file=None)  # type: ignore[call-arg]
    db = Database(f"sqlite+aiosqlite:///{settings.data_dir / 'unused.db'}", pool_size=1)
    container = Container(settings=settings, db=db)
    hooks.install(container)
    row = ScoreMutation(
        history_id=501,
        project_id=project_a,
        lead_id=41,
        cause="rule",
        event_id="evt-demo",
        event_type="demo_request",
        rule_id=None,
        old_score=0,
        new_score=50,
        delta=50,
        created_at=T0,
    )
    await container.publish(container.after_scoring, [scored(project_a, 41, 50, (row,))])
    await container.publish(container.after_scoring, [scored(project_b, 42, 45, ())])
    print(type(emitter_for(container)).__name__)
    await container.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
