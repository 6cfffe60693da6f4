"""Velocity: how many events a lead produced recently, by event time.

- ``events_last_24h`` counts events with ``now - 24h < t <= now`` (future events excluded).
- ``velocity_score = min(10, events_last_24h)``.
- ``velocity = events_last_24h * 3`` (the intelligence figure).
- ``velocity_trend(last, previous)`` compares the last 24 h with the 24 h before:
  increasing if ``last > 1.2 * previous`` and ``last - previous >= 1``;
  decreasing if ``previous > 1.2 * last`` and ``previous - last >= 1``; otherwise steady.
  (The 20 % band keeps small noise "steady"; the >= 1 rule makes 0 vs 0 steady.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from leadpulse.core.timeutil import require_aware

VelocityTrend = Literal["increasing", "steady", "decreasing"]

MAX_VELOCITY_SCORE = 10
VELOCITY_MULTIPLIER = 3
WINDOW = timedelta(hours=24)


def events_in_window(timestamps: Iterable[datetime], start: datetime, end: datetime) -> int:
    """Count timestamps t with start < t <= end."""
    require_aware(start, "start")
    require_aware(end, "end")
    return sum(1 for t in timestamps if start < require_aware(t, "timestamp") <= end)


def events_last_24h(timestamps: Iterable[datetime], now: datetime) -> int:
    """Count events whose time lies in (now - 24h, now]."""
    return events_in_window(timestamps, now - WINDOW, now)


def velocity_score(events_24h: int) -> int:
    """Return min(10, events_24h), never negative."""
    return max(0, min(MAX_VELOCITY_SCORE, events_24h))


def velocity(events_24h: int) -> int:
    """Return the intelligence velocity: events in the last 24 h times 3."""
    return max(0, events_24h) * VELOCITY_MULTIPLIER


def velocity_trend(last_24h: int, previous_24h: int) -> VelocityTrend:
    """Compare the last 24 h with the 24 h before (20 % band, at least one event apart)."""
    # Integer arithmetic (5x > 6y is x > 1.2y) avoids float edge cases on the boundary.
    if 5 * last_24h > 6 * previous_24h and last_24h - previous_24h >= 1:
        return "increasing"
    if 5 * previous_24h > 6 * last_24h and previous_24h - last_24h >= 1:
        return "decreasing"
    return "steady"
