"""Dependencies shared by routes: the container, and the caller resolved to one project.

Every project-scoped query takes ``caller.project_id``; nothing reads a project id from the
URL without checking it against the caller (another project's resource answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from leadpulse.auth.security import decode_token, key_cache, key_kind, sha256_hex
from leadpulse.bootstrap import Container
from leadpulse.errors import Forbidden, Unauthorized
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


def get_container(request: Request) -> Container:
    """Return the process container stored on the app."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
_bearer = HTTPBearer(auto_error=False, description="JWT from /api/auth/login, or an sk_ key")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="pk_ or sk_ key")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ApiKeyDep = Annotated[str | None, Depends(_api_key)]


async def _lookup_key(container: Container, digest: str, kind: Via) -> Caller | None:
    async with container.db.sessions() as session:
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


async def caller_from_key(container: Container, plain: str) -> Caller:
    """Resolve an API key to its project; 401 if unknown or revoked, 403 if inactive."""
    kind = key_kind(plain)
    if kind is None:
        raise Unauthorized("The API key is not a LeadPulse key (pk_… or sk_…).")
    digest = sha256_hex(plain)
    hit, cached = key_cache.get(digest)
    caller = cached if isinstance(cached, Caller) else None
    if not hit:
        caller = await _lookup_key(container, digest, kind)
        key_cache.put(digest, caller)
    if caller is None:
        raise Unauthorized("The API key is unknown or has been revoked.")
    return caller


async def caller_from_jwt(container: Container, token: str) -> Caller:
    """Resolve a JWT to its user and project; the user must still own the project."""
    claims = decode_token(token, secret=container.settings.secret_key())
    async with container.db.sessions() as session:
        row = (
            await session.execute(
                select(Project.id, Project.active)
                .join(User, User.id == Project.owner_id)
                .where(Project.id == claims.project_id, User.id == claims.user_id)
            )
        ).one_or_none()
    if row is None:
        raise Unauthorized("The token's user or project no longer exists.")
    return Caller(project_id=claims.project_id, via="jwt", user_id=claims.user_id)


async def optional_caller(
    container: ContainerDep, bearer: BearerDep, api_key: ApiKeyDep
) -> Caller | None:
    """Resolve whichever credential was sent, or None when none was."""
    if bearer is not None:
        token = bearer.credentials
        if key_kind(token) is not None:
            return await caller_from_key(container, token)
        return await caller_from_jwt(container, token)
    if api_key:
        return await caller_from_key(container, api_key)
    return None


async def require_user(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """Require a signed-in user (JWT)."""
    if caller is None:
        raise Unauthorized("Sign in: send Authorization: Bearer <token>.")
    if caller.via != "jwt":
        raise Forbidden("This endpoint needs a user token, not an API key.")
    return caller


async def require_server(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """Require a user token or a secret key (full API access)."""
    if caller is None:
        raise Unauthorized("Send Authorization: Bearer <token or sk_ key> or X-API-Key.")
    if caller.via == "publishable":
        raise Forbidden("A publishable key can only ingest events.")
    return caller


async def require_ingest(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """Require any credential able to ingest (JWT, secret or publishable key)."""
    if caller is None:
        raise Unauthorized("Send an API key in X-API-Key (or Authorization: Bearer).")
    return caller


UserDep = Annotated[Caller, Depends(require_user)]
ServerDep = Annotated[Caller, Depends(require_server)]
IngestDep = Annotated[Caller, Depends(require_ingest)]
