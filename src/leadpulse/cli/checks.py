"""The checks of ``leadpulse doctor``: each looks at one component and says what it found.

A check never changes anything: no database file is created, no migration runs, no mail is
sent, and no request leaves for a webhook target. The only connections made are to what
the configuration names (the database, Redis, the SMTP host).

Statuses: ``ok``; ``not configured`` (an optional component that is off: Redis in embedded
mode, SMTP); ``skipped`` (a check that needs a component that failed); ``warning`` (works,
but worth a look); ``problem`` (the only status that makes the command fail).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from leadpulse.config import Settings
    from leadpulse.store.db import Database

T = TypeVar("T")
OK, NOT_CONFIGURED, SKIPPED, WARNING, PROBLEM = (
    "ok",
    "not configured",
    "skipped",
    "warning",
    "problem",
)
TIMEOUT = 5.0
HEARTBEAT_FRESH = timedelta(seconds=30)
SQLITE_PREFIX = "sqlite+aiosqlite:///"
# Literal addresses (no DNS, no request) that the SSRF guard must refuse.
DATABASE_CHECKS = ("migrations", "worker")
REFUSED_TARGETS = ("http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/")


@dataclass(frozen=True, slots=True)
class Check:
    """What one check found."""

    name: str
    status: str
    detail: str


async def bounded(work: Awaitable[T]) -> T:
    """Await ``work`` for at most ``TIMEOUT`` seconds."""
    return await asyncio.wait_for(work, TIMEOUT)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT:.0f} s"
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def configuration(settings: Settings) -> Check:
    """Describe the mode and database the settings select (validated on loading)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    mode = "embedded" if settings.is_sqlite else "production stack"
    return Check("configuration", OK, f"env {settings.env}, {mode}; database {url}")


def sqlite_file(settings: Settings) -> Path | None:
    """The embedded database file, or None on PostgreSQL."""
    url = settings.resolved_database_url
    return Path(url.removeprefix(SQLITE_PREFIX)) if url.startswith(SQLITE_PREFIX) else None


async def database(settings: Settings, db: Database) -> Check:
    """Connect and run one query."""
    path = sqlite_file(settings)
    if path is not None and not path.is_file():
        return Check(
            "database",
            WARNING,
            f"no database at {path} yet: `leadpulse serve` or `leadpulse db upgrade` creates it",
        )
    try:
        await bounded(db.ping())
    except Exception as exc:  # any driver error: report it
        return Check("database", PROBLEM, f"{db.dialect}: {_reason(exc)}")
    return Check("database", OK, f"{db.dialect} answers")


async def migrations(db: Database) -> Check:
    """Compare the database's revision with the newest this version ships."""
    from alembic.script import ScriptDirectory

    from leadpulse.store import migrate

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    head = scripts.get_current_head()
    try:
        current = await bounded(migrate.current_revision(db))
    except Exception as exc:  # the database check reports the cause
        return Check("migrations", PROBLEM, _reason(exc))
    if current == head:
        return Check("migrations", OK, f"at head ({head})")
    known = {script.revision for script in scripts.walk_revisions()}
    if current is None:
        found = "not migrated"
    elif current in known:
        found = f"at {current}, behind head {head}"
    else:
        found = f"at {current}, which this version does not know (newer than {head}?)"
    return Check("migrations", PROBLEM, f"{found}: run `leadpulse db upgrade`")


async def redis(settings: Settings) -> Check:
    """Ping the configured Redis."""
    if not settings.redis_url:
        return Check("redis", NOT_CONFIGURED, "in-process wake-ups, limits and live fan-out")
    import redis.asyncio as aioredis

    client = aioredis.from_url(
        settings.redis_url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
    )
    try:
        await bounded(client.ping())
    except Exception as exc:  # refused, timeout, auth: all problems
        return Check("redis", PROBLEM, _reason(exc))
    finally:
        await client.aclose()
    return Check("redis", OK, "answers PING")


async def worker(db: Database, *, required: bool) -> Check:
    """Look for a worker heartbeat of the last 30 seconds."""
    from sqlalchemy import func, select

    from leadpulse.store.models import WorkerHeartbeat
    from leadpulse.store.types import utcnow

    now = utcnow()
    fresh = WorkerHeartbeat.last_seen_at > now - HEARTBEAT_FRESH
    try:
        async with db.sessions() as session:
            count = await bounded(session.scalar(select(func.count()).where(fresh)))
    except Exception as exc:  # the database checks report the cause
        return Check("worker", PROBLEM, _reason(exc))
    if count:
        return Check("worker", OK, f"{count} worker(s) seen in the last 30 s")
    detail = "no worker heartbeat in the last 30 s: start `leadpulse worker` (or `serve`)"
    return Check("worker", PROBLEM if required else WARNING, detail)


async def mail(settings: Settings) -> Check:
    """Open an SMTP session with the configured host (EHLO, STARTTLS and login as set)."""
    if not settings.smtp_host:
        return Check("mail", NOT_CONFIGURED, "e-mails are written to the log")
    import aiosmtplib

    where = f"{settings.smtp_host}:{settings.smtp_port}"
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=TIMEOUT,
        start_tls=settings.smtp_starttls,
    )
    try:
        await client.connect()
        if settings.smtp_username:
            await client.login(settings.smtp_username, settings.smtp_password or "")
        await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Check("mail", PROBLEM, f"SMTP {where}: {_reason(exc)}")
    return Check("mail", OK, f"SMTP {where} accepts a session")


async def webhooks(settings: Settings) -> Check:
    """Check the SSRF policy on literal addresses and that host names resolve (no request)."""
    from leadpulse.webhooks import ssrf

    if settings.webhooks_allow_private:
        status = WARNING if settings.env == "production" else OK
        return Check("webhooks", status, "private and loopback targets are allowed")
    for url in REFUSED_TARGETS:
        try:
            await ssrf.check_url(url, allow_private=False)
        except ssrf.TargetRefused:
            continue
        return Check("webhooks", PROBLEM, f"the SSRF guard lets {url} through")
    try:
        await bounded(ssrf.resolve("localhost", 80))
    except (OSError, TimeoutError) as exc:
        return Check("webhooks", WARNING, f"host names do not resolve: {_reason(exc)}")
    return Check("webhooks", OK, "private, loopback and metadata targets refused; DNS answers")


async def run_all(settings: Settings, *, require_worker: bool) -> list[Check]:
    """Run every check in order; those needing the database are skipped when it fails."""
    from leadpulse.store.db import Database

    found = [configuration(settings)]
    db = Database(settings.resolved_database_url, pool_size=1)
    try:
        found.append(await database(settings, db))
        if found[-1].status == OK:
            found += [await migrations(db), await worker(db, required=require_worker)]
        else:
            found += [
                Check(name, SKIPPED, "needs the database") for name in ("migrations", "worker")
            ]
        found += [await redis(settings), await mail(settings), await webhooks(settings)]
    finally:
        await db.dispose()
    return found
