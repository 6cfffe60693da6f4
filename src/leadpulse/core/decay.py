"""Score decay for idle leads.

After ``grace_days`` (default 7) whole days without events, the score decays by
``daily_rate`` (default 5 %) per further whole day, compounding:

    idle_days = floor((now - last_event_at) / 1 day)
    days      = max(0, idle_days - grace_days)
    decayed   = round_half_up(base_score * (1 - daily_rate) ** days)

``base_score`` is the score right after the last event (undecayed), so the target is computed
from the last event time in one step: a catch-up after missed days gives the same result as
daily runs, and running twice is harmless. Example: 100 after 10 idle days -> 3 decay days
-> 100 * 0.95**3 = 85.7375 -> 86. Arithmetic uses Decimal so halves round up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from leadpulse.core.scoring import clamp_score
from leadpulse.core.timeutil import DAY, require_aware, utc_date

MAX_GRACE_DAYS = 365
# A private context: the result must not depend on a caller's thread-local decimal settings.
_DECIMAL = Context(prec=34, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class DecayPolicy:
    """Per-project decay settings."""

    enabled: bool = True
    grace_days: int = 7
    daily_rate: float = 0.05

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError unless 0 <= grace_days <= 365 and 0 < daily_rate < 1."""
        if not 0 <= self.grace_days <= MAX_GRACE_DAYS:
            raise ValueError(f"grace_days must be in [0, {MAX_GRACE_DAYS}]")
        if not 0 < self.daily_rate < 1:
            raise ValueError("daily_rate must be in (0, 1)")


@dataclass(frozen=True, slots=True)
class DecayDecision:
    """Move a lead's score from old_score to new_score for the given UTC day."""

    old_score: int
    new_score: int
    delta: int
    days: int
    day: date


def decay_days(last_event_at: datetime, now: datetime, grace_days: int) -> int:
    """Return the whole idle days beyond the grace period (never negative)."""
    require_aware(last_event_at, "last_event_at")
    require_aware(now, "now")
    idle_days = (now - last_event_at) // DAY
    return max(0, idle_days - grace_days)


def decayed_score(base_score: int, days: int, rate: float) -> int:
    """Return base_score * (1 - rate) ** days rounded half-up, within [0, 10 000]."""
    if days <= 0:
        return clamp_score(base_score)
    factor = _DECIMAL.power(_DECIMAL.subtract(Decimal(1), Decimal(repr(rate))), days)
    value = _DECIMAL.multiply(Decimal(base_score), factor)
    rounded = value.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_DECIMAL)
    return clamp_score(int(rounded))


def plan_decay(
    *,
    base_score: int,
    current_score: int,
    last_event_at: datetime | None,
    last_decay_day: date | None,
    now: datetime,
    policy: DecayPolicy,
) -> DecayDecision | None:
    """Decide today's decay of a lead, or None when nothing is to be written."""
    if not policy.enabled or last_event_at is None:
        return None
    today = utc_date(now)
    if last_decay_day == today:
        return None
    days = decay_days(last_event_at, now, policy.grace_days)
    if days == 0:
        return None
    target = decayed_score(base_score, days, policy.daily_rate)
    if target == current_score:
        return None
    return DecayDecision(
        old_score=current_score,
        new_score=target,
        delta=target - current_score,
        days=days,
        day=today,
    )
