"""``/api/auth``: sign-up, sign-in, Google, e-mail verification, the current user.

The current project and key generation (also under ``/api/auth``) are ``projects.routes``.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from leadpulse.api.deps import ContainerDep, UserDep
from leadpulse.auth import schemas, service
from leadpulse.auth.security import hash_password
from leadpulse.errors import Unavailable
from leadpulse.projects.schemas import ProjectBrief

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _auth_out(s: service.SignedIn) -> schemas.AuthOut:
    return schemas.AuthOut(
        token=s.token,
        user=schemas.UserOut.model_validate(s.user),
        project=ProjectBrief.model_validate(s.project),
    )


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=schemas.AuthOut)
async def register(body: schemas.RegisterIn, c: ContainerDep) -> schemas.AuthOut:
    """Create an account, its first project (default rules, a pk_ key) and a token."""
    password_hash = await hash_password(body.password)  # before the transaction (see service)
    async with c.db.transaction() as session:
        registration = await service.register(
            session,
            c.settings,
            email=body.email,
            password_hash=password_hash,
            name=body.name,
            company=body.company,
        )
    await service.welcome(c.settings, registration)  # after the commit
    return _auth_out(registration.signed_in)


@router.post("/login", response_model=schemas.AuthOut)
async def login(body: schemas.LoginIn, c: ContainerDep) -> schemas.AuthOut:
    """Exchange e-mail and password for a 7-day token."""
    async with c.db.sessions() as session:
        found = await service.find_user(session, email=body.email)
    user = await service.check_password(found, body.password)  # outside any transaction
    async with c.db.transaction() as session:
        return _auth_out(await service.sign_in(session, c.settings, user=user))


@router.post("/google", response_model=schemas.AuthOut)
async def google(body: schemas.GoogleIn, c: ContainerDep) -> schemas.AuthOut:
    """Sign in (or up) with a Google ID token."""
    if c.google is None:
        raise Unavailable("Google sign-in is not configured (LEADPULSE_GOOGLE_CLIENT_ID).")
    identity = await c.google.verify(body.id_token)
    async with c.db.transaction() as session:
        return _auth_out(await service.google_sign_in(session, c.settings, identity))


@router.post("/verify-email", response_model=schemas.UserOut)
async def verify_email(body: schemas.VerifyEmailIn, c: ContainerDep) -> schemas.UserOut:
    """Confirm an e-mail address with the token sent at sign-up."""
    async with c.db.transaction() as session:
        user = await service.verify_email(session, token=body.token)
        return schemas.UserOut.model_validate(user)


@router.get("/me", response_model=schemas.UserOut)
async def me(caller: UserDep, c: ContainerDep) -> schemas.UserOut:
    """Return the signed-in user."""
    assert caller.user_id is not None
    async with c.db.sessions() as session:
        user = await service.get_user(session, user_id=caller.user_id)
        return schemas.UserOut.model_validate(user)
