"""Project lifecycle: create (seeding rules, thresholds and a publishable key), keys, settings.

Functions take the caller's session; the entry point opens and commits the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.rules import DEFAULT_RULES
from leadpulse.core.stages import DEFAULT_THRESHOLDS
from leadpulse.errors import NotFound
from leadpulse.projects.keys import KeyKind, NewKey, new_api_key
from leadpulse.store.models import ApiKey, Project, ScoringRule, StageThreshold
from leadpulse.store.types import utcnow


def _rule_name(event_type: str) -> str:
    return event_type.replace("_", " ").capitalize()


async def create_project(
    session: AsyncSession, *, owner_id: int, name: str, domain: str | None = None
) -> tuple[Project, NewKey]:
    """Create a project with default rules, stage thresholds and a publishable key."""
    project = Project(owner_id=owner_id, name=name, domain=domain)
    session.add(project)
    await session.flush()
    session.add_all(
        ScoringRule(project_id=project.id, event_type=t, name=_rule_name(t), points=p)
        for t, p in DEFAULT_RULES
    )
    session.add(
        StageThreshold(
            project_id=project.id,
            warm=DEFAULT_THRESHOLDS.warm,
            hot=DEFAULT_THRESHOLDS.hot,
            qualified=DEFAULT_THRESHOLDS.qualified,
        )
    )
    key = await add_key(session, project_id=project.id, kind="publishable")
    return project, key


async def add_key(session: AsyncSession, *, project_id: int, kind: KeyKind) -> NewKey:
    """Mint and store a key; a publishable key stays readable, a secret one only hashed."""
    key = new_api_key(kind)
    session.add(
        ApiKey(
            project_id=project_id,
            kind=kind,
            prefix=key.prefix,
            key_hash=key.hash,
            public_key=key.plain if kind == "publishable" else None,
        )
    )
    await session.flush()
    return key


async def rotate_key(session: AsyncSession, *, project_id: int, kind: KeyKind) -> NewKey:
    """Revoke every active key of ``kind`` at once and mint a replacement.

    The caller clears ``auth.security.key_cache`` after the commit, so this process stops
    accepting the old keys at once (other processes within the cache lifetime).
    """
    await session.execute(
        update(ApiKey)
        .where(ApiKey.project_id == project_id, ApiKey.kind == kind)
        .where(ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return await add_key(session, project_id=project_id, kind=kind)


async def revoke_all_keys(session: AsyncSession, *, owner_id: int) -> None:
    """Revoke every key of every project the user owns, then give each project a fresh
    publishable key (the caller clears ``key_cache`` after the commit)."""
    project_ids = select(Project.id).where(Project.owner_id == owner_id)
    await session.execute(
        update(ApiKey)
        .where(ApiKey.project_id.in_(project_ids), ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    for project_id in (await session.scalars(project_ids)).all():
        await add_key(session, project_id=project_id, kind="publishable")


async def list_keys(
    session: AsyncSession, *, project_id: int, limit: int, offset: int
) -> tuple[list[ApiKey], int]:
    """Return one page of a project's keys, newest first, and how many it has in all."""
    rows = await session.scalars(
        select(ApiKey)
        .where(ApiKey.project_id == project_id)
        .order_by(ApiKey.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(
        select(func.count()).select_from(ApiKey).where(ApiKey.project_id == project_id)
    )
    return list(rows), total or 0


async def revoke_key(session: AsyncSession, *, project_id: int, key_id: int) -> ApiKey:
    """Revoke one key of a project (already revoked: unchanged); NotFound if not its key.

    The caller clears ``key_cache`` after the commit.
    """
    key = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.project_id == project_id)
    )
    if key is None:
        raise NotFound(f"API key {key_id} not found.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


async def publishable_key(session: AsyncSession, *, project_id: int) -> str | None:
    """Return the project's newest active publishable key."""
    result = await session.execute(
        select(ApiKey.public_key)
        .where(ApiKey.project_id == project_id, ApiKey.kind == "publishable")
        .where(ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def get_owned(session: AsyncSession, *, project_id: int, owner_id: int) -> Project:
    """Load a project the user owns, or raise NotFound."""
    project = await session.scalar(
        select(Project).where(Project.id == project_id, Project.owner_id == owner_id)
    )
    if project is None:
        raise NotFound(f"Project {project_id} not found.")
    return project


async def list_owned(session: AsyncSession, *, owner_id: int) -> list[Project]:
    """List the user's projects, oldest first."""
    rows = await session.scalars(
        select(Project).where(Project.owner_id == owner_id).order_by(Project.id)
    )
    return list(rows)


async def first_owned(session: AsyncSession, *, owner_id: int) -> Project | None:
    """Return the user's oldest project, the one a sign-in acts in."""
    return await session.scalar(
        select(Project).where(Project.owner_id == owner_id).order_by(Project.id).limit(1)
    )


async def update_project(
    session: AsyncSession, *, project_id: int, owner_id: int, changes: dict[str, Any]
) -> Project:
    """Change an owned project's name, domain, allowed origins or decay settings."""
    project = await get_owned(session, project_id=project_id, owner_id=owner_id)
    for name, value in changes.items():
        setattr(project, name, value)
    return project
