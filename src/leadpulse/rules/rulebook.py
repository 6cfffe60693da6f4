"""Per-project scoring rules and stage thresholds: the one loader, and a cache with no stale window.

``threshold_rows`` is the only reader of ``stage_thresholds``; ``thresholds`` turns rows into
``core.stages.StageThresholds`` (the defaults for a project without a row). The worker, the
decay job and the stages API all load thresholds through here.

Every change to a project's rules or thresholds bumps ``stage_thresholds.version`` in the
same transaction (``bump_version``). The worker's ``RuleCache`` reads the versions of the
projects in a batch inside its scoring transaction (one small indexed query) and reloads only
the projects whose version moved, so a committed rule change is never missed, and unchanged
projects cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.rules import Rule, rule_index
from leadpulse.core.stages import DEFAULT_THRESHOLDS, StageThresholds
from leadpulse.store.models import ScoringRule, StageThreshold


@dataclass(frozen=True, slots=True)
class RuleBook:
    """The active rules and thresholds of one project at one version."""

    version: int
    rules: dict[str, Rule]
    thresholds: StageThresholds


async def threshold_rows(
    session: AsyncSession, project_ids: Iterable[int]
) -> dict[int, StageThreshold]:
    """Load the stored threshold rows (with their rules version) of the projects."""
    rows = await session.scalars(
        select(StageThreshold).where(StageThreshold.project_id.in_(sorted(set(project_ids))))
    )
    return {row.project_id: row for row in rows}


def _thresholds_of(row: StageThreshold | None) -> StageThresholds:
    if row is None:
        return DEFAULT_THRESHOLDS
    return StageThresholds(warm=row.warm, hot=row.hot, qualified=row.qualified)


async def thresholds(
    session: AsyncSession, project_ids: Iterable[int]
) -> dict[int, StageThresholds]:
    """Return the stage thresholds of each project (the defaults where none are stored)."""
    wanted = set(project_ids)
    rows = await threshold_rows(session, wanted)
    return {p: _thresholds_of(rows.get(p)) for p in wanted}


class RuleCache:
    """Cache RuleBooks per project, validated against the stored version."""

    def __init__(self) -> None:
        self._books: dict[int, RuleBook] = {}

    async def books(self, session: AsyncSession, project_ids: Iterable[int]) -> dict[int, RuleBook]:
        """Return fresh RuleBooks for the projects (reloading changed ones)."""
        wanted = sorted(set(project_ids))
        stored = await threshold_rows(session, wanted)
        for project_id in wanted:
            current = stored.get(project_id)
            version = current.version if current else 0
            cached = self._books.get(project_id)
            if cached is None or cached.version != version:
                self._books[project_id] = await _load(session, project_id, current)
        return {p: self._books[p] for p in wanted}

    def clear(self) -> None:
        """Forget every cached book."""
        self._books.clear()


async def _load(session: AsyncSession, project_id: int, stored: StageThreshold | None) -> RuleBook:
    rows = await session.scalars(select(ScoringRule).where(ScoringRule.project_id == project_id))
    rules = [
        Rule(event_type=r.event_type, points=r.points, active=r.active, id=r.id, name=r.name)
        for r in rows
    ]
    return RuleBook(
        version=stored.version if stored else 0,
        rules=rule_index(rules),
        thresholds=_thresholds_of(stored),
    )


async def bump_version(session: AsyncSession, *, project_id: int) -> None:
    """Mark a project's rules as changed (call in the transaction that changes them)."""
    await session.execute(
        update(StageThreshold)
        .where(StageThreshold.project_id == project_id)
        .values(version=StageThreshold.version + 1)
    )
