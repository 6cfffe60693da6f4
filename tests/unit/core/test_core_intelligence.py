"""Specification of risk, next action, engagement, churn and the combined assessment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpulse.core.intelligence import (
    NextAction,
    Risk,
    assess,
    churn_probability,
    engagement_score,
    next_action,
    risk,
)
from leadpulse.core.stages import Stage
from leadpulse.core.velocity import VelocityTrend

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0.0, "low"),
        (7.0, "low"),
        (7.01, "medium"),
        (14.0, "medium"),
        (14.01, "high"),
        (90.0, "high"),
        (None, "low"),
    ],
)
def test_every_risk_boundary(days: float | None, expected: Risk) -> None:
    assert risk(days) == expected


@pytest.mark.parametrize(
    ("stage", "v_score", "lead_risk", "action"),
    [
        ("qualified", 3, "high", "immediate_sales_contact"),
        ("qualified", 2, "low", "monitor"),
        ("qualified", 2, "high", "re_engagement_required"),
        ("hot", 0, "low", "schedule_demo"),
        ("hot", 10, "medium", "monitor"),
        ("hot", 10, "high", "re_engagement_required"),
        ("warm", 0, "high", "nurture_campaign"),
        ("cold", 10, "high", "re_engagement_required"),
        ("cold", 10, "low", "monitor"),
        ("cold", 0, "medium", "monitor"),
    ],
)
def test_every_next_action_branch_first_match_wins(
    stage: Stage, v_score: int, lead_risk: Risk, action: NextAction
) -> None:
    assert next_action(stage, v_score, lead_risk) == action


def test_engagement_is_ten_for_a_maximal_lead() -> None:
    score = engagement_score(
        score=500, events_last_24h=9, events_last_7d=40, days_since_last_event=0.0
    )
    assert score == 10.0


def test_engagement_is_zero_for_a_lead_without_events() -> None:
    score = engagement_score(
        score=0, events_last_24h=0, events_last_7d=0, days_since_last_event=None
    )
    assert score == 0.0


def test_engagement_formula_example() -> None:
    # 4*0.5 + 3*(2/5) + 2*(4/20) + (1 - 7/14) = 2 + 1.2 + 0.4 + 0.5 = 4.1
    score = engagement_score(
        score=50, events_last_24h=2, events_last_7d=4, days_since_last_event=7.0
    )
    assert score == 4.1


@settings(database=None)
@given(
    score=st.integers(0, 10_000),
    last_24h=st.integers(0, 1_000),
    last_7d=st.integers(0, 10_000),
    days=st.none() | st.floats(0, 10_000, allow_nan=False),
)
def test_engagement_stays_within_zero_to_ten_with_one_decimal(
    score: int, last_24h: int, last_7d: int, days: float | None
) -> None:
    value = engagement_score(
        score=score, events_last_24h=last_24h, events_last_7d=last_7d, days_since_last_event=days
    )
    assert 0.0 <= value <= 10.0
    assert round(value, 1) == value


def test_churn_rises_with_idle_days() -> None:
    fresh = churn_probability(days_since_last_event=0.0, trend="steady", score=50)
    idle = churn_probability(days_since_last_event=30.0, trend="steady", score=50)
    assert fresh < 0.1 < 0.9 < idle


def test_churn_trend_moves_probability() -> None:
    values = [
        churn_probability(days_since_last_event=10.0, trend=t, score=0)
        for t in ("increasing", "steady", "decreasing")
    ]
    assert values == [0.38, 0.5, 0.62]


def test_churn_without_events_is_neutral_before_score_and_trend() -> None:
    assert churn_probability(days_since_last_event=None, trend="steady", score=0) == 0.5


@settings(database=None)
@given(
    days=st.none() | st.floats(0, 1e9, allow_nan=False),
    trend=st.sampled_from(["increasing", "steady", "decreasing"]),
    score=st.integers(0, 10_000),
)
def test_churn_stays_within_zero_to_one_with_two_decimals(
    days: float | None, trend: VelocityTrend, score: int
) -> None:
    value = churn_probability(days_since_last_event=days, trend=trend, score=score)
    assert 0.0 <= value <= 1.0
    assert round(value, 2) == value


def test_assess_combines_velocity_trend_risk_and_action() -> None:
    recent = [NOW - timedelta(hours=h) for h in (1, 2, 3)]
    older = [NOW - timedelta(hours=30)]
    last_week = [NOW - timedelta(days=5)]
    result = assess(
        score=120,
        stage="qualified",
        event_times=[*recent, *older, *last_week],
        last_event_at=recent[0],
        now=NOW,
    )
    assert (result.velocity, result.velocity_score) == (9, 3)
    assert result.velocity_trend == "increasing"
    assert result.risk == "low"
    assert result.next_action == "immediate_sales_contact"
    assert result.days_since_last_event == 0.04
    assert 0.0 <= result.engagement_score <= 10.0
    assert 0.0 <= result.churn_probability <= 1.0


def test_assess_idle_lead_is_high_risk_and_needs_re_engagement() -> None:
    last = NOW - timedelta(days=20)
    result = assess(score=10, stage="cold", event_times=[last], last_event_at=last, now=NOW)
    assert result.days_since_last_event == 20.0
    assert (result.risk, result.next_action) == ("high", "re_engagement_required")
    assert result.velocity_trend == "steady"


def test_assess_lead_without_events() -> None:
    result = assess(score=0, stage="cold", event_times=[], last_event_at=None, now=NOW)
    assert result.days_since_last_event is None
    assert (result.risk, result.next_action, result.velocity) == ("low", "monitor", 0)
