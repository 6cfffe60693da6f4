"""Dialect helpers: the one place that knows SQLite and PostgreSQL spell things differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    """Return ``sqlite`` or ``postgresql`` for the session's bind."""
    return session.get_bind().dialect.name


def insert(session: AsyncSession, table: Table) -> Any:
    """Return a dialect INSERT that supports ``on_conflict_do_*`` and RETURNING."""
    if dialect_of(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgres(session: AsyncSession) -> bool:
    """Tell whether the session talks to PostgreSQL."""
    return dialect_of(session) == "postgresql"


def table_of(model: type[Any]) -> Table:
    """Return the Core Table of a mapped class (typed, for Core statements)."""
    result: Table = model.__table__
    return result
