"""``/api/auth``: sign-up, sign-in, Google, e-mail verification, the current user, password
change and "sign out everywhere".

The current project and key generation (also under ``/api/auth``) are ``projects.routes``.

Sign-in and sign-up are throttled per account and per client IP (``auth.throttle``) before
any password is hashed. Sign-up answers 409 for an address that already has an account: the
form must be able to tell a returning user to sign in instead, and the alternative (always
201 plus an e-mail to the owner) needs SMTP, which embedded installs often lack. What the
409 reveals is kept from scale by the per-IP sign-up budget, as strict as sign-in's.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from leadpulse.api.deps import ContainerDep, UserDep
from leadpulse.auth import schemas, service
from leadpulse.auth.security import forget_credentials, hash_password
from leadpulse.auth.throttle import AuthThrottle
from leadpulse.container import Container
from leadpulse.errors import InvalidInput, Unauthorized, Unavailable
from leadpulse.projects.schemas import ProjectBrief

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _auth_out(s: service.SignedIn) -> schemas.AuthOut:
    return schemas.AuthOut(
        token=s.token,
        user=schemas.UserOut.model_validate(s.user),
        project=ProjectBrief.model_validate(s.project),
    )


def _throttle(c: Container) -> AuthThrottle:
    if c.auth_throttle is None:
        c.auth_throttle = AuthThrottle(c.settings, redis=c.redis)
    return c.auth_throttle


def _client_ip(request: Request) -> str:
    # The peer, or the X-Forwarded-For of a trusted proxy (LEADPULSE_TRUSTED_PROXIES).
    return request.client.host if request.client else "unknown"


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=schemas.AuthOut)
async def register(body: schemas.RegisterIn, request: Request, c: ContainerDep) -> schemas.AuthOut:
    """Create an account, its first project (default rules, a pk_ key) and a token."""
    await _throttle(c).sign_up(_client_ip(request))
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
async def login(body: schemas.LoginIn, request: Request, c: ContainerDep) -> schemas.AuthOut:
    """Exchange e-mail and password for a 7-day token (429 while locked out)."""
    throttle = _throttle(c)
    await throttle.sign_in(body.email, _client_ip(request))
    async with c.db.sessions() as session:
        found = await service.find_user(session, email=body.email)
    user = await service.check_password(found, body.password)  # outside any transaction
    await throttle.signed_in(body.email)
    async with c.db.transaction() as session:
        return _auth_out(await service.sign_in(session, c.settings, user=user))


@router.post("/google", response_model=schemas.AuthOut)
async def google(body: schemas.GoogleIn, c: ContainerDep) -> schemas.AuthOut:
    """Sign in (or up) with a Google ID token."""
    if c.google is None:
        raise Unavailable("Google sign-in is not configured (LEADPULSE_GOOGLE_CLIENT_ID).")
    identity = await c.google.verify(body.id_token)
    async with c.db.transaction() as session:
        out = _auth_out(await service.google_sign_in(session, c.settings, identity))
    forget_credentials()  # after the commit: a takeover may have revoked tokens and keys
    return out


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


@router.post("/change-password", response_model=schemas.AuthOut)
async def change_password(
    body: schemas.PasswordChangeIn, caller: UserDep, request: Request, c: ContainerDep
) -> schemas.AuthOut:
    """Change the password (the current one is required) and revoke every earlier token;
    the answer carries a fresh token for this client."""
    assert caller.user_id is not None
    async with c.db.sessions() as session:
        user = await service.get_user(session, user_id=caller.user_id)
    if user.password_hash is None:
        raise InvalidInput.field(
            "body.currentPassword", "This account has no password: it signs in with Google."
        )
    throttle = _throttle(c)  # the current password is guessable here too: same budget
    await throttle.sign_in(user.email, _client_ip(request))
    try:
        await service.check_password(user, body.current_password)
    except Unauthorized as exc:
        raise InvalidInput.field("body.currentPassword", "The current password is wrong.") from exc
    new_hash = await hash_password(body.new_password)
    async with c.db.transaction() as session:
        signed_in = await service.change_password(
            session,
            c.settings,
            user_id=user.id,
            checked_hash=user.password_hash,
            new_hash=new_hash,
        )
    forget_credentials()
    await throttle.signed_in(user.email)
    return _auth_out(signed_in)


@router.post("/sign-out-everywhere", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_everywhere(caller: UserDep, c: ContainerDep) -> Response:
    """Revoke every token of the user, this one included (API keys are not affected)."""
    assert caller.user_id is not None
    async with c.db.transaction() as session:
        await service.sign_out_everywhere(session, user_id=caller.user_id)
    forget_credentials()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
