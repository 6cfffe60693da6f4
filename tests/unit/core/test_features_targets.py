"""Specification of goals, labels and the time split (``core.targets``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpulse.core.features import HistoryEvent
from leadpulse.core.rules import default_rules, rule_index
from leadpulse.core.stages import DEFAULT_THRESHOLDS
from leadpulse.core.targets import (
    ChurnGoal,
    ConversionGoal,
    SnapshotPlan,
    Timeline,
    conversion_time,
    goal_from_dict,
    label,
    time_split,
    timeline,
)

T0 = datetime(2026, 1, 5, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = rule_index(default_rules())
SIGNED = ConversionGoal(event_type="contract_signed", horizon_days=30)


def ev(event_type: str, day: float) -> HistoryEvent:
    return HistoryEvent(f"{event_type}-{day}", event_type, T0 + day * DAY)


def test_conversion_time_is_the_first_goal_event() -> None:
    events = [ev("page_view", 0), ev("contract_signed", 9), ev("contract_signed", 4)]
    assert conversion_time(events, SIGNED, RULES, DEFAULT_THRESHOLDS) == T0 + 4 * DAY


def test_a_stage_goal_converts_when_the_folded_score_first_reaches_the_stage() -> None:
    goal = ConversionGoal(stage="hot", horizon_days=30)
    events = [ev("page_view", 0), ev("signup", 1), ev("demo_request", 3), ev("page_view", 5)]
    assert conversion_time(events, goal, RULES, DEFAULT_THRESHOLDS) == T0 + 3 * DAY  # 75: hot


def test_a_lead_that_never_converts_has_no_conversion_time() -> None:
    events = [ev("page_view", 0)]
    assert conversion_time(events, SIGNED, RULES, DEFAULT_THRESHOLDS) is None


@pytest.mark.parametrize(
    ("snapshot_day", "expected"),
    [
        (0, None),  # the first event is at the snapshot: the lead did not exist before
        (1, True),  # converts 9 days later, within 30
        (10, True),  # converts exactly at the snapshot: counts for this snapshot
        (10.5, None),  # already converted: not eligible
    ],
)
def test_conversion_label_and_eligibility(snapshot_day: float, expected: bool | None) -> None:
    line = Timeline(times=(T0, T0 + 10 * DAY), converted_at=T0 + 10 * DAY)
    assert label(SIGNED, line, T0 + snapshot_day * DAY) is expected


def test_a_conversion_exactly_one_horizon_later_is_outside_the_label_window() -> None:
    line = Timeline(times=(T0,), converted_at=T0 + 31 * DAY)
    assert label(SIGNED, line, T0 + DAY) is False
    assert label(SIGNED, line, T0 + DAY + timedelta(seconds=1)) is True


def test_churn_label_needs_recent_activity_and_no_event_for_the_quiet_days() -> None:
    goal = ChurnGoal(quiet_days=14, active_days=7)
    line = timeline([ev("page_view", 0), ev("page_view", 17)], goal, RULES, DEFAULT_THRESHOLDS)
    assert label(goal, line, T0 + 3 * DAY) is True  # day 17 = 3 + 14: outside [t, t + 14)
    assert label(goal, line, T0 + 3.5 * DAY) is False  # day 17 falls inside the quiet window
    assert label(goal, line, T0 + 8 * DAY) is None  # 8 idle days: not active any more
    assert label(goal, line, T0 + 18 * DAY) is True  # nothing after day 17
    assert label(goal, line, T0 - DAY) is None  # before the first event


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"event_type": "contract_signed", "stage": "hot"},
        {"stage": "cold"},
        {"event_type": ""},
        {"event_type": "contract_signed", "horizon_days": 0},
        {"event_type": "contract_signed", "horizon_days": 366},
    ],
)
def test_invalid_conversion_goals_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ConversionGoal(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "goal", [SIGNED, ConversionGoal(stage="qualified", horizon_days=14), ChurnGoal(21, 10)]
)
def test_goals_round_trip_through_plain_data(goal: ConversionGoal | ChurnGoal) -> None:
    assert goal_from_dict(goal.to_dict()) == goal


def test_unknown_goal_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        goal_from_dict({"kind": "upsell"})


def test_grid_is_anchored_at_the_newest_fully_observed_date() -> None:
    as_of = T0 + 120 * DAY
    split = time_split(data_start=T0, as_of=as_of, horizon=30 * DAY, plan=SnapshotPlan(step_days=7))
    assert split.test[-1] == as_of - 30 * DAY
    assert split.train[0] >= T0 + 7 * DAY
    every = split.train + split.test
    gaps = {b - a for a, b in pairwise(every)}
    assert all(gap >= 7 * DAY and gap % (7 * DAY) == timedelta(0) for gap in gaps)


def test_too_short_a_history_gives_no_training_dates() -> None:
    split = time_split(data_start=T0, as_of=T0 + 60 * DAY, horizon=30 * DAY, plan=SnapshotPlan())
    assert split.train == ()


@given(
    span=st.integers(min_value=1, max_value=400),
    horizon=st.integers(min_value=1, max_value=90),
    step=st.integers(min_value=1, max_value=30),
    fraction=st.floats(min_value=0.05, max_value=0.9),
)
def test_every_training_label_is_observed_before_the_test_period(
    span: int, horizon: int, step: int, fraction: float
) -> None:
    as_of = T0 + span * DAY
    split = time_split(
        data_start=T0,
        as_of=as_of,
        horizon=horizon * DAY,
        plan=SnapshotPlan(step_days=step, test_fraction=fraction),
    )
    if split.test:
        assert all(d + horizon * DAY <= split.test[0] for d in split.train)
        assert split.test[-1] + horizon * DAY <= as_of  # test labels fully observed
        assert list(split.train + split.test) == sorted(set(split.train + split.test))
