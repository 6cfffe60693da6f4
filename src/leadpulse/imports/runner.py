"""Running one import job: read a batch of rows, store it through ingest, record progress.

Transactions: the runner is an orchestrator and owns them. Each batch of
``import_batch_rows`` rows (500 by default) is validated row by row and handed to the
ingest front (``ingest.intake.Intake``, the one the ingest routes use, so the events go
through the same group committer and transaction as live ingest, and are scored by the
worker like any other); then one transaction records the batch's counters, rejections and
offset under the job's lease (``imports.service``). Between batches the runner yields to the
event loop, so live ingest sharing the process is never starved.

Event ids: a row's own id (``eventId``, a ``messageId``, a mapped column) is kept. A row
without one gets ``imp_`` + 40 hex digits of SHA-256 over the project and the *normalised*
event (type, UTC timestamp, anonymous id, lead id, e-mail, properties with sorted keys): not
the file, its name, the row's position or its column order. Importing a file twice, or a
re-export of the same rows in another order or layout, therefore stores nothing new; two
rows identical in every field are one event.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import structlog

from leadpulse.container import Container
from leadpulse.errors import FieldError, InvalidInput
from leadpulse.imports import service
from leadpulse.imports.formats import BadRecord, Format, Record, check_file, read_header, records
from leadpulse.imports.mapping import FieldMapping, source_path
from leadpulse.imports.rows import Convert, converter, default_csv_mapping
from leadpulse.imports.service import Batch
from leadpulse.ingest.intake import Intake
from leadpulse.ingest.schemas import ApiEvent
from leadpulse.ingest.service import Incoming
from leadpulse.store.models import ImportJob
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.imports")


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a running import stands (for a progress bar)."""

    offset: int
    size: int
    read: int
    stored: int
    duplicate: int
    rejected: int


OnProgress = Callable[[Progress], None]


def shared_intake(container: Container) -> Intake:
    """Return the process's ingest front (the ingest routes' own), creating it if needed."""
    if container.intake is None:
        publish = partial(container.publish_later, container.after_ingest)
        container.intake = Intake(
            container.db, container.settings, waker=container.waker, publish=publish
        )
    return container.intake


