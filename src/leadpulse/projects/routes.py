"""Project endpoints: ``/api/projects`` (list, create, update, switch; list, revoke and rotate
keys) and the current project and key generation of ``/api/auth``."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.api.deps import ContainerDep, Id, PageLimit, PageOffset, UserDep
from leadpulse.api.schemas import Page
from leadpulse.auth import service as auth_service
from leadpulse.auth.security import key_cache
from leadpulse.projects import schemas, service

router = APIRouter(prefix="/api/projects", tags=["projects"])
# The current project and key generation sit under /api/auth, where clients have always found
# them; they are project endpoints all the same.
current_router = APIRouter(prefix="/api/auth", tags=["auth"])


async def project_out(
    session: AsyncSession, *, project_id: int, owner_id: int
) -> schemas.ProjectOut:
    """Load an owned project as its response body (with its publishable key)."""
    project = await service.get_owned(session, project_id=project_id, owner_id=owner_id)
    key = await service.publishable_key(session, project_id=project_id)
    out = schemas.ProjectOut.model_validate(project)
    return out.model_copy(update={"publishable_key": key})


def _owner(caller: UserDep) -> int:
    assert caller.user_id is not None
    return caller.user_id


@current_router.get("/project", response_model=schemas.ProjectOut)
async def current_project(caller: UserDep, c: ContainerDep) -> schemas.ProjectOut:
    """Return the project the token acts in, with its publishable key."""
    async with c.db.sessions() as session:
        return await project_out(session, project_id=caller.project_id, owner_id=_owner(caller))


@current_router.post(
    "/generate-api-key", status_code=status.HTTP_201_CREATED, response_model=schemas.KeyOut
)
async def generate_api_key(
    caller: UserDep, c: ContainerDep, body: schemas.GenerateKeyIn | None = None
) -> schemas.KeyOut:
    """Create an additional key; a secret key is returned this once only."""
    kind = body.type if body else "publishable"
    async with c.db.transaction() as session:
        key = await service.add_key(session, project_id=caller.project_id, kind=kind)
    return schemas.KeyOut(type=kind, api_key=key.plain, prefix=key.prefix)


@router.get("", response_model=list[schemas.ProjectOut])
async def list_projects(caller: UserDep, c: ContainerDep) -> list[schemas.ProjectOut]:
    """List the projects the user owns."""
    async with c.db.sessions() as session:
        projects = await service.list_owned(session, owner_id=_owner(caller))
        return [
            await project_out(session, project_id=p.id, owner_id=_owner(caller)) for p in projects
        ]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.ProjectOut)
async def create_project(
    body: schemas.ProjectCreate, caller: UserDep, c: ContainerDep
) -> schemas.ProjectOut:
    """Create another project (default rules, thresholds and a publishable key)."""
    async with c.db.transaction() as session:
        project, _ = await service.create_project(
            session, owner_id=_owner(caller), name=body.name, domain=body.domain
        )
        return await project_out(session, project_id=project.id, owner_id=_owner(caller))


@router.patch("/{project_id}", response_model=schemas.ProjectOut)
async def update_project(
    project_id: Id, body: schemas.ProjectUpdate, caller: UserDep, c: ContainerDep
) -> schemas.ProjectOut:
    """Change a project's name, domain, allowed origins or decay settings."""
    async with c.db.transaction() as session:
        await service.update_project(
            session,
            project_id=project_id,
            owner_id=_owner(caller),
            changes=body.model_dump(exclude_unset=True),
        )
        return await project_out(session, project_id=project_id, owner_id=_owner(caller))


@router.post("/{project_id}/switch", response_model=schemas.TokenOut)
async def switch_project(project_id: Id, caller: UserDep, c: ContainerDep) -> schemas.TokenOut:
    """Issue a token that acts in another of the user's projects."""
    async with c.db.sessions() as session:
        token = await auth_service.switch_project(
            session, c.settings, user_id=_owner(caller), project_id=project_id
        )
    return schemas.TokenOut(token=token)


@router.post(
    "/{project_id}/rotate-key", status_code=status.HTTP_201_CREATED, response_model=schemas.KeyOut
)
async def rotate_key(
    project_id: Id, caller: UserDep, c: ContainerDep, body: schemas.RotateKeyIn | None = None
) -> schemas.KeyOut:
    """Revoke the project's keys of one kind at once and return the replacement."""
    kind = body.type if body else "publishable"
    async with c.db.transaction() as session:
        await service.get_owned(session, project_id=project_id, owner_id=_owner(caller))
        key = await service.rotate_key(session, project_id=project_id, kind=kind)
    key_cache.clear()  # after the commit: a lookup racing it must not re-cache the old key
    return schemas.KeyOut(type=kind, api_key=key.plain, prefix=key.prefix)


@router.get("/{project_id}/keys", response_model=Page[schemas.KeyInfo])
async def list_keys(
    project_id: Id,
    caller: UserDep,
    c: ContainerDep,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[schemas.KeyInfo]:
    """List the project's keys, newest first: prefix, type, created, last used (to about a
    minute) and revoked dates. Never a secret."""
    async with c.db.sessions() as session:
        await service.get_owned(session, project_id=project_id, owner_id=_owner(caller))
        keys, total = await service.list_keys(
            session, project_id=project_id, limit=limit, offset=offset
        )
    items = [schemas.KeyInfo.model_validate(key) for key in keys]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.delete("/{project_id}/keys/{key_id}", response_model=schemas.KeyInfo)
async def revoke_key(
    project_id: Id, key_id: Id, caller: UserDep, c: ContainerDep
) -> schemas.KeyInfo:
    """Revoke one key at once; it stays listed with its revocation date."""
    async with c.db.transaction() as session:
        await service.get_owned(session, project_id=project_id, owner_id=_owner(caller))
        key = await service.revoke_key(session, project_id=project_id, key_id=key_id)
        out = schemas.KeyInfo.model_validate(key)
    key_cache.clear()  # after the commit, as in rotate_key
    return out
