"""Sign-up, sign-in (password and Google), tokens and e-mail verification."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.auth.google import GoogleIdentity
from leadpulse.auth.security import hash_password, issue_token, sha256_hex, verify_password
from leadpulse.config import Settings
from leadpulse.errors import Conflict, InvalidInput, NotFound, Unauthorized, Unavailable
from leadpulse.mail import send_mail
from leadpulse.projects import service as projects_service
from leadpulse.store.db import Database
from leadpulse.store.models import EmailVerification, Project, User
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.auth")
BAD_CREDENTIALS = "Incorrect e-mail or password."


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in user, the project the token acts in, and the token."""

    user: User
    project: Project
    token: str


def _token(settings: Settings, user: User, project: Project) -> str:
    return issue_token(
        user_id=user.id,
        project_id=project.id,
        secret=settings.secret_key(),
        now=utcnow(),
        days=settings.jwt_expiry_days,
    )


async def _first_project(session: AsyncSession, user: User) -> Project:
    project = await session.scalar(
        select(Project).where(Project.owner_id == user.id).order_by(Project.id).limit(1)
    )
    if project is None:  # every user gets one at sign-up; heal if it was deleted
        project, _ = await projects_service.create_project(
            session, owner_id=user.id, name=f"{user.name}'s project"
        )
    return project


async def _new_user(
    session: AsyncSession, *, email: str, name: str, company: str | None, **extra: object
) -> tuple[User, Project]:
    user = User(email=email, name=name, company=company, **extra)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("An account with this e-mail already exists.") from exc
    project, _ = await projects_service.create_project(
        session, owner_id=user.id, name=company or f"{name}'s project"
    )
    return user, project


async def register(
    db: Database, settings: Settings, *, email: str, password: str, name: str, company: str | None
) -> Session:
    """Create a user with a first project, and send the verification e-mail."""
    password_hash = await hash_password(password)
    async with db.transaction() as session:
        if await session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("An account with this e-mail already exists.")
        user, project = await _new_user(
            session, email=email, name=name, company=company, password_hash=password_hash
        )
        token = await _verification_token(session, settings, user)
    try:
        await _send_verification(settings, user, token)
    except Unavailable as exc:  # a mail outage must not undo the sign-up
        log.warning("verification_mail_failed", user_id=user.id, error=exc.detail)
    log.info("user_registered", user_id=user.id, project_id=project.id)
    return Session(user=user, project=project, token=_token(settings, user, project))


async def login(db: Database, settings: Settings, *, email: str, password: str) -> Session:
    """Check a password; the same 401 for an unknown e-mail and a wrong password."""
    async with db.sessions() as session:
        user = await session.scalar(select(User).where(User.email == email))
    # Hash outside any transaction: SQLite's write lock must not wait on argon2.
    if not await verify_password(password, user.password_hash if user else None):
        raise Unauthorized(BAD_CREDENTIALS)
    assert user is not None
    async with db.transaction() as session:
        project = await _first_project(session, user)
    return Session(user=user, project=project, token=_token(settings, user, project))


async def google_sign_in(db: Database, settings: Settings, identity: GoogleIdentity) -> Session:
    """Find the user by Google subject or e-mail, creating one on first sign-in."""
    email = identity.email.strip().lower()
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.google_sub == identity.sub))
        if user is None:  # link a Google account to the password account of its address
            user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user, project = await _new_user(
                session,
                email=email,
                name=identity.name,
                company=None,
                google_sub=identity.sub,
                email_verified=True,
            )
        else:
            _link_google(user, identity)
            project = await _first_project(session, user)
    return Session(user=user, project=project, token=_token(settings, user, project))


def _link_google(user: User, identity: GoogleIdentity) -> None:
    if user.google_sub is None and not user.email_verified:
        # Nobody ever proved they own this address, Google just did: a password set by
        # whoever registered it first must not keep a door into the real owner's account.
        user.password_hash = None
    user.google_sub = user.google_sub or identity.sub
    user.email_verified = True


async def _verification_token(session: AsyncSession, settings: Settings, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            user_id=user.id,
            token_hash=sha256_hex(token),
            expires_at=utcnow() + timedelta(hours=settings.email_verification_hours),
        )
    )
    return token


async def _send_verification(settings: Settings, user: User, token: str) -> None:
    link = f"{settings.public_url}/verify-email?token={token}"
    body = f"Hello {user.name},\n\nConfirm your e-mail address for LeadPulse:\n{link}\n"
    await send_mail(settings, to=[user.email], subject="Confirm your e-mail", body=body)


async def verify_email(db: Database, *, token: str) -> User:
    """Mark the token's user verified; a used, expired or unknown token is refused."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(EmailVerification).where(EmailVerification.token_hash == sha256_hex(token))
        )
        if row is None or row.used_at is not None or row.expires_at <= utcnow():
            raise InvalidInput.field("body.token", "The token is invalid, used or expired.")
        row.used_at = utcnow()
        await session.execute(
            update(User).where(User.id == row.user_id).values(email_verified=True)
        )
        user = await session.get(User, row.user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


async def get_user(db: Database, *, user_id: int) -> User:
    """Load a user by id."""
    async with db.sessions() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def switch_project(db: Database, settings: Settings, *, user_id: int, project_id: int) -> str:
    """Issue a token acting in another project the user owns."""
    async with db.sessions() as session:
        project = await projects_service.get_owned(session, project_id=project_id, owner_id=user_id)
        user = await session.get(User, user_id)
    assert user is not None
    return _token(settings, user, project)
