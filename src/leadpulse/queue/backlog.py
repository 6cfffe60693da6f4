"""What is waiting, database-wide, as Prometheus gauge families computed at scrape time.

Each ``/metrics`` (API and worker) runs these few counting queries when scraped, so every
process reports the same database-wide values (take ``max`` across instances in PromQL):

- ``leadpulse_queue_depth{state}``: lead jobs ``pending`` (waiting, due or backing off),
  ``due`` (pending and due now) and ``running`` (leased by a worker);
- ``leadpulse_queue_oldest_pending_age_seconds``: now − the enqueue time of the oldest
  pending lead job (0 when none is pending);
- ``leadpulse_outbox_backlog{table}``: pending rows of ``outbox`` (entries not yet expanded),
  ``automation_executions`` and ``webhook_deliveries`` (attempts not yet made or retried).

Cost: ``lead_jobs`` holds only work not yet done (a finished job is deleted), so its one
aggregate reads the backlog itself; the outbox tables keep finished rows, and their counts
use the claim indexes (``status`` first).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.queue import jobs
from leadpulse.store.models import AutomationExecution, OutboxEntry, WebhookDelivery

OUTBOX_TABLES = (OutboxEntry, AutomationExecution, WebhookDelivery)


async def pending_rows(session: AsyncSession, model: Any) -> int:
    """Count the pending rows of an outbox table (entries or a lane): its backlog."""
    return int(await session.scalar(select(func.count()).where(model.status == "pending")) or 0)


async def families(session: AsyncSession, *, now: datetime) -> list[Metric]:
    """Return the queue and outbox gauges as of ``now``."""
    pending, due, running, oldest = await jobs.backlog(session, now=now)
    depth = GaugeMetricFamily(
        "leadpulse_queue_depth", "Lead jobs by state (pending, due, running)", labels=["state"]
    )
    for state, value in (("pending", pending), ("due", due), ("running", running)):
        depth.add_metric([state], value)
    age = GaugeMetricFamily(
        "leadpulse_queue_oldest_pending_age_seconds",
        "Age of the oldest pending lead job (0 when none is pending)",
        value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    )
    backlog = GaugeMetricFamily(
        "leadpulse_outbox_backlog",
        "Pending rows of the outbox and of its lanes, by table",
        labels=["table"],
    )
    for model in OUTBOX_TABLES:
        backlog.add_metric([model.__tablename__], await pending_rows(session, model))
    return [depth, age, backlog]
