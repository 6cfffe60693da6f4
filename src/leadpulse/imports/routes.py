"""``/api/imports``: upload a file of past events (multipart), follow the job, read its
rejections. The import itself runs in the worker (``imports.hooks``), never in the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from leadpulse.api.deps import ContainerDep, PageLimit, PageOffset, ServerDep
from leadpulse.api.schemas import Page
from leadpulse.imports import hooks, schemas, service, uploads
from leadpulse.store.types import utcnow

router = APIRouter(prefix="/api/imports", tags=["imports"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.ImportRead)
async def create_import(
    caller: ServerDep,
    c: ContainerDep,
    file: Annotated[UploadFile, File(description="CSV, NDJSON or Segment export")],
    format: Annotated[str | None, Form(description="csv | ndjson | segment-json")] = None,
    mapping: Annotated[str | None, Form(description="JSON field mapping")] = None,
) -> schemas.ImportRead:
    """Store the upload and queue its import; poll ``GET /api/imports/{id}`` for progress."""
    name = file.filename or "upload"
    path, size = await uploads.save(c.settings, project_id=caller.project_id, read=file.read)
    fmt, fields = uploads.accept(path, name=name, fmt_value=format, mapping=mapping)
    async with c.db.transaction() as session:
        job = await service.create_job(
            session,
            project_id=caller.project_id,
            fmt=fmt,
            mapping=fields,
            filename=name,
            path=str(path),
            size=size,
            now=utcnow(),
        )
    c.outbox.wake(hooks.LOOP)
    return schemas.ImportRead.model_validate(job)


@router.get("", response_model=Page[schemas.ImportRead])
async def list_imports(
    caller: ServerDep, c: ContainerDep, limit: PageLimit = 50, offset: PageOffset = 0
) -> Page[schemas.ImportRead]:
    """List the project's imports, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_jobs(
            session, project_id=caller.project_id, limit=limit, offset=offset
        )
    items = [schemas.ImportRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{import_id}", response_model=schemas.ImportDetail)
async def get_import(
    import_id: int,
    caller: ServerDep,
    c: ContainerDep,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> schemas.ImportDetail:
    """Read an import's progress and a page of its rejected rows (``limit``/``offset``)."""
    async with c.db.sessions() as session:
        job = await service.get_job(session, project_id=caller.project_id, job_id=import_id)
        rows = await service.list_rejections(session, job_id=job.id, limit=limit, offset=offset)
    page: Page[schemas.RejectionRead] = Page(
        items=[schemas.RejectionRead.model_validate(r) for r in rows],
        total=job.rows_rejected,
        limit=limit,
        offset=offset,
    )
    read = schemas.ImportRead.model_validate(job)
    return schemas.ImportDetail(
        **read.model_dump(exclude={"percent"}), offset=job.offset, rejections=page
    )
