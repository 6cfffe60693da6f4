"""Specification of velocity, velocity score and velocity trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadpulse.core.velocity import (
    VelocityTrend,
    events_last_24h,
    velocity,
    velocity_score,
    velocity_trend,
)

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)


def test_events_last_24h_window_is_open_at_start_closed_at_now() -> None:
    times = [
        NOW - timedelta(hours=24),  # excluded: exactly 24 h ago
        NOW - timedelta(hours=23, minutes=59),
        NOW,
        NOW + timedelta(seconds=1),  # excluded: future
    ]
    assert events_last_24h(times, NOW) == 2


def test_three_events_give_velocity_score_three_and_velocity_nine() -> None:
    times = [NOW - timedelta(hours=h) for h in (1, 2, 3)]
    count = events_last_24h(times, NOW)
    assert (velocity_score(count), velocity(count)) == (3, 9)


def test_velocity_score_is_capped_at_ten() -> None:
    assert velocity_score(25) == 10
    assert velocity(25) == 75


@pytest.mark.parametrize(
    ("last", "previous", "trend"),
    [
        (0, 0, "steady"),
        (1, 0, "increasing"),
        (0, 1, "decreasing"),
        (6, 5, "steady"),  # exactly 1.2x is not more than 1.2x
        (7, 5, "increasing"),
        (5, 6, "steady"),
        (5, 7, "decreasing"),
        (10, 10, "steady"),
    ],
)
def test_velocity_trend_branches(last: int, previous: int, trend: VelocityTrend) -> None:
    assert velocity_trend(last, previous) == trend


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValueError):
        events_last_24h([datetime(2026, 5, 10, 11, 0)], NOW)
