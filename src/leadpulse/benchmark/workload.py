"""The standard benchmark workload, generated deterministically from a seed.

100k SDK-format events over 10k anonymous leads; the default event types plus a few unknown
ones; timestamps spread over 7 days in sending order, except 2 % that arrive late (earlier
than an event already sent for the same lead); 3 % re-send an earlier event's eventId (an
SDK retry); ``properties`` of about 300 bytes of JSON. The same seed gives the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

KNOWN_TYPES: tuple[tuple[str, int], ...] = (
    ("page_view", 40),
    ("email_open", 15),
    ("pricing_page_visit", 8),
    ("download", 6),
    ("form_submit", 5),
    ("webinar_attendance", 3),
    ("signup", 3),
    ("demo_request", 2),
    ("unsubscribe", 1),
    ("contract_signed", 1),
)
UNKNOWN_TYPES: tuple[tuple[str, int], ...] = (
    ("video_play", 4),
    ("chat_started", 3),
    ("custom:trial_extended", 2),
)
SPAN = timedelta(days=7)
START = datetime(2026, 1, 5, tzinfo=UTC)  # fixed, in the past: timestamps are never clamped
PAGES = ("/", "/pricing", "/docs/getting-started", "/blog/lead-scoring-101", "/features/api")


@dataclass(frozen=True, slots=True)
class Spec:
    """Shape of a workload."""

    events: int = 100_000
    leads: int = 10_000
    late_ratio: float = 0.02
    duplicate_ratio: float = 0.03
    seed: int = 20261128
    prefix: str = "w"  # eventIds are "<prefix>-<seed>-<n>": workloads never collide
    start: datetime = START


@dataclass(slots=True)
class Workload:
    """Events in sending order (dicts in SDK format) and what the generator did."""

    spec: Spec
    events: list[dict[str, Any]] = field(default_factory=list)
    late: int = 0
    duplicates: int = 0

    def bodies(self) -> list[bytes]:
        """Return each event as its JSON request body."""
        return [orjson.dumps(event) for event in self.events]

    def batches(self, size: int) -> list[bytes]:
        """Return ``{"events": [...]}`` bodies of ``size`` events each, in sending order."""
        return [
            orjson.dumps({"events": self.events[i : i + size]})
            for i in range(0, len(self.events), size)
        ]

    @property
    def unique_events(self) -> int:
        """Number of distinct eventIds."""
        return len(self.events) - self.duplicates


def _properties(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "page": rng.choice(PAGES),
        "referrer": f"https://www.example-{rng.randrange(500)}.com/search?q=lead+scoring",
        "utm_source": rng.choice(("google", "newsletter", "linkedin", "direct")),
        "utm_campaign": f"q{rng.randrange(1, 5)}-campaign-{rng.randrange(40)}",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0",
        "screen": {"w": rng.choice((1280, 1440, 1920)), "h": rng.choice((720, 900, 1080))},
        "seq": n,
        "plan": rng.choice(("free", "team", "business")),
        "locale": rng.choice(("en-US", "de-DE", "fr-FR")),
        "tz": "Europe/Berlin",
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def generate(spec: Spec | None = None) -> Workload:
    """Generate the workload described by ``spec`` (deterministic for a given seed)."""
    spec = spec or Spec()
    rng = random.Random(spec.seed)
    types = KNOWN_TYPES + UNKNOWN_TYPES
    names = [name for name, _ in types]
    weights = [weight for _, weight in types]
    work = Workload(spec)
    last_sent: dict[int, datetime] = {}
    step = SPAN / spec.events
    # a lead's first event cannot be late (~1 in 9 of the draws here): ask for a bit more
    late_p = spec.late_ratio / (1 - spec.duplicate_ratio) / 0.88
    for n in range(spec.events):
        if work.events and rng.random() < spec.duplicate_ratio:
            work.events.append(rng.choice(work.events))  # an SDK retry: same body, same id
            work.duplicates += 1
            continue
        lead = rng.randrange(spec.leads)
        moment = spec.start + step * n + timedelta(milliseconds=rng.randrange(1000))
        previous = last_sent.get(lead)
        if previous is not None and rng.random() < late_p:
            moment = previous - timedelta(seconds=rng.randrange(1, 6 * 3600))
            work.late += 1
        else:
            last_sent[lead] = max(moment, previous) if previous else moment
        work.events.append(
            {
                "event": rng.choices(names, weights)[0],
                "anonymousId": f"anon-{lead:05d}",
                "eventId": f"{spec.prefix}-{spec.seed}-{n:07d}",
                "timestamp": _iso(moment),
                "properties": _properties(rng, n),
            }
        )
    return work


def statistics(work: Workload) -> dict[str, float]:
    """Measure the workload from its events alone (late %, duplicate %, sizes)."""
    seen: set[str] = set()
    latest: dict[str, str] = {}
    late = duplicates = 0
    props = 0
    for event in work.events:
        props += len(orjson.dumps(event["properties"]))
        if event["eventId"] in seen:
            duplicates += 1
            continue
        seen.add(event["eventId"])
        lead, stamp = event["anonymousId"], event["timestamp"]
        if lead in latest and stamp < latest[lead]:
            late += 1
        else:
            latest[lead] = stamp
    total = len(work.events)
    return {
        "events": total,
        "leads": len({e["anonymousId"] for e in work.events}),
        "late_pct": 100 * late / total,
        "duplicate_pct": 100 * duplicates / total,
        "properties_bytes_avg": props / total,
        "body_bytes_avg": sum(len(orjson.dumps(e)) for e in work.events) / total,
        "unknown_type_pct": 100
        * sum(e["event"] in dict(UNKNOWN_TYPES) for e in work.events)
        / total,
    }
