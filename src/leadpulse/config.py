"""The one Settings object: the only reader of the environment.

Every knob is an environment variable prefixed ``LEADPULSE_`` (or a line in ``.env``).
Embedded mode (the default) needs none of them: SQLite under ``data_dir``, in-process queue,
rate limits and live fan-out, and a JWT secret generated once and kept in the data dir.
Production mode (``LEADPULSE_ENV=production``) refuses to start on insecure values.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_JWT_SECRET = "change-me"  # noqa: S105 - the placeholder production refuses
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Validated configuration of one LeadPulse process."""

    model_config = SettingsConfigDict(
        env_prefix="LEADPULSE_", env_file=".env", extra="ignore", frozen=False
    )

    env: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=4000, ge=1, le=65535)
    worker_health_port: int = Field(default=5000, ge=0, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    jwt_secret: str | None = None
    jwt_expiry_days: int = Field(default=7, ge=1, le=90)
    cors_origins: list[str] = ["http://localhost:4000", "http://localhost:5173"]
    log_level: str = "INFO"
    log_json: bool = True
    public_url: str = "http://localhost:4000"

    google_client_id: str | None = None
    google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    email_verification_hours: int = Field(default=48, ge=1)

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "LeadPulse <no-reply@localhost>"
    smtp_starttls: bool = False

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_event_bytes: int = Field(default=32_768, ge=256)
    max_batch_events: int = Field(default=500, ge=1)
    max_properties_depth: int = Field(default=5, ge=1)
    max_properties_keys: int = Field(default=100, ge=1)
    future_skew_seconds: int = Field(default=300, ge=0)

    # The master switch of every rate limit: ingest budgets and the sign-in/sign-up throttle.
    rate_limit_enabled: bool = True
    rate_limit_ip_per_minute: int = Field(default=200, ge=1)
    rate_limit_key_per_minute: int = Field(default=6000, ge=1)

    # Sign-in and sign-up throttle (``auth.throttle``): attempts counted per window, then a
    # lockout answered 429 with Retry-After.
    login_max_attempts: int = Field(default=5, ge=1, le=1000)  # per account, reset on success
    login_ip_max_attempts: int = Field(default=30, ge=1, le=100_000)  # per client IP
    register_ip_max_attempts: int = Field(default=10, ge=1, le=100_000)  # per client IP
    login_window_minutes: int = Field(default=15, ge=1, le=1440)
    login_lockout_minutes: int = Field(default=15, ge=1, le=1440)

    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed: IPs or networks, comma
    # separated or a JSON list; empty (the default) trusts nobody, "*" trusts every peer.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Bearer token that /metrics (API and worker) requires; unset: open, except on the API
    # in production, which then refuses scrapes (obs.metrics_allowed).
    metrics_token: str | None = None

    worker_concurrency: int = Field(default=4, ge=1, le=256)
    worker_claim_batch: int = Field(default=20, ge=1, le=1000)
    worker_lease_seconds: int = Field(default=60, ge=5)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    job_max_attempts: int = Field(default=5, ge=1)
    job_backoff_base_seconds: float = Field(default=1.0, gt=0)
    job_backoff_cap_seconds: float = Field(default=300.0, gt=0)

    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    # Live updates: the Redis pub/sub channel shared by the API and worker processes.
    live_channel: str = Field(default="leadpulse-socketio", min_length=1, max_length=128)
    # Frames are batched per window (live.batching): at most one leadUpdated per lead per
    # window, at most ``live_batch_cap`` frames of each other type per project (the latest).
    # 0 sends every frame as it comes.
    live_batch_ms: int = Field(default=100, ge=0, le=5000)
    live_batch_cap: int = Field(default=50, ge=1, le=10_000)
    # Connected sockets re-validate their token this often (live.guard): an expired, revoked
    # or orphaned token is disconnected within one interval.
    live_auth_check_seconds: float = Field(default=5.0, gt=0, le=3600)

    # Automations and webhook deliveries: attempts before a row is marked failed for good
    # (retries back off 30 s, 2 min, 10 min, 1 h, 4 h, 12 h, then daily).
    automation_max_attempts: int = Field(default=5, ge=1, le=20)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    # The outbox (queue.outbox): rows claimed per batch, attempts in flight per drain, and
    # attempts at expanding one entry before it is marked failed.
    outbox_claim_batch: int = Field(default=100, ge=1, le=1000)
    outbox_concurrency: int = Field(default=10, ge=1, le=500)
    outbox_max_attempts: int = Field(default=5, ge=1, le=20)
    # Historical imports (``leadpulse import``, ``POST /api/imports``): the largest upload
    # kept under ``data_dir/imports``, rows per committed batch, and the lease a worker holds
    # on a running import (an expired lease lets another worker resume it).
    import_max_upload_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    import_batch_rows: int = Field(default=500, ge=1, le=2000)
    import_lease_seconds: int = Field(default=60, ge=5)
    # Inbound webhooks (``POST /api/inbound/{sourceId}``): the largest body accepted.
    inbound_max_body_bytes: int = Field(default=262_144, ge=256)
    # Fault injection for the crash tests only (refused in production).
    test_crash_point: Literal["after_scoring_commit"] | None = None

    # Dashboard: the built web app served at / (default: the build inside the installed
    # package, else web/dist of the source checkout).
    dashboard_dir: Path | None = None

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("a wildcard origin cannot be combined with credentials")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError as exc:
                    raise ValueError(f"{entry!r} is neither an IP address nor a network") from exc
        return value

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.env != "production":
            return self
        if self.test_crash_point is not None:
            raise ValueError("LEADPULSE_TEST_CRASH_POINT is for tests; unset it in production")
        if not self.jwt_secret or self.jwt_secret == DEFAULT_JWT_SECRET:
            raise ValueError("LEADPULSE_JWT_SECRET must be set in production")
        if len(self.jwt_secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"LEADPULSE_JWT_SECRET must have ≥ {MIN_SECRET_LENGTH} characters")
        if self.resolved_database_url.startswith("sqlite"):
            raise ValueError("production needs PostgreSQL: set LEADPULSE_DATABASE_URL")
        return self

    @property
    def resolved_database_url(self) -> str:
        """Return the async SQLAlchemy URL, defaulting to SQLite in the data dir."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'leadpulse.db'}"
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
        if url.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + url.split("://", 1)[1]
        return url

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the database is SQLite (embedded)."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def forwarded_allow_ips(self) -> str | None:
        """Return uvicorn's ``forwarded_allow_ips``: None when no proxy is trusted."""
        return ",".join(self.trusted_proxies) if self.trusted_proxies else None

    def secret_key(self) -> str:
        """Return the JWT secret, creating and persisting one in the data dir if unset."""
        if self.jwt_secret:
            return self.jwt_secret
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            _publish_secret(path, secrets.token_urlsafe(48))
        secret = path.read_text().strip()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"{path} holds no usable secret; delete it to generate a new one")
        self.jwt_secret = secret
        return secret


def _publish_secret(path: Path, secret: str) -> None:
    """Write ``secret`` to ``path`` (mode 0600) unless another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secret)
    try:
        os.link(staging, path)  # atomic, and fails if the file exists: first writer wins
    except FileExistsError:
        pass
    finally:
        staging.unlink()