def derived_event_id(item: Incoming) -> str:
    """Return the row-derived eventId of an event sent without one (module docstring)."""
    content = orjson.dumps(
        [
            item.project_id,
            item.event_type,
            item.timestamp.isoformat(),
            item.anonymous_id,
            item.lead_id,
            item.email,
            item.properties,
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return "imp_" + hashlib.sha256(content).hexdigest()[:40]


def _chunks(items: Iterable[Record | BadRecord], size: int) -> Iterator[list[Record | BadRecord]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _rejection(line: int, raw: str, errors: list[FieldError]) -> dict[str, Any]:
    return {
        "line": line,
        "raw": raw,
        "errors": [{"loc": e.loc, "msg": e.msg, "type": e.type} for e in errors],
    }


class _Rows:
    """Validates the rows of one job into ingest items."""

    def __init__(
        self, intake: Intake, job: ImportJob, convert: Convert, mapping: FieldMapping | None
    ) -> None:
        self.intake = intake
        self.project_id = job.project_id
        self.convert = convert
        self.mapping = mapping

    def item(self, record: Record) -> Incoming:
        try:
            raw = self.convert(record.data)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, exc.errors or [FieldError("row", exc.detail)]) from exc
        if raw.get("timestamp") is None:
            raise InvalidInput.field("timestamp", "an imported row needs a timestamp", "missing")
        try:
            item = self.intake.validate(
                raw, ApiEvent, project_id=self.project_id, received_at=utcnow(), loc=""
            )
        except InvalidInput as exc:
            if self.mapping is None:
                raise
            errors = [source_path(self.mapping, "", error) for error in exc.errors]
            raise InvalidInput(exc.detail, errors) from exc
        if raw.get("eventId") is None:
            item.event_id = derived_event_id(item)
        return item

    async def store(self, chunk: list[Record | BadRecord]) -> Batch:
        last = chunk[-1]
        batch = Batch(offset=last.end, line=last.end_line, read=len(chunk))
        valid: list[tuple[Record, Incoming]] = []
        for record in chunk:
            if isinstance(record, BadRecord):
                error = FieldError("row", record.reason, "unreadable")
                batch.rejections.append(_rejection(record.line, record.raw, [error]))
                continue
            try:
                valid.append((record, self.item(record)))
            except InvalidInput as exc:
                batch.rejections.append(_rejection(record.line, record.raw, exc.errors))
        outcomes = await self.intake.submit([item for _, item in valid]) if valid else []
        for (record, _), outcome in zip(valid, outcomes, strict=True):
            if outcome.status == "queued":
                batch.stored += 1
            elif outcome.status == "duplicate":
                batch.duplicate += 1
            else:
                error = FieldError("leadId", "lead not found", "not_found")
                batch.rejections.append(_rejection(record.line, record.raw, [error]))
        return batch


def _convert_for(job: ImportJob) -> tuple[Convert, FieldMapping | None]:
    """Return the row converter of a job and the mapping its errors are named by."""
    path, fmt = Path(job.path), _format(job.format)
    check_file(path, fmt, name=job.filename)
    mapping = FieldMapping.model_validate(job.mapping) if job.mapping else None
    if fmt == "csv":
        mapping = default_csv_mapping(read_header(path), mapping)
    return converter(fmt, mapping, read_header(path) if fmt == "csv" else []), mapping


def _format(name: str) -> Format:
    if name == "csv":
        return "csv"
    return "segment-json" if name == "segment-json" else "ndjson"


async def run_job(
    container: Container,
    job: ImportJob,
    *,
    worker_id: str,
    on_progress: OnProgress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> str:
    """Import the rest of ``job`` (claimed by ``worker_id``); return its final status
    (``finished``, ``failed``, ``released`` when stopped, ``lost`` if the lease was lost)."""
    db, lease = container.db, timedelta(seconds=container.settings.import_lease_seconds)
    try:
        convert, mapping = _convert_for(job)
    except (InvalidInput, OSError) as exc:
        async with db.transaction() as session:
            await service.fail_job(session, job_id=job.id, error=_reason(exc), now=utcnow())
        return "failed"
    rows = _Rows(shared_intake(container), job, convert, mapping)
    counts = [job.rows_read, job.rows_stored, job.rows_duplicate, job.rows_rejected]
    offset, line = job.offset, job.line
    chunks = _chunks(
        records(Path(job.path), _format(job.format), offset=offset, line=line),
        container.settings.import_batch_rows,
    )
    for chunk in chunks:
        batch = await rows.store(chunk)
        async with db.transaction() as session:
            held = await service.record_batch(
                session, job_id=job.id, worker_id=worker_id, batch=batch, now=utcnow(), lease=lease
            )
        if not held:
            log.warning("import_lease_lost", job_id=job.id)
            return "lost"
        offset, line = batch.offset, batch.line
        _count(counts, batch)
        if on_progress is not None:
            on_progress(Progress(offset, job.size_bytes, *counts))
        if should_stop():
            return await _release(container, job, worker_id)
        await asyncio.sleep(0)  # let live ingest and the worker's other loops run
    async with db.transaction() as session:
        await service.record_batch(
            session,
            job_id=job.id,
            worker_id=worker_id,
            batch=Batch(offset=offset, line=line),
            now=utcnow(),
            lease=lease,
            finished=True,
        )
    log.info("import_finished", job_id=job.id, rows=counts[0], stored=counts[1])
    _forget_upload(container, Path(job.path))
    return "finished"


def _forget_upload(container: Container, path: Path) -> None:
    # An uploaded copy (API) is ours to delete once imported; a file named on the command
    # line (CLI) is the user's and stays.
    if path.parent.resolve() == (container.settings.data_dir / "imports").resolve():
        path.unlink(missing_ok=True)


def _count(counts: list[int], batch: Batch) -> None:
    counts[0] += batch.read
    counts[1] += batch.stored
    counts[2] += batch.duplicate
    counts[3] += len(batch.rejections)


async def _release(container: Container, job: ImportJob, worker_id: str) -> str:
    async with container.db.transaction() as session:
        await service.release(session, job_id=job.id, worker_id=worker_id, now=utcnow())
    return "released"


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return exc.errors[0].msg
    return str(exc) or type(exc).__name__


async def drain(container: Container, *, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Run every claimable import job to its end (or until ``should_stop``); return how
    many jobs were run."""
    worker_id = f"imports:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    lease = timedelta(seconds=container.settings.import_lease_seconds)
    done = 0
    while not should_stop():
        async with container.db.transaction() as session:
            job = await service.claim_next(session, worker_id=worker_id, now=utcnow(), lease=lease)
        if job is None:
            return done
        await run_job(container, job, worker_id=worker_id, should_stop=should_stop)
        done += 1
    return done
