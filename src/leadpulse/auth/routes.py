"""``/api/auth``: sign-up, sign-in, Google, e-mail verification, current user and project, keys."""

from __future__ import annotations

from fastapi import APIRouter, status

from leadpulse.api.deps import ContainerDep, UserDep
from leadpulse.auth import schemas, service
from leadpulse.errors import Unavailable
from leadpulse.projects import service as projects_service
from leadpulse.projects.routes import project_out

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _session_out(s: service.Session) -> schemas.AuthOut:
    return schemas.AuthOut(
        token=s.token,
        user=schemas.UserOut.model_validate(s.user),
        project=schemas.ProjectBrief.model_validate(s.project),
    )


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=schemas.AuthOut)
async def register(body: schemas.RegisterIn, c: ContainerDep) -> schemas.AuthOut:
    """Create an account, its first project (default rules, a pk_ key) and a token."""
    s = await service.register(
        c.db,
        c.settings,
        email=body.email,
        password=body.password,
        name=body.name,
        company=body.company,
    )
    return _session_out(s)


@router.post("/login", response_model=schemas.AuthOut)
async def login(body: schemas.LoginIn, c: ContainerDep) -> schemas.AuthOut:
    """Exchange e-mail and password for a 7-day token."""
    return _session_out(
        await service.login(c.db, c.settings, email=body.email, password=body.password)
    )


@router.post("/google", response_model=schemas.AuthOut)
async def google(body: schemas.GoogleIn, c: ContainerDep) -> schemas.AuthOut:
    """Sign in (or up) with a Google ID token."""
    if c.google is None:
        raise Unavailable("Google sign-in is not configured (LEADPULSE_GOOGLE_CLIENT_ID).")
    identity = await c.google.verify(body.id_token)
    return _session_out(await service.google_sign_in(c.db, c.settings, identity))


@router.post("/verify-email", response_model=schemas.UserOut)
async def verify_email(body: schemas.VerifyEmailIn, c: ContainerDep) -> schemas.UserOut:
    """Confirm an e-mail address with the token sent at sign-up."""
    return schemas.UserOut.model_validate(await service.verify_email(c.db, token=body.token))


@router.get("/me", response_model=schemas.UserOut)
async def me(caller: UserDep, c: ContainerDep) -> schemas.UserOut:
    """Return the signed-in user."""
    assert caller.user_id is not None
    return schemas.UserOut.model_validate(await service.get_user(c.db, user_id=caller.user_id))


@router.get("/project", response_model=schemas.ProjectOut)
async def current_project(caller: UserDep, c: ContainerDep) -> schemas.ProjectOut:
    """Return the project the token acts in, with its publishable key."""
    assert caller.user_id is not None
    return await project_out(c, project_id=caller.project_id, owner_id=caller.user_id)


@router.post(
    "/generate-api-key", status_code=status.HTTP_201_CREATED, response_model=schemas.KeyOut
)
async def generate_api_key(
    caller: UserDep, c: ContainerDep, body: schemas.GenerateKeyIn | None = None
) -> schemas.KeyOut:
    """Create an additional key; a secret key is returned this once only."""
    kind = body.type if body else "publishable"
    async with c.db.transaction() as session:
        key = await projects_service.add_key(session, project_id=caller.project_id, kind=kind)
    return schemas.KeyOut(type=kind, api_key=key.plain, prefix=key.prefix)
