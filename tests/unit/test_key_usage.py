"""API-key last use: at most one pending mark per key per minute, per database (§4.1)."""

from __future__ import annotations

from leadpulse.auth.usage import KeyUsage


class Engine:  # stands for a database engine (weakly referenced, compared by identity)
    pass


def test_only_the_first_use_in_each_interval_is_marked() -> None:
    usage, engine = KeyUsage(interval=60), Engine()
    usage.note(engine, "digest-a", 1, clock=1000.0)
    for second in range(1, 60):
        usage.note(engine, "digest-a", 1, clock=1000.0 + second)
    assert [m.key_id for m in usage.take(engine)] == [1]
    usage.note(engine, "digest-a", 1, clock=1059.0)
    assert usage.take(engine) == []
    usage.note(engine, "digest-a", 1, clock=1060.0)
    assert [m.key_id for m in usage.take(engine)] == [1]


def test_marks_wait_per_database_and_are_taken_once() -> None:
    usage, first, second = KeyUsage(), Engine(), Engine()
    usage.note(first, "digest-a", 1, clock=0.0)
    usage.note(second, "digest-b", 1, clock=0.0)  # the same row id in another database
    usage.note(first, "digest-c", 2, clock=0.0)
    assert usage.pending
    assert sorted(m.key_id for m in usage.take(first)) == [1, 2]
    assert usage.take(first) == []
    assert [m.key_id for m in usage.take(second)] == [1]
    assert not usage.pending


def test_marks_carry_an_aware_utc_time() -> None:
    usage, engine = KeyUsage(), Engine()
    usage.note(engine, "digest-a", 5, clock=0.0)
    [mark] = usage.take(engine)
    assert mark.at.utcoffset() is not None and mark.at.utcoffset().total_seconds() == 0
