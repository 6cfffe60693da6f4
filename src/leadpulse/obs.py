"""Observability: structured logging and Prometheus metrics.

Logging (structlog) binds request and lead ids per context. Lines are JSON for log
collectors, or human-readable when a person watches the terminal: ``LEADPULSE_LOG_JSON``
decides when it is set; otherwise JSON unless stderr is a terminal.

Metrics: the counters and histograms below are this process's; the call sites are one line
each (``api.metrics`` middleware, ``ingest.routes``, ``worker.loop``, ``webhooks.delivery``).
The database-wide gauges are not here: whoever serves ``/metrics`` computes them at scrape
time (``queue.backlog``) and hands them to ``exposition``. The README's Metrics section
lists every name and label. This module imports nothing of LeadPulse but ``errors``, so any
package may count.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from collections import Counter as Counter_
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric

from leadpulse.errors import InvalidInput

if TYPE_CHECKING:
    from leadpulse.config import Settings


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to ``sys.stderr`` as it is when a line is logged, not when logging was set up.

    A command run in-process (a test's CliRunner) swaps ``sys.stderr`` and closes its stand-in
    afterwards; a handler that kept the stand-in would fail on every later line.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        """Ignore: the stream is always the current standard error."""


def configure_logging_from(settings: Settings) -> None:
    """Configure logging from Settings; JSON is chosen by the terminal unless set explicitly."""
    explicit = "log_json" in settings.model_fields_set
    configure_logging(settings.log_level, json=settings.log_json if explicit else None)


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    """Route stdlib and structlog logging through one JSON (or console) renderer.

    ``json=None`` renders for people when stderr is a terminal and JSON otherwise.
    """
    if json is None:
        json = not sys.stderr.isatty()
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # alembic.runtime.plugins announces each of its plugins at INFO on every start.
    for noisy in ("uvicorn.access", "aiosqlite", "sqlalchemy.engine", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# --- Prometheus metrics ----------------------------------------------------------------------
#
# Counters and histograms live in this process; the database-wide gauges (queue depth,
# backlogs) are computed by whoever serves /metrics, at scrape time (``queue.backlog``), and
# passed to ``exposition``. With ``PROMETHEUS_MULTIPROC_DIR`` set (``leadpulse api
# --workers N`` sets it), prometheus-client keeps each process's values in files there and a
# scrape of any process adds up all of them.

HTTP_REQUESTS = Counter(
    "leadpulse_http_requests_total",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "leadpulse_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
INGESTED = Counter(
    "leadpulse_ingested_events_total",
    "Events received by the ingest endpoints, by outcome (stored, duplicate, rejected)",
    ["outcome"],
)
SCORED_EVENTS_LAG = Histogram(
    "leadpulse_ingest_to_scored_seconds",
    "Time from an event's receipt by the API to the commit of its scoring",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
)
SCORED_LEADS = Counter("leadpulse_scored_leads_total", "Lead states written by scoring")
WEBHOOK_DELIVERIES = Counter(
    "leadpulse_webhook_deliveries_total",
    "Recorded webhook delivery attempts, by outcome (succeeded, failed, retried)",
    ["outcome"],
)
INGEST_OUTCOMES = ("stored", "duplicate", "rejected")
WEBHOOK_OUTCOMES = ("succeeded", "failed", "retried")
for _outcome in INGEST_OUTCOMES:  # exported at 0 from the start, so rate() sees the first one
    INGESTED.labels(_outcome)
for _outcome in WEBHOOK_OUTCOMES:
    WEBHOOK_DELIVERIES.labels(_outcome)
# ``ingest.service.Stored`` statuses by outcome label (an unknown lead is refused).
_STORED_OUTCOME = {"queued": "stored", "duplicate": "duplicate", "unknown_lead": "rejected"}


def count_ingested(statuses: Iterable[str]) -> None:
    """Count ingest outcomes given as ``Stored``/batch statuses (queued, duplicate, rejected…)."""
    counts = Counter_(_STORED_OUTCOME.get(status, status) for status in statuses)
    for outcome, count in counts.items():
        INGESTED.labels(outcome).inc(count)


@contextmanager
def counting_rejection() -> Iterator[None]:
    """Count one rejected event when the block raises ``InvalidInput`` (then re-raise)."""
    try:
        yield
    except InvalidInput:
        INGESTED.labels("rejected").inc()
        raise


def observe_scored(received: Iterable[datetime], *, leads: int) -> None:
    """Record the ingest→scored lag of events whose scoring just committed."""
    now = datetime.now(UTC)
    for received_at in received:
        SCORED_EVENTS_LAG.observe(max((now - received_at).total_seconds(), 0.0))
    if leads:
        SCORED_LEADS.inc(leads)


def count_webhook_outcome(status: str | None) -> None:
    """Count one recorded delivery attempt by the row status it left (None: retried)."""
    WEBHOOK_DELIVERIES.labels(status if status in ("succeeded", "failed") else "retried").inc()


class _Families:
    """A one-shot collector of metric families computed for one scrape."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        """Yield the families."""
        return self.families


def exposition(families: Sequence[Metric] = ()) -> bytes:
    """Return this process's metrics (all processes' in multiprocess mode) and ``families``
    in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    extra = CollectorRegistry(auto_describe=False)
    extra.register(_Families(families))
    return generate_latest(registry) + generate_latest(extra)


def metrics_allowed(settings: Settings, authorization: str | None, *, public: bool) -> bool:
    """Tell whether a scrape may read /metrics.

    ``LEADPULSE_METRICS_TOKEN`` set: only ``Authorization: Bearer <token>``. Unset: open,
    except on the public API (``public``) in production.
    """
    token = settings.metrics_token
    if not token:
        return not (public and settings.env == "production")
    expected = f"Bearer {token}".encode()
    return authorization is not None and hmac.compare_digest(authorization.encode(), expected)
