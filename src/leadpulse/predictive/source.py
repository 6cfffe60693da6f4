"""What training reads and reports, without numpy or scikit-learn (safe to import anywhere).

Training reads leads as a *re-iterable* stream: ``HistorySource`` is a callable returning a
fresh iterable of ``LeadHistory`` each time, so a database job can page through leads and a
synthetic project can regenerate them, and no project has to fit in memory. When the caller
does not pass a ``DataSummary`` (a job can get one from a ``GROUP BY`` instead), training
makes one extra pass to count leads and event types and to find the first event.

Progress: ``progress(phase, done, total)`` with phases ``summarise`` (leads), ``features``
(leads), ``fit`` and ``evaluate`` (0/1, then 1/1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from leadpulse.core.features import LeadHistory

HistorySource = Callable[[], Iterable[LeadHistory]]
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1_000


def no_progress(phase: str, done: int, total: int) -> None:
    """Ignore progress reports."""


@dataclass(frozen=True, slots=True)
class DataSummary:
    """Leads, events per type and the first event time of a project."""

    leads: int
    first_event_at: datetime | None
    type_counts: Mapping[str, int] = field(default_factory=dict)


def summarise(histories: Iterable[LeadHistory], progress: Progress = no_progress) -> DataSummary:
    """Count leads and events per type and find the first event, in one pass."""
    counts: Counter[str] = Counter()
    first: datetime | None = None
    leads = 0
    for leads, history in enumerate(histories, start=1):
        counts.update(e.event_type for e in history.events)
        earliest = min((e.timestamp for e in history.events), default=None)
        if earliest is not None and (first is None or earliest < first):
            first = earliest
        if leads % PROGRESS_EVERY == 0:
            progress("summarise", leads, 0)
    progress("summarise", leads, leads)
    return DataSummary(leads=leads, first_event_at=first, type_counts=dict(counts))
