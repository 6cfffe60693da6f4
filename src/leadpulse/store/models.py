"""Tables. Every row that belongs to a tenant carries ``project_id``; queries filter on it.

Naming: a ``*_at`` column is a UTC timestamp, ``*_on`` a UTC date. Lead ids and event row
ids are integers; ``events.event_id`` is the client's (or a server UUIDv7) idempotency key,
unique per project.

The delivery tables (automations, webhooks, outbox) are defined in ``store.outbound``, those
of imports and inbound sources in ``store.models_imports``; both are exported here too, so
importing this module registers every table on ``Base.metadata``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadpulse.store.base import Base, BigId
from leadpulse.store.base import fk as _fk
from leadpulse.store.models_imports import (
    ImportJob,
    ImportRejection,
    InboundReceipt,
    InboundSource,
)
from leadpulse.store.outbound import (
    Automation,
    AutomationExecution,
    OutboxEntry,
    WebhookDelivery,
    WebhookSubscription,
)
from leadpulse.store.types import JSONType, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    google_sub: Mapped[str | None] = mapped_column(String(255), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped to revoke every token issued before (sign out everywhere, password change,
    # Google taking over an unverified account); tokens carry it as their ``tv`` claim.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigId, _fk("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(255))
    allowed_origins: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    decay_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    decay_grace_days: Mapped[int] = mapped_column(Integer, default=7)
    decay_daily_rate: Mapped[float] = mapped_column(Float, default=0.05)
    rate_limit_ip_per_minute: Mapped[int | None] = mapped_column(Integer)
    rate_limit_key_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key. Secret keys are stored only as a SHA-256 hash; publishable keys are public."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("kind IN ('publishable', 'secret')", name="kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str | None] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailVerification(Base):
    __tablename__ = "email_verifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, _fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lead(Base):
    """A lead. ``base_score`` is the score right after its last event (before decay)."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("project_id", "anonymous_id"),
        UniqueConstraint("project_id", "email"),
        Index("ix_leads_project_score", "project_id", "score", "id"),
        Index("ix_leads_project_stage_score", "project_id", "stage", "score"),
        Index("ix_leads_project_last_event", "project_id", "last_event_at"),
        Index("ix_leads_project_created", "project_id", "created_at"),
        UniqueConstraint("project_id", "external_id"),
        # PostgreSQL only (see migration 0004): name sort and trigram substring search.
        Index("ix_leads_project_lower_name", "project_id", func.lower(text("name")), "id").ddl_if(
            dialect="postgresql"
        ),
        *(
            Index(
                f"ix_leads_{column}_trgm",
                func.lower(text(column)).label(f"lower_{column}"),
                postgresql_using="gin",
                postgresql_ops={f"lower_{column}": "gin_trgm_ops"},
            ).ddl_if(dialect="postgresql")
            for column in ("name", "email", "company")
        ),
        # SQLite would hand a deleted lead's id to the next new lead (rowid = max + 1):
        # AUTOINCREMENT keeps ids unique for ever, as PostgreSQL's sequence does.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    anonymous_id: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    #: The sender's own id for this person (Segment's ``userId``), unique per project.
    external_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    traits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    score: Mapped[int] = mapped_column(Integer, default=0)
    base_score: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(16), default="cold")
    events_last_24h: Mapped[int] = mapped_column(Integer, default=0)
    velocity_score: Mapped[int] = mapped_column(Integer, default=0)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_at: Mapped[datetime | None]
    last_event_key: Mapped[str | None] = mapped_column(String(160))
    last_decay_on: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(BigId, _fk("leads.id", cascade=False))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Event(Base):
    """One ingested event; append-only except for the ``processed`` flag and lead moves."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_events_lead_ts", "lead_id", "timestamp", "event_id"),
        Index(
            "ix_events_lead_unprocessed",
            "lead_id",
            sqlite_where=text("processed = 0"),
            postgresql_where=text("NOT processed"),
        ),
        Index("ix_events_project_received", "project_id", "received_at"),
        Index("ix_events_project_type", "project_id", "event_type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    lead_id: Mapped[int] = mapped_column(BigId, _fk("leads.id"))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_id: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    properties: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The sender's own id for the person (Segment's ``userId``); identifies the lead.
    user_id: Mapped[str | None] = mapped_column(String(255))
    #: The sender's context object (Segment's ``context``: library, page, ip…), kept as sent.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    processed: Mapped[bool] = mapped_column(Boolean, default=False)
    processed_at: Mapped[datetime | None]


class ScoreHistory(Base):
    """One score mutation. A lead's rows add up to its score (old→new chain)."""

    __tablename__ = "score_history"
    __table_args__ = (
        CheckConstraint("cause IN ('rule', 'decay', 'merge', 'recompute', 'manual')", name="cause"),
        Index("ix_score_history_lead", "lead_id", "id"),
        Index("ix_score_history_project_created", "project_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    lead_id: Mapped[int] = mapped_column(BigId, _fk("leads.id"))
    event_row_id: Mapped[int | None] = mapped_column(BigId, _fk("events.id", cascade=False))
    event_id: Mapped[str | None] = mapped_column(String(128))
    event_type: Mapped[str | None] = mapped_column(String(64))
    event_timestamp: Mapped[datetime | None]
    rule_id: Mapped[int | None] = mapped_column(BigId)
    cause: Mapped[str] = mapped_column(String(16), default="rule")
    points: Mapped[int] = mapped_column(Integer, default=0)
    old_score: Mapped[int] = mapped_column(Integer)
    new_score: Mapped[int] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoringRule(Base):
    __tablename__ = "scoring_rules"
    __table_args__ = (UniqueConstraint("project_id", "event_type"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"))
    event_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StageThreshold(Base):
    """Per-project stage thresholds: cold < warm ≤ score < hot ≤ score < qualified."""

    __tablename__ = "stage_thresholds"

    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"), primary_key=True)
    warm: Mapped[int] = mapped_column(Integer, default=30)
    hot: Mapped[int] = mapped_column(Integer, default=60)
    qualified: Mapped[int] = mapped_column(Integer, default=100)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LeadJob(Base):
    """At most one job row per lead: pending work, or running under a lease."""

    __tablename__ = "lead_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running')", name="status"),
        Index("ix_lead_jobs_claim", "status", "run_at"),
    )

    lead_id: Mapped[int] = mapped_column(BigId, _fk("leads.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    dirty: Mapped[bool] = mapped_column(Boolean, default=False)
    full_rescore: Mapped[bool] = mapped_column(Boolean, default=False)
    rescore_job_id: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)


class FailedJob(Base):
    """Dead letter: a lead job that failed its last attempt."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"), index=True)
    lead_id: Mapped[int] = mapped_column(BigId, _fk("leads.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    replayed_at: Mapped[datetime | None]


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_claim_at: Mapped[datetime | None]
    processed: Mapped[int] = mapped_column(BigInteger, default=0)


class RescoreJob(Base):
    __tablename__ = "rescore_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigId, _fk("projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


__all__ = [
    "ApiKey",
    "Automation",
    "AutomationExecution",
    "Base",
    "BigId",
    "EmailVerification",
    "Event",
    "FailedJob",
    "ImportJob",
    "ImportRejection",
    "InboundReceipt",
    "InboundSource",
    "Lead",
    "LeadJob",
    "OutboxEntry",
    "Project",
    "RescoreJob",
    "ScoreHistory",
    "ScoringRule",
    "StageThreshold",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
]
