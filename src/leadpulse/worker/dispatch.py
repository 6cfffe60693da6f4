"""The outbox dispatcher: expand entries into automation executions and webhook deliveries.

Entries are claimed under a lease like any outbox row (``queue.outbox.claim_due``). A batch
is expanded in one transaction: the leads it names are read (``FOR KEY SHARE`` on
PostgreSQL, so a GDPR erasure waits for the expansion and then deletes what it copied),
entries are decoded (``core.consequences``; an erased lead's entries decode to nothing),
each feature's expander (``container.expanders``, registered by ``automations.hooks`` and
``webhooks.hooks``) adds its rows idempotently, and the entries are deleted. If the batch
fails, each entry is expanded alone; an entry that fails alone counts a failed attempt,
backs off like any outbox row and is ``failed`` for good after
``settings.outbox_max_attempts`` — it never holds back the other entries.

Transactions: ``dispatch`` owns them (one claim and one expansion per batch, one per entry
when isolating a failure), and wakes the loops whose tables got rows after each commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.container import Container
from leadpulse.core.consequences import NEEDS_IDENTITY, Consequence, outcome_of
from leadpulse.leads import service as leads_service
from leadpulse.queue import entries, outbox
from leadpulse.queue.entries import Claimed
from leadpulse.store.models import OutboxEntry
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.dispatch")
LOOP = outbox.DISPATCH_LOOP


async def _expand(
    session: AsyncSession, container: Container, batch: Sequence[Claimed], lease_until: datetime
) -> set[str]:
    """Expand claimed entries in the caller's transaction; return the loops that got work."""
    lead_ids = {
        c.entry.lead_id for c in batch if c.entry.kind in NEEDS_IDENTITY and c.entry.lead_id
    }
    identity = await leads_service.identities(session, sorted(lead_ids))
    decoded = [
        Consequence(c.id, c.written_at, outcome)
        for c in batch
        if (outcome := outcome_of(c.entry, identity)) is not None
    ]
    woken = set()
    for loop, expand in container.expanders.items():
        if decoded and await expand(session, decoded):
            woken.add(loop)
    await entries.consume(session, [c.id for c in batch], lease_until=lease_until)
    return woken


async def _fail(container: Container, item: Claimed, error: Exception, lease: datetime) -> None:
    result = outbox.AttemptResult(None, f"{type(error).__name__}: {error}"[:2000], retryable=True)
    async with container.db.transaction() as session:
        values = outbox.outcome_values(
            result,
            attempts=item.attempts,
            max_attempts=container.settings.outbox_max_attempts,
            now=utcnow(),
            retry_column="available_at",
            done_column=None,
            stamp_failure=False,
            response_column=None,
        )
        await outbox.record_many_under_lease(session, OutboxEntry, [(item.id, lease, values)])
    log.error("outbox_entry_failed", entry_id=item.id, kind=item.entry.kind, error=repr(error))


async def _expand_batch(
    container: Container, batch: Sequence[Claimed], lease_until: datetime
) -> set[str]:
    try:
        async with container.db.transaction() as session:
            return await _expand(session, container, batch, lease_until)
    except Exception as exc:
        if len(batch) == 1:
            await _fail(container, batch[0], exc, lease_until)
            return set()
        log.warning("outbox_batch_failed_isolating", entries=len(batch), error=repr(exc))
    woken: set[str] = set()
    for item in batch:
        woken |= await _expand_batch(container, [item], lease_until)
    return woken


async def dispatch(container: Container, *, now: datetime | None = None) -> int:
    """Expand every due entry (batch after batch) and return how many were claimed."""
    settings = container.settings
    lease = timedelta(seconds=settings.worker_lease_seconds)
    done = 0
    while True:
        at = now or utcnow()
        lease_until = at + lease
        async with container.db.transaction() as session:
            ids = await outbox.claim_due(
                session,
                OutboxEntry,
                due_column=OutboxEntry.available_at,
                now=at,
                lease_until=lease_until,
                max_attempts=settings.outbox_max_attempts,
                limit=settings.outbox_claim_batch,
            )
            batch = await entries.load(session, ids) if ids else []
        if not batch:
            return done
        for loop in await _expand_batch(container, batch, lease_until):
            container.outbox.wake(loop)
        done += len(batch)
