"""leads: ids never reused on SQLite, external ids, index-backed search; events keep context

Revision ID: 0004_leads_ids_and_search
Revises: 0003_auth_hardening
Create Date: 2026-12-08 05:30:00

- SQLite hands a deleted row's id to the next insert when it was the largest (rowid = max + 1),
  so after a GDPR erase of lead 11 the next lead would be 11 again. The leads table is rebuilt
  with AUTOINCREMENT (``sqlite_sequence`` remembers the high-water mark); ``migrate.upgrade``
  runs SQLite migrations with foreign keys off, so the rebuild neither cascades nor fails, and
  checks them afterwards. PostgreSQL's sequences never reuse ids already.
- ``leads.external_id``: the sender's own id for a person (Segment's ``userId``), unique per
  project.
- ``events.user_id`` and ``events.context``: the sender's id for the person and its context
  object, kept as sent.
- PostgreSQL only: ``sort=name`` is backed by ``(project_id, lower(name), id)`` and ``q=``
  substring search by trigram GIN indexes on ``lower(name)``, ``lower(email)`` and
  ``lower(company)`` (extension ``pg_trgm``, trusted since PostgreSQL 13, so a database owner
  may create it). SQLite has no trigram index type, and its reflection skips expression
  indexes (so a later batch rebuild would silently drop one): both are skipped there. The
  1 M-lead read targets are PostgreSQL's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_leads_ids_and_search"
down_revision = "0003_auth_hardening"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TRIGRAM_COLUMNS = ("name", "email", "company")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "leads",
        schema=None,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_leads_project_id_external_id"), ["project_id", "external_id"]
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("context", JSON, nullable=True))
    if not sqlite:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in TRIGRAM_COLUMNS:
            op.execute(
                f"CREATE INDEX ix_leads_{column}_trgm ON leads "
                f"USING gin (lower({column}) gin_trgm_ops)"
            )
        op.execute(
            "CREATE INDEX ix_leads_project_lower_name ON leads (project_id, lower(name), id)"
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        for column in TRIGRAM_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_leads_{column}_trgm")
        op.execute("DROP INDEX IF EXISTS ix_leads_project_lower_name")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("context")
        batch_op.drop_column("user_id")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_leads_project_id_external_id"), type_="unique")
        batch_op.drop_column("external_id")
