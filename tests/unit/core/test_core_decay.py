"""Specification of idle-lead decay: grace period, compounding, idempotency, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadpulse.core.decay import (
    DecayDecision,
    DecayPolicy,
    decay_days,
    decayed_score,
    plan_decay,
)

LAST_EVENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
POLICY = DecayPolicy()


def at_idle_days(days: float) -> datetime:
    return LAST_EVENT + timedelta(days=days)


def plan(
    *,
    base: int = 100,
    current: int = 100,
    now: datetime,
    last_event_at: datetime | None = LAST_EVENT,
    last_decay_day: date | None = None,
    policy: DecayPolicy = POLICY,
) -> DecayDecision | None:
    return plan_decay(
        base_score=base,
        current_score=current,
        last_event_at=last_event_at,
        last_decay_day=last_decay_day,
        now=now,
        policy=policy,
    )


def test_ten_idle_days_decay_by_three_compounded_days() -> None:
    decision = plan(base=100, current=100, now=at_idle_days(10))
    assert decision is not None
    assert decision.days == 3
    assert decision.new_score == round(100 * 0.95**3) == 86
    assert (decision.old_score, decision.delta) == (100, -14)
    assert decision.day == at_idle_days(10).date()


def test_decayed_score_rounds_half_up() -> None:
    # 50 * 0.9 = 45.0; 5 * 0.9 = 4.5 -> 5 (half-up, not banker's 4)
    assert decayed_score(5, 1, 0.1) == 5
    assert decayed_score(100, 3, 0.05) == 86


def test_decayed_score_with_zero_days_is_the_base() -> None:
    assert decayed_score(73, 0, 0.05) == 73


@pytest.mark.parametrize(
    ("idle", "expected"), [(0, 0), (6.9, 0), (7, 0), (7.99, 0), (8, 1), (10.5, 3)]
)
def test_decay_days_count_whole_idle_days_beyond_grace(idle: float, expected: int) -> None:
    assert decay_days(LAST_EVENT, at_idle_days(idle), 7) == expected


def test_decay_days_never_negative_for_future_last_event() -> None:
    assert decay_days(at_idle_days(3), LAST_EVENT, 0) == 0


def test_no_decay_within_grace_period() -> None:
    assert plan(now=at_idle_days(7.9)) is None


def test_no_decay_when_disabled() -> None:
    assert plan(now=at_idle_days(30), policy=DecayPolicy(enabled=False)) is None


def test_no_decay_for_a_lead_without_events() -> None:
    assert plan(now=at_idle_days(30), last_event_at=None) is None


def test_decay_is_not_applied_twice_the_same_day() -> None:
    now = at_idle_days(10)
    first = plan(now=now)
    assert first is not None
    assert plan(current=first.new_score, now=now, last_decay_day=first.day) is None


def test_replanning_from_the_decayed_score_is_a_no_op() -> None:
    now = at_idle_days(10)
    first = plan(now=now)
    assert first is not None
    assert plan(current=first.new_score, now=now) is None


def test_no_decision_when_score_is_already_at_target() -> None:
    assert plan(base=0, current=0, now=at_idle_days(20)) is None


def run_daily(days: list[int], base: int) -> int:
    current, last_day = base, None
    for day in days:
        decision = plan(base=base, current=current, now=at_idle_days(day), last_decay_day=last_day)
        if decision is not None:
            current, last_day = decision.new_score, decision.day
    return current


def test_catch_up_after_a_missed_week_equals_one_computation() -> None:
    with_gap = run_daily([8, 9, *range(17, 21)], base=250)
    every_day = run_daily(list(range(8, 21)), base=250)
    assert with_gap == every_day == decayed_score(250, 13, 0.05)


def test_policy_uses_its_own_grace_and_rate() -> None:
    decision = plan(
        base=200, current=200, now=at_idle_days(2), policy=DecayPolicy(grace_days=0, daily_rate=0.5)
    )
    assert decision is not None
    assert (decision.days, decision.new_score) == (2, 50)


@pytest.mark.parametrize(
    "kwargs",
    [{"grace_days": -1}, {"grace_days": 366}, {"daily_rate": 0.0}, {"daily_rate": 1.0}],
)
def test_decay_policy_rejects_out_of_range_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DecayPolicy(**kwargs)  # type: ignore[arg-type]


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError):
        plan(now=datetime(2026, 3, 20, 9, 0))
