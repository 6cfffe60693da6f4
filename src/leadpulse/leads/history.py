"""Score history: the one module that writes ``score_history``.

Each row records one change of a lead's score, ``delta = new_score - old_score``, so a lead's
rows add up to its score. Rows by cause:

- ``rule`` (the worker, one per folded event): the event's row id, eventId, type and
  timestamp, the rule id and its points.
- ``decay`` (the decay job): points 0, ``event_timestamp`` = the ``now`` it was computed for,
  ``detail`` = ``{days, rate, graceDays, baseScore, day}``.
- ``merge`` (identity resolution, on the survivor): delta 0, ``event_timestamp`` = the
  identify's event time, ``detail`` = ``{mergedLeadId, mergedAnonymousId, email}``.

A rewind (late event, full rescore; see ``core.planner``) replaces the rule rows from the cut
on and the decay rows at or after the cut's time; with no cut, every rule and decay row.
``kept_sum`` is the sum of the rows that stay, read before ``delete_replaced`` deletes the
others, so the planner can fold from it. Merge rows are never replaced. ``erase`` serves GDPR
erasure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.decay import DecayDecision, DecayPolicy
from leadpulse.core.outcomes import ScoreMutation
from leadpulse.core.planner import Rewind
from leadpulse.core.scoring import ScoreChange
from leadpulse.store.models import ScoreHistory
from leadpulse.store.sql import insert, table_of

HISTORY = table_of(ScoreHistory)
REWRITABLE = ("rule", "decay")
Row = dict[str, Any]
MUTATION_KEYS = tuple(f.name for f in fields(ScoreMutation) if f.name != "history_id")


def _row(
    project_id: int, lead_id: int, cause: str, old: int, new: int, created_at: datetime
) -> Row:
    return {
        "project_id": project_id,
        "lead_id": lead_id,
        "cause": cause,
        "points": 0,
        "old_score": old,
        "new_score": new,
        "delta": new - old,
        "created_at": created_at,
    }


def rule_rows(
    *, project_id: int, lead_id: int, changes: Sequence[ScoreChange], now: datetime
) -> list[Row]:
    """Build the ``rule`` rows of a fold, one per change, in fold order."""
    return [
        _row(project_id, lead_id, "rule", c.old_score, c.new_score, now)
        | {
            "event_row_id": c.db_id,
            "event_id": c.event_id,
            "event_type": c.event_type,
            "event_timestamp": c.timestamp,
            "rule_id": c.rule_id,
            "points": c.points,
        }
        for c in changes
    ]


def decay_row(
    *,
    project_id: int,
    lead_id: int,
    decision: DecayDecision,
    policy: DecayPolicy,
    base_score: int,
    now: datetime,
    created_at: datetime,
) -> Row:
    """Build the ``decay`` row of one decay decision computed for ``now``."""
    detail = {
        "days": decision.days,
        "rate": policy.daily_rate,
        "graceDays": policy.grace_days,
        "baseScore": base_score,
        "day": decision.day.isoformat(),
    }
    row = _row(project_id, lead_id, "decay", decision.old_score, decision.new_score, created_at)
    return row | {"event_timestamp": now, "detail": detail}


def merge_row(
    *,
    project_id: int,
    lead_id: int,
    score: int,
    at: datetime,
    detail: Mapping[str, Any],
    created_at: datetime,
) -> Row:
    """Build the ``merge`` row (delta 0) written on a survivor for one merged lead."""
    row = _row(project_id, lead_id, "merge", score, score, created_at)
    return row | {"event_timestamp": at, "detail": dict(detail)}


def _described(row: Row) -> dict[str, Any]:
    return {key: row.get(key) for key in MUTATION_KEYS}


def mutations(rows: Sequence[Row], ids: Sequence[int]) -> list[ScoreMutation]:
    """Describe written rows (with the ids ``write`` returned) as outcomes report them."""
    return [
        ScoreMutation(history_id=row_id, **_described(row))
        for row, row_id in zip(rows, ids, strict=True)
    ]


async def write(session: AsyncSession, rows: Sequence[Row]) -> list[int]:
    """Insert rows built above (all with the same keys); return their ids in order."""
    if not rows:
        return []
    stmt = insert(session, HISTORY).returning(HISTORY.c.id, sort_by_parameter_order=True)
    result = await session.execute(stmt, list(rows))
    return [row_id for (row_id,) in result.all()]


def _replaced(rewind: Rewind) -> ColumnElement[bool]:
    """The rows a refold from the cut replaces (see the module docstring)."""
    if rewind.cut is None:
        return HISTORY.c.cause.in_(REWRITABLE)
    stamp, event_id = rewind.cut
    from_cut = or_(
        HISTORY.c.event_timestamp > stamp,
        and_(HISTORY.c.event_timestamp == stamp, HISTORY.c.event_id >= event_id),
    )
    return or_(
        and_(HISTORY.c.cause == "rule", from_cut),
        and_(HISTORY.c.cause == "decay", HISTORY.c.event_timestamp >= stamp),
    )


async def kept_sum(session: AsyncSession, *, lead_id: int, rewind: Rewind) -> int:
    """Return the sum of the lead's rows that a rewind keeps (the score before the cut)."""
    kept = case((_replaced(rewind), 0), else_=HISTORY.c.delta)
    total = await session.scalar(
        select(func.coalesce(func.sum(kept), 0)).where(HISTORY.c.lead_id == lead_id)
    )
    return int(total or 0)


async def delete_replaced(session: AsyncSession, *, lead_id: int, rewind: Rewind) -> None:
    """Delete the lead's rows that a refold from the rewind's cut replaces."""
    await session.execute(delete(HISTORY).where(HISTORY.c.lead_id == lead_id, _replaced(rewind)))


async def erase(session: AsyncSession, *, project_id: int, lead_ids: Sequence[int]) -> None:
    """Delete every row of erased leads of a project (GDPR)."""
    await session.execute(
        delete(HISTORY).where(HISTORY.c.lead_id.in_(lead_ids), HISTORY.c.project_id == project_id)
    )
