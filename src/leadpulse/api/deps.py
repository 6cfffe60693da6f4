"""FastAPI dependencies shared by routes: the container, and the caller resolved to one project.

Every project-scoped query takes ``caller.project_id``; nothing reads a project id from the
URL without checking it against the caller (another project's resource answers 404). How a
credential becomes a caller is ``auth.callers``; this module only says which credentials an
endpoint accepts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from leadpulse.auth.callers import Caller, caller_from_bearer, caller_from_key
from leadpulse.container import Container
from leadpulse.errors import Forbidden, Unauthorized


async def get_container(request: Request) -> Container:
    """Return the process container stored on the app.

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, which
    cost every request a thread hop (measured on the ingest hot path, bench/README.md)."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
_bearer = HTTPBearer(auto_error=False, description="JWT from /api/auth/login, or an sk_ key")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="pk_ or sk_ key")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ApiKeyDep = Annotated[str | None, Depends(_api_key)]


async def optional_caller(
    container: ContainerDep, bearer: BearerDep, api_key: ApiKeyDep
) -> Caller | None:
    """Resolve whichever credential was sent, or None when none was."""
    if bearer is None and not api_key:
        return None
    async with container.db.sessions() as session:
        if bearer is not None:
            return await caller_from_bearer(session, bearer.credentials, container.settings)
        assert api_key is not None
        return await caller_from_key(session, api_key)


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]


async def require_user(caller: OptionalCallerDep) -> Caller:
    """Require a signed-in user (JWT)."""
    if caller is None:
        raise Unauthorized("Sign in: send Authorization: Bearer <token>.")
    if caller.via != "jwt":
        raise Forbidden("This endpoint needs a user token, not an API key.")
    return caller


async def require_server(caller: OptionalCallerDep) -> Caller:
    """Require a user token or a secret key (full API access)."""
    if caller is None:
        raise Unauthorized("Send Authorization: Bearer <token or sk_ key> or X-API-Key.")
    if caller.via == "publishable":
        raise Forbidden("A publishable key can only ingest events.")
    return caller


async def require_ingest(caller: OptionalCallerDep) -> Caller:
    """Require any credential able to ingest (JWT, secret or publishable key)."""
    if caller is None:
        raise Unauthorized("Send an API key in X-API-Key (or Authorization: Bearer).")
    return caller


# Paging of list endpoints: ``?limit=&offset=``.
PageLimit = Annotated[int, Query(ge=1, le=200, description="Page size, 1–200")]
PageOffset = Annotated[int, Query(ge=0)]

UserDep = Annotated[Caller, Depends(require_user)]
ServerDep = Annotated[Caller, Depends(require_server)]
IngestDep = Annotated[Caller, Depends(require_ingest)]
