"""A lead's score is a pure function of its set of events: arrival order, batching,
duplicates and interleaved worker runs never change the score or the history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leadpulse.core.rules import default_rules, rule_index
from leadpulse.core.scoring import EventFact, fold
from leadpulse.ingest import service
from leadpulse.store.models import Event, Lead, ScoreHistory
from leadpulse.store.types import utcnow

TYPES = ["page_view", "signup", "demo_request", "unsubscribe", "contract_signed", "mystery"]
BASE = datetime(2026, 11, 20, tzinfo=UTC)

event_specs = st.lists(
    st.tuples(st.sampled_from(TYPES), st.integers(min_value=0, max_value=6)),
    min_size=1,
    max_size=12,
)


def _expected(anonymous: str, specs: list[tuple[str, int]]) -> list[tuple[str, int, int, int]]:
    facts = [
        EventFact(f"{anonymous}-{i}", kind, BASE + timedelta(minutes=minute))
        for i, (kind, minute) in enumerate(specs)
    ]
    changes = fold(0, facts, rule_index(default_rules()))
    return [(c.event_id, c.old_score, c.new_score, c.delta) for c in changes]


async def _store(container: Any, project_id: int, items: list[service.Incoming]) -> None:
    async with container.db.transaction() as session:
        await service.store(session, items, now=utcnow())


def _incoming(project_id: int, anonymous: str, i: int, spec: tuple[str, int]) -> service.Incoming:
    kind, minute = spec
    return service.Incoming(
        project_id=project_id,
        event_type=kind,
        event_id=f"{anonymous}-{i}",
        timestamp=BASE + timedelta(minutes=minute),
        received_at=utcnow(),
        anonymous_id=anonymous,
    )


async def _history(db: Any, anonymous: str) -> tuple[int, list[tuple[str, int, int, int]]]:
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == anonymous))
        assert lead is not None
        rows = await session.execute(
            select(
                ScoreHistory.event_id,
                ScoreHistory.old_score,
                ScoreHistory.new_score,
                ScoreHistory.delta,
                ScoreHistory.event_timestamp,
            ).where(ScoreHistory.lead_id == lead.id)
        )
        unprocessed = await session.scalar(
            select(Event.id).where(Event.lead_id == lead.id, Event.processed.is_(False))
        )
    assert unprocessed is None
    ordered = sorted(rows.all(), key=lambda r: (r.event_timestamp, r.event_id))
    return lead.score, [(r.event_id, r.old_score, r.new_score, r.delta) for r in ordered]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=event_specs, data=st.data())
async def test_any_arrival_order_batching_and_duplication_gives_the_in_order_result(
    specs: list[tuple[str, int]], data: st.DataObject, container: Any, account: Any, worker: Any
) -> None:
    anonymous = f"prop-{uuid.uuid4().hex[:10]}"
    items = [_incoming(account.project_id, anonymous, i, s) for i, s in enumerate(specs)]
    arrival = data.draw(st.permutations(items))
    duplicates = data.draw(st.lists(st.sampled_from(items), max_size=4))
    stream = list(arrival) + duplicates
    position = 0
    while position < len(stream):
        size = data.draw(st.integers(min_value=1, max_value=4))
        await _store(container, account.project_id, stream[position : position + size])
        position += size
        if data.draw(st.booleans()):
            await worker.step()
    await worker.drain()
    score, history = await _history(container.db, anonymous)
    expected = _expected(anonymous, specs)
    assert history == expected
    assert score == (expected[-1][2] if expected else 0)
    assert sum(row[3] for row in history) == score
