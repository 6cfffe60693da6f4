"""leads: ``q=`` search on the anonymous id is index-backed too (PostgreSQL)

Revision ID: 0006_search_anonymous_id
Revises: 0005_imports_inbound
Create Date: 2026-12-08 06:00:00

The list's ``q=`` matches a substring of the name, e-mail, company *or anonymous id*. With
trigram GIN indexes on the first three only, the ``OR`` could not be answered from indexes
and PostgreSQL scanned every lead of the table (44 ms at 20k leads, seconds at 1 M). A
trigram GIN index on ``lower(anonymous_id)`` lets the planner ``BitmapOr`` the four. SQLite
has no trigram index type (skipped there, as in 0004).
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_anonymous_id"
down_revision = "0005_imports_inbound"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(
            "CREATE INDEX ix_leads_anonymous_id_trgm ON leads "
            "USING gin (lower(anonymous_id) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_leads_anonymous_id_trgm")
