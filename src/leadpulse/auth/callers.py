"""Who is calling: a JWT or an API key resolved to the one project every query is scoped to.

Used by the API's dependencies (``api.deps``), by the SDK ingest routes (the key may come in
the body) and by the Socket.IO handshake (``live.server`` calls ``caller_from_jwt``, which
refuses revoked tokens). Per-request lookups go through ``security.key_cache`` and
``security.token_cache``, so an authenticated HTTP request pays one query per credential per
cache lifetime (2 s), not one per request. A revocation clears both caches in the process that
made it (``security.forget_credentials`` after the commit); other processes follow within the
cache lifetime, which bounds how long a revoked key or token still works there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.auth.security import decode_token, key_cache, token_cache
from leadpulse.auth.usage import key_usage
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
    if caller.key_id is not None:
        key_usage.note(session.bind, digest, caller.key_id)
    return caller


async def _token_version(session: AsyncSession, user_id: int, project_id: int) -> int | None:
    """Return the user's token version if they own the project, else None."""
    version: int | None = await session.scalar(
        select(User.token_version)
        .join(Project, Project.owner_id == User.id)
        .where(Project.id == project_id, User.id == user_id)
    )
    return version


async def caller_from_jwt(
    session: AsyncSession, token: str, *, secret: str, cached: bool = False
) -> Caller:
    """Resolve a JWT to its user and project.

    Unauthorized when the token is forged or expired, when the user no longer owns the
    project, or when it was revoked: its version is not the user's current one (signed out
    everywhere, password changed, account taken over through Google sign-in).

    ``cached`` (per-request HTTP authentication, ``caller_from_bearer``) reuses a lookup for
    up to 2 s; without it ``session`` is queried. The Socket.IO handshake calls this uncached:
    it runs once per connection and opens a long-lived feed, so it sees a revocation at once
    in every process.
    """
    claims = decode_token(token, secret=secret)
    ident = (claims.user_id, claims.project_id)
    cache = token_cache.of(session.bind if cached else None)
    hit, found = cache.get(ident)
    version = found if isinstance(found, int) else None
    if not hit:
        version = await _token_version(session, *ident)
        cache.put(ident, version)
    if version is None:
        raise Unauthorized("The token's user or project no longer exists.")
    if claims.token_version != version:
        raise Unauthorized("The token has been revoked; sign in again.")
    return Caller(project_id=claims.project_id, via="jwt", user_id=claims.user_id)


async def caller_from_bearer(session: AsyncSession, token: str, settings: Settings) -> Caller:
    """Resolve an ``Authorization: Bearer`` value: an API key by its prefix, else a JWT."""
    if key_kind(token) is not None:
        return await caller_from_key(session, token)
    return await caller_from_jwt(session, token, secret=settings.secret_key(), cached=True)
