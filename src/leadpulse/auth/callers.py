"""Who is calling: a JWT or an API key resolved to the one project every query is scoped to.

Used by the API's dependencies (``api.deps``), by the SDK ingest routes (the key may come in
the body) and by the Socket.IO handshake. Key lookups go through ``security.key_cache``, so
ingest pays one query per key per cache lifetime, not one per request; a project's keys
rotating clears it in this process (``projects.routes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.auth.security import decode_token, key_cache
from leadpulse.config import Settings
from leadpulse.errors import Forbidden, Unauthorized
from leadpulse.projects.keys import KeyKind, key_digest, key_kind
from leadpulse.store.models import ApiKey, Project, User

Via = Literal["jwt", "secret", "publishable"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, and the one project every query is scoped to."""

    project_id: int
    via: Via
    user_id: int | None = None
    key_id: int | None = None
    allowed_origins: tuple[str, ...] | None = None
    rate_ip: int | None = None
    rate_key: int | None = None


async def _lookup_key(session: AsyncSession, digest: str, kind: KeyKind) -> Caller | None:
    row = (
        await session.execute(
            select(
                ApiKey.id,
                ApiKey.project_id,
                ApiKey.revoked_at,
                Project.active,
                Project.allowed_origins,
                Project.rate_limit_ip_per_minute,
                Project.rate_limit_key_per_minute,
            )
            .join(Project, Project.id == ApiKey.project_id)
            .where(ApiKey.key_hash == digest)
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if not row.active:
        raise Forbidden("The project of this API key is inactive.")
    origins = row.allowed_origins
    return Caller(
        project_id=row.project_id,
        via=kind,
        key_id=row.id,
        allowed_origins=tuple(origins) if isinstance(origins, list) and origins else None,
        rate_ip=row.rate_limit_ip_per_minute,
        rate_key=row.rate_limit_key_per_minute,
    )


async def caller_from_key(session: AsyncSession, plain: str) -> Caller:
    """Resolve an API key to its project; Unauthorized if unknown or revoked, Forbidden if
    the project is inactive. Only a cache miss queries ``session``."""
    kind = key_kind(plain)
    if kind is None:
        raise Unauthorized("The API key is not a LeadPulse key (pk_… or sk_…).")
    digest = key_digest(plain)
    hit, cached = key_cache.get(digest)
    caller = cached if isinstance(cached, Caller) else None
    if not hit:
        caller = await _lookup_key(session, digest, kind)
        key_cache.put(digest, caller)
    if caller is None:
        raise Unauthorized("The API key is unknown or has been revoked.")
    return caller


async def caller_from_jwt(session: AsyncSession, token: str, *, secret: str) -> Caller:
    """Resolve a JWT to its user and project; the user must still own the project."""
    claims = decode_token(token, secret=secret)
    owned = await session.scalar(
        select(Project.id)
        .join(User, User.id == Project.owner_id)
        .where(Project.id == claims.project_id, User.id == claims.user_id)
    )
    if owned is None:
        raise Unauthorized("The token's user or project no longer exists.")
    return Caller(project_id=claims.project_id, via="jwt", user_id=claims.user_id)


async def caller_from_bearer(session: AsyncSession, token: str, settings: Settings) -> Caller:
    """Resolve an ``Authorization: Bearer`` value: an API key by its prefix, else a JWT."""
    if key_kind(token) is not None:
        return await caller_from_key(session, token)
    return await caller_from_jwt(session, token, secret=settings.secret_key())
