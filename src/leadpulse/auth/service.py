"""Sign-up, sign-in (password and Google), tokens, revocation and e-mail verification.

Functions take the caller's session; the entry point opens and commits the transaction.
Password hashing and mail sending are separate steps (``hash_password``, ``check_password``,
``welcome``) because they must run outside any transaction: argon2 costs ~200 ms that must
not hold SQLite's write lock, and a sign-up must not wait on (or be undone by) SMTP.

Revocation: every token carries its user's ``token_version``; ``revoke_tokens`` bumps it, so
every earlier token is refused from then on (``auth.callers.caller_from_jwt``). It happens on
"sign out everywhere", on a password change, and when Google sign-in takes over an account
whose address nobody had proved (which also revokes every API key of its projects). The
entry point calls ``security.forget_credentials()`` after the commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.auth.google import GoogleIdentity
from leadpulse.auth.security import issue_token, sha256_hex, verify_password
from leadpulse.config import Settings
from leadpulse.errors import Conflict, InvalidInput, NotFound, Unauthorized, Unavailable
from leadpulse.mail import send_mail
from leadpulse.projects import service as projects_service
from leadpulse.store.models import EmailVerification, Project, User
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.auth")
BAD_CREDENTIALS = "Incorrect e-mail or password."


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in user, the project the token acts in, and the token."""

    user: User
    project: Project
    token: str


@dataclass(frozen=True, slots=True)
class Registration:
    """A new account, signed in, and the e-mail verification token to send it."""

    signed_in: SignedIn
    verification_token: str


def _token(settings: Settings, user: User, project: Project) -> str:
    return issue_token(
        user_id=user.id,
        project_id=project.id,
        secret=settings.secret_key(),
        now=utcnow(),
        days=settings.jwt_expiry_days,
        token_version=user.token_version,
    )


async def _first_project(session: AsyncSession, user: User) -> Project:
    project = await projects_service.first_owned(session, owner_id=user.id)
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
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password_hash: str,
    name: str,
    company: str | None,
) -> Registration:
    """Create a user with a first project and a verification token (``hash_password`` first,
    ``welcome`` after the commit)."""
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with this e-mail already exists.")
    user, project = await _new_user(
        session, email=email, name=name, company=company, password_hash=password_hash
    )
    token = _verification_token(session, settings, user)
    signed_in = SignedIn(user=user, project=project, token=_token(settings, user, project))
    return Registration(signed_in=signed_in, verification_token=token)


async def welcome(settings: Settings, registration: Registration) -> None:
    """Send the verification e-mail of a committed sign-up; a mail outage is only logged."""
    user, project = registration.signed_in.user, registration.signed_in.project
    link = f"{settings.public_url}/verify-email?token={registration.verification_token}"
    body = f"Hello {user.name},\n\nConfirm your e-mail address for LeadPulse:\n{link}\n"
    try:
        await send_mail(settings, to=[user.email], subject="Confirm your e-mail", body=body)
    except Unavailable as exc:  # a mail outage must not undo the sign-up
        log.warning("verification_mail_failed", user_id=user.id, error=exc.detail)
    log.info("user_registered", user_id=user.id, project_id=project.id)


async def find_user(session: AsyncSession, *, email: str) -> User | None:
    """Load the user of an e-mail address, if any."""
    return await session.scalar(select(User).where(User.email == email))


async def check_password(user: User | None, password: str) -> User:
    """Return the user if the password is theirs; the same 401 for an unknown e-mail and a
    wrong password (and the same cost: an unknown user still costs one hash)."""
    if not await verify_password(password, user.password_hash if user else None):
        raise Unauthorized(BAD_CREDENTIALS)
    assert user is not None
    return user


async def sign_in(session: AsyncSession, settings: Settings, *, user: User) -> SignedIn:
    """Issue a token acting in the user's first project (created if it was deleted)."""
    project = await _first_project(session, user)
    return SignedIn(user=user, project=project, token=_token(settings, user, project))


async def google_sign_in(
    session: AsyncSession, settings: Settings, identity: GoogleIdentity
) -> SignedIn:
    """Find the user by Google subject or e-mail, creating one on first sign-in."""
    email = identity.email.strip().lower()
    user = await session.scalar(select(User).where(User.google_sub == identity.sub))
    if user is None:  # link a Google account to the password account of its address
        user = await find_user(session, email=email)
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
        await _link_google(session, user, identity)
        project = await _first_project(session, user)
    return SignedIn(user=user, project=project, token=_token(settings, user, project))


async def _link_google(session: AsyncSession, user: User, identity: GoogleIdentity) -> None:
    if user.google_sub is None and not user.email_verified:
        # Nobody ever proved they own this address, Google just did: whatever whoever
        # registered it first holds — password, tokens, API keys — must not keep a door
        # into the real owner's account (pre-account-takeover).
        user.password_hash = None
        await revoke_tokens(session, user=user)
        await projects_service.revoke_all_keys(session, owner_id=user.id)
        log.warning("unverified_account_taken_over", user_id=user.id)
    user.google_sub = user.google_sub or identity.sub
    user.email_verified = True


async def revoke_tokens(session: AsyncSession, *, user: User) -> None:
    """Revoke every token issued to the user so far (bump its version in SQL, so two
    concurrent revocations both count) and refresh ``user``."""
    await session.execute(
        update(User).where(User.id == user.id).values(token_version=User.token_version + 1)
    )
    await session.refresh(user, ["token_version"])


async def sign_out_everywhere(session: AsyncSession, *, user_id: int) -> None:
    """Revoke every token of the user, including the caller's own."""
    await revoke_tokens(session, user=await get_user(session, user_id=user_id))


async def change_password(
    session: AsyncSession,
    settings: Settings,
    *,
    user_id: int,
    checked_hash: str,
    new_hash: str,
) -> SignedIn:
    """Replace the password whose hash was checked (``check_password`` first, outside the
    transaction) and revoke every earlier token; return a fresh token for the caller."""
    user = await get_user(session, user_id=user_id)
    if user.password_hash != checked_hash:
        raise Conflict("The password was changed meanwhile; try again.")
    user.password_hash = new_hash
    await revoke_tokens(session, user=user)
    return await sign_in(session, settings, user=user)


def _verification_token(session: AsyncSession, settings: Settings, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            user_id=user.id,
            token_hash=sha256_hex(token),
            expires_at=utcnow() + timedelta(hours=settings.email_verification_hours),
        )
    )
    return token


async def verify_email(session: AsyncSession, *, token: str) -> User:
    """Mark the token's user verified; a used, expired or unknown token is refused."""
    row = await session.scalar(
        select(EmailVerification).where(EmailVerification.token_hash == sha256_hex(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidInput.field("body.token", "The token is invalid, used or expired.")
    row.used_at = utcnow()
    await session.execute(update(User).where(User.id == row.user_id).values(email_verified=True))
    user = await session.get(User, row.user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


async def get_user(session: AsyncSession, *, user_id: int) -> User:
    """Load a user by id."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def switch_project(
    session: AsyncSession, settings: Settings, *, user_id: int, project_id: int
) -> str:
    """Issue a token acting in another project the user owns."""
    project = await projects_service.get_owned(session, project_id=project_id, owner_id=user_id)
    user = await get_user(session, user_id=user_id)
    return _token(settings, user, project)
