"""Seeded synthetic projects: leads with e-mail and traits, and their events, as plain records.

``generate(spec)`` yields one ``SyntheticLead`` at a time, so a 100k-lead project never sits in
memory, and the same spec always gives the same leads, events, timestamps and ids (each lead
draws from its own ``random.Random(seed, index)``, so lead ``i`` does not depend on how many
leads come before it). No clock, no network, no I/O.

Records are plain: ``SyntheticEvent.sdk(anonymous_id)`` is the SDK-format body that
``POST /api/ingest/batch`` takes (``identify`` events carry ``email`` and ``traits``), so a
"demo project" command can write a project through the real ingest path; ``history()`` is the
feature builder's view of the same lead. Every lead first touches the site at a uniform time
in ``[start, start + days)``; about half identify themselves within three days. The ``hidden``
state is the ground truth (intent, conversion time) for tests and demos, never a feature.
How leads behave is described in ``leadpulse.synthetic.behaviour``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpulse.core.features import HistoryEvent, LeadHistory, LeadProfile
from leadpulse.synthetic.behaviour import (
    GOAL_EVENT,
    Hidden,
    draw_hidden,
    email_open_times,
    session_types,
    sigmoid,
)

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, in the past: never clamped by ingest
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")
PATHS = ("/", "/blog/lead-scoring-101", "/features", "/docs/getting-started", "/about")
COUNTRIES = ("DE", "FR", "GB", "US", "NL", "ES", "SE", "PL")
_SEED_STRIDE = 1_000_003


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    """The shape of a synthetic project."""

    leads: int = 2_000
    days: int = 120
    seed: int = 7
    start: datetime = START

    def __post_init__(self) -> None:
        if self.leads < 0 or self.days < 1:
            raise ValueError("leads must be >= 0 and days >= 1")
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")

    @classmethod
    def ending_at(cls, end: datetime, *, leads: int, days: int, seed: int) -> SyntheticSpec:
        """The spec of a project whose ``days`` of history end at ``end`` (a demo's "now")."""
        return cls(leads=leads, days=days, seed=seed, start=end - timedelta(days=days))

    @property
    def end(self) -> datetime:
        """The end of the generated period (exclusive): the project's "now"."""
        return self.start + timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class SyntheticEvent:
    """One event as a client would send it."""

    event_type: str
    timestamp: datetime
    event_id: str
    session_id: str | None = None
    properties: Mapping[str, object] = field(default_factory=dict)
    email: str | None = None
    traits: Mapping[str, object] | None = None

    def sdk(self, anonymous_id: str) -> dict[str, Any]:
        """Return the SDK-format ingest body of this event."""
        body: dict[str, Any] = {
            "event": self.event_type,
            "anonymousId": anonymous_id,
            "eventId": self.event_id,
            "timestamp": self.timestamp.isoformat(),
            "properties": dict(self.properties),
        }
        if self.session_id is not None:
            body["sessionId"] = self.session_id
        if self.email is not None:
            body["email"] = self.email
            body["traits"] = dict(self.traits or {})
        return body


@dataclass(frozen=True, slots=True)
class SyntheticLead:
    """A generated lead: identity, events in time order, and the hidden truth."""

    anonymous_id: str
    email: str | None
    traits: Mapping[str, object]
    events: tuple[SyntheticEvent, ...]
    hidden: Hidden

    def history(self) -> LeadHistory:
        """Return the lead as the feature builder sees it."""
        return LeadHistory(
            key=self.anonymous_id,
            events=[
                HistoryEvent(e.event_id, e.event_type, e.timestamp, e.session_id)
                for e in self.events
            ],
            profile=LeadProfile(email=self.email, traits=self.traits),
        )

    def sdk_events(self) -> list[dict[str, Any]]:
        """Return every event as an SDK-format ingest body, in time order."""
        return [e.sdk(self.anonymous_id) for e in self.events]


_Raw = tuple[datetime, str, str | None]  # (timestamp, event type, session id)


def _identity(rng: random.Random, hidden: Hidden, ref: str) -> tuple[str | None, dict[str, object]]:
    if rng.random() >= sigmoid(0.6 * hidden.intent):
        return None, {}
    traits: dict[str, object] = {"country": rng.choice(COUNTRIES)}
    if rng.random() >= sigmoid(0.2 + 0.7 * hidden.intent):
        return f"{ref}@{rng.choice(FREE_MAIL)}", traits
    if rng.random() < 0.75:
        size = math.exp(rng.gauss(3.6 + 0.4 * hidden.intent, 1.3))
        traits["company_size"] = max(1, round(size))
    traits["company"] = f"Company {ref}"
    return f"{ref}@company-{ref}.example", traits


def _session_starts(rng: random.Random, hidden: Hidden, end: datetime) -> Iterator[datetime]:
    """Yield session start times by thinning a Poisson process; the first touch is one."""
    yield hidden.first_touch
    top = hidden.max_rate()
    t = hidden.first_touch
    while True:
        t += timedelta(days=rng.expovariate(top))
        if t >= end:
            return
        if rng.random() * top < hidden.rate(t):
            yield t


def _session(rng: random.Random, start: datetime, types: list[str], sid: str) -> list[_Raw]:
    t = start
    raw: list[_Raw] = []
    for event_type in types:
        raw.append((t, event_type, sid))
        t += timedelta(seconds=rng.uniform(15.0, 240.0))
    return raw


def _browsing(rng: random.Random, hidden: Hidden, end: datetime, ref: str) -> list[_Raw]:
    raw: list[_Raw] = []
    signed_up = False
    signup_chance = 0.08 * math.exp(0.5 * hidden.intent)
    for k, start in enumerate(_session_starts(rng, hidden, end)):
        types = session_types(rng, hidden, start)
        if not signed_up and rng.random() < signup_chance:
            types.append("signup")
            signed_up = True
        raw.extend(_session(rng, start, types, f"s-{ref}-{k}"))
    if hidden.demo_at is not None:
        raw.extend(_session(rng, hidden.demo_at, ["page_view", "demo_request"], f"d-{ref}"))
    return raw


def _one_offs(rng: random.Random, hidden: Hidden, end: datetime) -> list[_Raw]:
    raw: list[_Raw] = [(t, "email_open", None) for t in email_open_times(rng, hidden, end)]
    if hidden.unsubscribe_at is not None:
        raw.append((hidden.unsubscribe_at, "unsubscribe", None))
    if hidden.converts_at is not None:
        raw.append((hidden.converts_at, GOAL_EVENT, None))
    return raw


def _properties(rng: random.Random, event_type: str) -> dict[str, object]:
    if event_type == "page_view":
        return {"path": rng.choice(PATHS)}
    if event_type == GOAL_EVENT:
        return {"seats": rng.randint(1, 50)}
    return {}


def make_lead(spec: SyntheticSpec, index: int) -> SyntheticLead:
    """Generate lead ``index`` of a project (independent of every other lead)."""
    rng = random.Random(spec.seed * _SEED_STRIDE + index)
    ref = f"{spec.seed}-{index}"
    hidden = draw_hidden(rng, spec.start + (spec.end - spec.start) * rng.random())
    email, traits = _identity(rng, hidden, ref)
    raw = _browsing(rng, hidden, spec.end, ref) + _one_offs(rng, hidden, spec.end)
    if email is not None:
        raw.append((hidden.first_touch + timedelta(days=rng.uniform(0, 3)), "identify", None))
    raw = sorted(r for r in raw if r[0] < spec.end)
    events = tuple(
        SyntheticEvent(
            event_type=kind,
            timestamp=t,
            event_id=f"syn-{ref}-{n}",
            session_id=sid,
            properties=_properties(rng, kind),
            email=email if kind == "identify" else None,
            traits=traits if kind == "identify" else None,
        )
        for n, (t, kind, sid) in enumerate(raw)
    )
    return SyntheticLead(f"anon-{ref}", email, traits, events, hidden)


def generate(spec: SyntheticSpec) -> Iterator[SyntheticLead]:
    """Yield the project's leads one at a time, in index order."""
    for index in range(spec.leads):
        yield make_lead(spec, index)


def histories(spec: SyntheticSpec) -> Iterator[LeadHistory]:
    """Yield the project's leads as feature-builder histories."""
    for lead in generate(spec):
        yield lead.history()


def sdk_batches(
    spec: SyntheticSpec, *, max_events: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(leads, bodies)``: SDK-format events of whole leads, at most ``max_events``
    per batch unless one lead alone has more (``POST /api/ingest/batch`` takes 500)."""
    leads, bodies = 0, list[dict[str, Any]]()
    for lead in generate(spec):
        events = lead.sdk_events()
        if bodies and len(bodies) + len(events) > max_events:
            yield leads, bodies
            leads, bodies = 0, []
        leads += 1
        bodies.extend(events)
    if bodies or leads:
        yield leads, bodies
