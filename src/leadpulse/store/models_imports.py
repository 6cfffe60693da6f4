"""Tables of historical imports (``imports``) and inbound webhook sources (``inbound``).

Kept beside ``store.models`` (which imports and exports them, so Alembic's metadata and
every ``from leadpulse.store.models import …`` see them) to keep each module small.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadpulse.store.base import Base, BigId
from leadpulse.store.base import fk as _fk
from leadpulse.store.types import JSONType, utcnow


class ImportJob(Base):
    """One file being imported: where it is, how far the committed part reaches, counters.

    ``offset`` is the byte offset after the last committed row and ``line`` its line number;
    both move only in the transaction that records the batch's counters and rejections.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="status"),
        Index("ix_import_jobs_project", "project_id", "id"),
        Index("ix_import_jobs_claim", "status", "locked_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    format: Mapped[str] = mapped_column(String(16))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1024))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    line: Mapped[int] = mapped_column(Integer, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ImportRejection(Base):
    """A row of an import that was not stored: its line number and why."""

    __tablename__ = "import_rejections"
    __table_args__ = (Index("ix_import_rejections_job_line", "job_id", "line"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigId, _fk("import_jobs.id"))
    line: Mapped[int] = mapped_column(Integer)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    raw: Mapped[str] = mapped_column(Text, default="")


class InboundSource(Base):
    """A tool that posts events to ``/api/inbound/{id}``: its secret, scheme and mapping."""

    __tablename__ = "inbound_sources"
    __table_args__ = (
        CheckConstraint("scheme IN ('standard', 'hmac')", name="scheme"),
        Index("ix_inbound_sources_project", "project_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    name: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(128))
    scheme: Mapped[str] = mapped_column(String(16), default="standard")
    # The configurable HMAC scheme (``scheme='hmac'``); ignored by Standard Webhooks.
    hmac: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    tolerance_seconds: Mapped[int] = mapped_column(Integer, default=300)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundReceipt(Base):
    """A webhook id already accepted from a source: a second delivery of it is a replay."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("source_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(BigId, _fk("inbound_sources.id"))
    message_id: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
