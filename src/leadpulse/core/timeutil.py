"""Time helpers shared by the pure core: every datetime must be timezone-aware.

The core never reads a clock. Callers pass ``now``; UTC calendar days are derived with
``utc_date(now) = now.astimezone(UTC).date()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY = timedelta(days=1)


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return the datetime unchanged, raising ValueError if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def utc_date(now: datetime) -> date:
    """Return the UTC calendar day of an aware datetime."""
    return require_aware(now, "now").astimezone(UTC).date()


def days_between(earlier: datetime, later: datetime) -> float:
    """Return the elapsed time from earlier to later in (fractional) days."""
    require_aware(earlier, "earlier")
    require_aware(later, "later")
    return (later - earlier) / DAY
