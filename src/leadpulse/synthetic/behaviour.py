"""How a synthetic lead behaves: hidden state, session rate and what a session contains.

Every lead draws, from its own seeded ``random.Random``:

- a hidden buying intent ``z ~ N(0, 1)`` and, independently, an activity level
  ``a ~ N(0, 1)`` (how much it browses whatever it wants);
- whether it converts: ``P = sigmoid(-1.6 + 1.5 z)``; a converter signs
  (``contract_signed``) ``Gamma(2, 10)`` days (mean 20) after its first touch;
- how long it stays active: ``Exponential(mean 25 e^(0.4 z))`` days, at least until it
  converts and ``Exponential(mean 20)`` days beyond; then it goes quiet (sessions drop to
  ``QUIET_SHARE`` of its rate). A lead that unsubscribes goes quiet at once.

Sessions arrive as a Poisson process (drawn by thinning) with rate
``0.2 e^(0.6 a)`` per day x weekday factor (weekends ~0.3) x hour-of-day factor (office hours
1, night 0.15) x ramp, where the ramp rises linearly from 1 to 3 over the 21 days before a
converter signs. A session holds 1 + Poisson(1.2) page views and, each with its own
probability, other events. Intent-driven (informative) types: ``pricing_page_visit`` and
``feature_comparison`` (the latter has no default rule), mildly ``download``, ``form_submit``
and a one-off ``signup``; most converters request a demo 1-10 days before signing, a few
non-converters too. Misleading types: ``page_view``, ``blog_read`` and ``email_open`` are
frequent and follow activity, not intent; ``webinar_attendance`` (25 default points) and
``case_study_view`` look like buying signals and are pure noise. Low-intent leads sometimes
unsubscribe.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadpulse.core.timeutil import DAY

WEEKDAY_FACTOR = (1.0, 1.05, 1.05, 1.0, 0.9, 0.35, 0.3)  # Monday first
NIGHT_FACTOR = 0.15
OFFICE_HOURS = range(8, 19)
BASE_SESSIONS_PER_DAY = 0.2
RAMP_DAYS = 21.0
RAMP_TOP = 3.0
QUIET_SHARE = 0.03
EMAIL_OPENS_PER_DAY = 0.12
GOAL_EVENT = "contract_signed"


def sigmoid(x: float) -> float:
    """Return 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + math.exp(-x))


def poisson(rng: random.Random, mean: float) -> int:
    """Draw from Poisson(mean) (Knuth; the means used here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass(frozen=True, slots=True)
class Hidden:
    """A lead's hidden state: the truth behind its behaviour."""

    intent: float
    activity: float
    first_touch: datetime
    converts_at: datetime | None
    quiet_at: datetime
    unsubscribe_at: datetime | None
    demo_at: datetime | None

    @property
    def sessions_per_day(self) -> float:
        """Base session rate before seasonality and ramp."""
        return BASE_SESSIONS_PER_DAY * math.exp(0.6 * self.activity)

    def ramp(self, t: datetime) -> float:
        """How much a coming conversion lifts activity at ``t`` (1 = none)."""
        if self.converts_at is None or t >= self.converts_at:
            return 1.0
        days_left = (self.converts_at - t) / DAY
        return 1.0 + (RAMP_TOP - 1.0) * max(0.0, 1.0 - days_left / RAMP_DAYS)

    def rate(self, t: datetime) -> float:
        """Sessions per day at ``t``."""
        season = WEEKDAY_FACTOR[t.weekday()] * (1.0 if t.hour in OFFICE_HOURS else NIGHT_FACTOR)
        life = 1.0 if t < self.quiet_at else QUIET_SHARE
        return self.sessions_per_day * season * life * self.ramp(t)

    def max_rate(self) -> float:
        """An upper bound of ``rate`` for thinning."""
        top = RAMP_TOP if self.converts_at is not None else 1.0
        return self.sessions_per_day * max(WEEKDAY_FACTOR) * top


def draw_hidden(rng: random.Random, first_touch: datetime) -> Hidden:
    """Draw a lead's hidden state."""
    intent, activity = rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0)
    converts_at = None
    active_days = rng.expovariate(1.0 / (25.0 * math.exp(0.4 * intent)))
    if rng.random() < sigmoid(-1.6 + 1.5 * intent):
        delay = rng.gammavariate(2.0, 10.0)
        converts_at = first_touch + timedelta(days=delay)
        active_days = max(active_days, delay + rng.expovariate(1.0 / 20.0))
    quiet_at = first_touch + timedelta(days=active_days)
    unsubscribe_at = None
    if converts_at is None and rng.random() < 0.25 * sigmoid(-intent - 1.0):
        unsubscribe_at = first_touch + (quiet_at - first_touch) * rng.random()
        quiet_at = unsubscribe_at
    return Hidden(
        intent=intent,
        activity=activity,
        first_touch=first_touch,
        converts_at=converts_at,
        quiet_at=quiet_at,
        unsubscribe_at=unsubscribe_at,
        demo_at=_demo_time(rng, intent, first_touch, converts_at, quiet_at),
    )


def _demo_time(
    rng: random.Random,
    intent: float,
    first_touch: datetime,
    converts_at: datetime | None,
    quiet_at: datetime,
) -> datetime | None:
    if converts_at is not None:
        if rng.random() < 0.65:
            return max(first_touch, converts_at - timedelta(days=rng.uniform(1.0, 10.0)))
        return None
    if rng.random() < 0.1 * sigmoid(intent):
        return first_touch + (quiet_at - first_touch) * rng.random()
    return None


def session_types(rng: random.Random, hidden: Hidden, t: datetime) -> list[str]:
    """Return the event types of one session at ``t`` (page views first)."""
    ramp = hidden.ramp(t)
    z = hidden.intent
    types = ["page_view"] * (1 + poisson(rng, 1.2))
    chances = (
        ("blog_read", 0.3),
        ("pricing_page_visit", min(0.9, 0.05 * math.exp(0.7 * z) * ramp * ramp)),
        ("feature_comparison", min(0.9, 0.03 * math.exp(0.9 * z) * ramp)),
        ("download", 0.05 * math.exp(0.2 * z)),
        ("form_submit", 0.03 * math.exp(0.3 * z)),
        ("webinar_attendance", 0.04),
        ("case_study_view", 0.06),
    )
    types.extend(name for name, p in chances if rng.random() < p)
    return types


def email_open_times(rng: random.Random, hidden: Hidden, end: datetime) -> list[datetime]:
    """Return when the lead opens marketing e-mails: a drip unrelated to intent that stops
    when the lead goes quiet."""
    rate = EMAIL_OPENS_PER_DAY * math.exp(0.3 * hidden.activity)
    stop = min(end, hidden.quiet_at)
    times: list[datetime] = []
    t = hidden.first_touch
    while True:
        t += timedelta(days=rng.expovariate(rate))
        if t >= stop:
            return times
        times.append(t)
