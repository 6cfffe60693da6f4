"""``/api/projects``: list, create, update, switch, rotate keys."""

from __future__ import annotations

from fastapi import APIRouter, status

from leadpulse.api.deps import ContainerDep, UserDep
from leadpulse.auth import schemas
from leadpulse.auth import service as auth_service
from leadpulse.bootstrap import Container
from leadpulse.projects import service

router = APIRouter(prefix="/api/projects", tags=["projects"])


async def project_out(c: Container, *, project_id: int, owner_id: int) -> schemas.ProjectOut:
    """Load an owned project as its response body."""
    async with c.db.sessions() as session:
        project = await service.get_owned(session, project_id=project_id, owner_id=owner_id)
        key = await service.publishable_key(session, project_id=project_id)
    out = schemas.ProjectOut.model_validate(project)
    return out.model_copy(update={"publishable_key": key})


def _owner(caller: UserDep) -> int:
    assert caller.user_id is not None
    return caller.user_id


@router.get("", response_model=list[schemas.ProjectOut])
async def list_projects(caller: UserDep, c: ContainerDep) -> list[schemas.ProjectOut]:
    """List the projects the user owns."""
    projects = await service.list_owned(c.db, owner_id=_owner(caller))
    return [await project_out(c, project_id=p.id, owner_id=_owner(caller)) for p in projects]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.ProjectOut)
async def create_project(
    body: schemas.ProjectCreate, caller: UserDep, c: ContainerDep
) -> schemas.ProjectOut:
    """Create another project (default rules, thresholds and a publishable key)."""
    async with c.db.transaction() as session:
        project, _ = await service.create_project(
            session, owner_id=_owner(caller), name=body.name, domain=body.domain
        )
    return await project_out(c, project_id=project.id, owner_id=_owner(caller))


@router.patch("/{project_id}", response_model=schemas.ProjectOut)
async def update_project(
    project_id: int, body: schemas.ProjectUpdate, caller: UserDep, c: ContainerDep
) -> schemas.ProjectOut:
    """Change a project's name, domain, allowed origins or decay settings."""
    changes = body.model_dump(exclude_unset=True)
    async with c.db.transaction() as session:
        project = await service.get_owned(session, project_id=project_id, owner_id=_owner(caller))
        for name, value in changes.items():
            setattr(project, name, value)
    return await project_out(c, project_id=project_id, owner_id=_owner(caller))


@router.post("/{project_id}/switch", response_model=schemas.TokenOut)
async def switch_project(project_id: int, caller: UserDep, c: ContainerDep) -> schemas.TokenOut:
    """Issue a token that acts in another of the user's projects."""
    token = await auth_service.switch_project(
        c.db, c.settings, user_id=_owner(caller), project_id=project_id
    )
    return schemas.TokenOut(token=token)


@router.post(
    "/{project_id}/rotate-key", status_code=status.HTTP_201_CREATED, response_model=schemas.KeyOut
)
async def rotate_key(
    project_id: int, caller: UserDep, c: ContainerDep, body: schemas.RotateKeyIn | None = None
) -> schemas.KeyOut:
    """Revoke the project's keys of one kind at once and return the replacement."""
    async with c.db.sessions() as session:
        await service.get_owned(session, project_id=project_id, owner_id=_owner(caller))
    kind = body.type if body else "publishable"
    key = await service.rotate_key(c.db, project_id=project_id, kind=kind)
    return schemas.KeyOut(type=kind, api_key=key.plain, prefix=key.prefix)
