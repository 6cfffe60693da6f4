"""Lead intelligence: risk, next action, engagement score and churn probability.

Risk (``d`` = days since the last event, rounded to two decimals as reported):
``d > 14`` high, ``d > 7`` medium, else low.
A lead with no events (``d is None``) is "low": risk measures lapsed engagement, a lead that
never engaged has nothing to lapse from, and its age is not known to this function.

Next action, first match wins:
  1. qualified and velocity_score >= 3 -> immediate_sales_contact
  2. hot and risk low                  -> schedule_demo
  3. warm                              -> nurture_campaign
  4. risk high                         -> re_engagement_required
  5. otherwise                         -> monitor

Engagement score, 0-10 rounded half-up to one decimal, the sum of four capped parts:
  4 * min(score, 100) / 100                      (standing)
  3 * min(events_last_24h, 5) / 5                (today's activity)
  2 * min(events_last_7d, 20) / 20               (this week's activity)
  1 * max(0, 1 - d / 14), or 0 when d is None    (recency)

Churn probability, 0-1 rounded half-up to two decimals, logistic:
  p = 1 / (1 + exp(-z)),  z = 0.3 * (d - 10) + trend_term - 1.5 * min(score, 100) / 100
  trend_term: increasing -0.5, steady 0, decreasing +0.5.
  d is capped to [0, 365]; when d is None the recency term 0.3 * (d - 10) is 0 (neutral).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from leadpulse.core.stages import Stage
from leadpulse.core.timeutil import days_between, require_aware
from leadpulse.core.velocity import (
    VelocityTrend,
    events_in_window,
    velocity,
    velocity_score,
    velocity_trend,
)

Risk = Literal["low", "medium", "high"]
NextAction = Literal[
    "immediate_sales_contact",
    "schedule_demo",
    "nurture_campaign",
    "re_engagement_required",
    "monitor",
]

HIGH_RISK_DAYS = 14
MEDIUM_RISK_DAYS = 7
SALES_CONTACT_MIN_VELOCITY = 3
SCORE_REFERENCE = 100
MAX_CHURN_DAYS = 365.0
_TREND_TERM: dict[VelocityTrend, float] = {"increasing": -0.5, "steady": 0.0, "decreasing": 0.5}


@dataclass(frozen=True, slots=True)
class Intelligence:
    """Everything the dashboard shows about a lead's momentum."""

    stage: Stage
    events_last_24h: int
    velocity: int
    velocity_score: int
    velocity_trend: VelocityTrend
    risk: Risk
    next_action: NextAction
    engagement_score: float
    churn_probability: float
    days_since_last_event: float | None


def _round_half_up(value: float, places: int) -> float:
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _capped_ratio(value: float, cap: float) -> float:
    return max(0.0, min(value, cap)) / cap


def risk(days_since_last_event: float | None) -> Risk:
    """Classify the risk of losing a lead from the days since its last event."""
    if days_since_last_event is None:
        return "low"
    if days_since_last_event > HIGH_RISK_DAYS:
        return "high"
    if days_since_last_event > MEDIUM_RISK_DAYS:
        return "medium"
    return "low"


def next_action(stage: Stage, velocity_score: int, risk: Risk) -> NextAction:
    """Recommend the next sales action (first matching rule wins)."""
    if stage == "qualified" and velocity_score >= SALES_CONTACT_MIN_VELOCITY:
        return "immediate_sales_contact"
    if stage == "hot" and risk == "low":
        return "schedule_demo"
    if stage == "warm":
        return "nurture_campaign"
    if risk == "high":
        return "re_engagement_required"
    return "monitor"


def engagement_score(
    *, score: int, events_last_24h: int, events_last_7d: int, days_since_last_event: float | None
) -> float:
    """Compute the 0-10 engagement score (one decimal) from standing, activity and recency."""
    recency = 0.0
    if days_since_last_event is not None:
        recency = 1.0 - _capped_ratio(days_since_last_event, HIGH_RISK_DAYS)
    total = (
        4 * _capped_ratio(score, SCORE_REFERENCE)
        + 3 * _capped_ratio(events_last_24h, 5)
        + 2 * _capped_ratio(events_last_7d, 20)
        + recency
    )
    return _round_half_up(min(10.0, max(0.0, total)), 1)


def churn_probability(
    *, days_since_last_event: float | None, trend: VelocityTrend, score: int
) -> float:
    """Estimate the 0-1 probability (two decimals) that a lead is lost, logistically."""
    recency_term = 0.0
    if days_since_last_event is not None:
        days = max(0.0, min(days_since_last_event, MAX_CHURN_DAYS))
        recency_term = 0.3 * (days - 10)
    z = recency_term + _TREND_TERM[trend] - 1.5 * _capped_ratio(score, SCORE_REFERENCE)
    return _round_half_up(1.0 / (1.0 + math.exp(-z)), 2)


def days_since(last_event_at: datetime | None, now: datetime) -> float | None:
    """Return days since the last event (two decimals, never negative), or None."""
    if last_event_at is None:
        return None
    return _round_half_up(max(0.0, days_between(last_event_at, now)), 2)


def assess(
    *,
    score: int,
    stage: Stage,
    event_times: Sequence[datetime],
    last_event_at: datetime | None,
    now: datetime,
) -> Intelligence:
    """Compute a lead's intelligence from its score, stage and event times at now."""
    require_aware(now, "now")
    day = timedelta(hours=24)
    last_24h = events_in_window(event_times, now - day, now)
    previous_24h = events_in_window(event_times, now - 2 * day, now - day)
    last_7d = events_in_window(event_times, now - 7 * day, now)
    days = days_since(last_event_at, now)
    lead_risk = risk(days)
    v_score = velocity_score(last_24h)
    trend = velocity_trend(last_24h, previous_24h)
    return Intelligence(
        stage=stage,
        events_last_24h=last_24h,
        velocity=velocity(last_24h),
        velocity_score=v_score,
        velocity_trend=trend,
        risk=lead_risk,
        next_action=next_action(stage, v_score, lead_risk),
        engagement_score=engagement_score(
            score=score,
            events_last_24h=last_24h,
            events_last_7d=last_7d,
            days_since_last_event=days,
        ),
        churn_probability=churn_probability(days_since_last_event=days, trend=trend, score=score),
        days_since_last_event=days,
    )
