"""FastAPI dependencies shared by routes: the container, and the caller resolved to one project.

Every project-scoped query takes ``caller.project_id``; nothing reads a project id from the
URL without checking it against the caller (another project's resource answers 404). How a
credential becomes a caller is ``auth.callers``; this module only says which credentials an
endpoint accepts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from leadpulse.api.schemas import MAX_BIGINT
from leadpulse.auth.callers import Caller, caller_from_bearer, caller_from_key
from leadpulse.container import Container
from leadpulse.errors import FieldError, Forbidden, InvalidInput, Unauthorized


def get_container(request: Request) -> Container:
    """Return the process container stored on the app."""
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


# Every integer of a path or query string is bounded: a value the database cannot bind
# (a BIGINT holds up to 2⁶³−1) is a 422 naming it, never a driver overflow. A new route uses
# these aliases; tests/unit/security/test_openapi_bounds.py fails on an unbounded integer.
Id = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="An id, 1 … 2⁶³−1")]


def id_query(alias: str) -> Any:
    """A bounded optional id in the query string, named ``alias`` on the wire."""
    return Query(alias=alias, ge=1, le=MAX_BIGINT, description="An id, 1 … 2⁶³−1")


def refuse_nul_characters(request: Request) -> None:
    """Refuse a NUL character in a path or query parameter (PostgreSQL text holds none).

    Installed once on the app, for every route; bodies are checked by ``StrictInput``.
    """
    params = [("path", k, v) for k, v in request.path_params.items()]
    params += [("query", k, v) for k, v in request.query_params.multi_items()]
    errors = [
        FieldError(f"{where}.{name}", "must not contain a NUL character (\\u0000)", "unsafe_value")
        for where, name, value in params
        if "\x00" in f"{name}{value}"
    ]
    if errors:
        raise InvalidInput("Parameters must not contain NUL characters.", errors)


# Paging of list endpoints: ``?limit=&offset=``.
PageLimit = Annotated[int, Query(ge=1, le=200, description="Page size, 1–200")]
PageOffset = Annotated[int, Query(ge=0, le=MAX_BIGINT)]

UserDep = Annotated[Caller, Depends(require_user)]
ServerDep = Annotated[Caller, Depends(require_server)]
IngestDep = Annotated[Caller, Depends(require_ingest)]
