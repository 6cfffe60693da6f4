"""Pure helpers of the leads feature, and the decay loop's schedule (with a fake job)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest

from leadpulse.core.identity import IDENTIFIED_AT
from leadpulse.errors import InvalidInput
from leadpulse.leads import hooks
from leadpulse.leads.activity import decode_cursor, encode_cursor, group_by_session
from leadpulse.leads.decay import parse_now
from leadpulse.leads.export import escape_cell
from leadpulse.leads.identity import apply_traits
from leadpulse.leads.schemas import TimelineEvent
from leadpulse.store.models import Lead

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_escape_cell_neutralises_formulas(raw: str | None, cell: str) -> None:
    assert escape_cell(raw) == cell


def test_cursor_round_trips_and_refuses_garbage() -> None:
    assert decode_cursor(encode_cursor(T, 42)) == (T, 42)
    for bad in ("", "x", encode_cursor(T, 1)[:-3], "W10", "WyIyMDI2LTExLTAxIiwgMV0"):
        with pytest.raises(InvalidInput):
            decode_cursor(bad)


def _event(i: int, at: datetime) -> TimelineEvent:
    return TimelineEvent(
        id=i,
        event_id=f"e{i}",
        event_type="page_view",
        timestamp=at,
        received_at=at,
        properties={},
        processed=True,
        delta=0,
        score=None,
    )


def test_sessions_are_ordered_by_their_newest_event() -> None:
    events = [_event(i, T - timedelta(hours=i)) for i in range(4)]  # newest first
    sessions = group_by_session(events, ["b", None, "a", "b"])

    assert [s.session_id for s in sessions] == ["b", None, "a"]
    assert [e.id for e in sessions[0].events] == [0, 3]
    assert (sessions[0].started_at, sessions[0].ended_at) == (T - timedelta(hours=3), T)


def test_newer_traits_overwrite_and_older_fill_gaps() -> None:
    lead = Lead(traits={}, name=None, company=None)
    assert apply_traits(lead, {"name": "New", "plan": "b", "_x": 1}, at=T) is True
    assert (
        apply_traits(lead, {"name": "Old", "company": "Co", "plan": "a"}, at=T - timedelta(1))
        is False
    )

    assert (lead.name, lead.company) == ("New", "Co")
    assert lead.traits == {"plan": "b", IDENTIFIED_AT: T.isoformat()}


def test_parse_now_reads_a_day_as_midnight_utc() -> None:
    assert parse_now("2026-12-31") == datetime(2026, 12, 31, tzinfo=UTC)
    assert parse_now("2026-12-31T10:00:00+02:00") == datetime(2026, 12, 31, 8, tzinfo=UTC)


def test_install_registers_the_decay_loop() -> None:
    class FakeContainer:
        loops: dict[str, Any] = {}

    container = FakeContainer()
    hooks.install(container)  # type: ignore[arg-type]
    assert container.loops["decay"] is hooks.decay_loop


async def test_loop_runs_after_its_first_delay_and_stops_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stop = anyio.Event()
    runs: list[datetime] = []

    async def fake_decay_once(db: Any, *, now: datetime, published: Any = None) -> None:
        runs.append(now)
        if len(runs) == 2:
            stop.set()

    monkeypatch.setattr(hooks, "decay_once", fake_decay_once)
    container: Any = type("C", (), {"db": object()})()

    await hooks.run_periodically(container, stop, interval=0, first_delay=0)

    assert len(runs) == 2


async def test_a_failing_round_does_not_end_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = anyio.Event()
    calls = 0

    async def flaky(db: Any, *, now: datetime, published: Any = None) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database away")
        stop.set()

    monkeypatch.setattr(hooks, "decay_once", flaky)
    container: Any = type("C", (), {"db": object()})()

    await hooks.run_periodically(container, stop, interval=0, first_delay=0)

    assert calls == 2
