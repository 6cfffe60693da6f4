"""outbox: consequences written in the transaction of a lead change

Revision ID: 0002_outbox
Revises: 0001
Create Date: 2026-12-02 04:56:56.377232
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import leadpulse.store.types

revision = "0002_outbox"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = leadpulse.store.types.UTCDateTime(timezone=True)
UNIQUE_MESSAGE = "uq_webhook_deliveries_subscription_id_outbox_id_event_type"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("lead_id", BIG_ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", UTC, nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'failed')", name=op.f("ck_outbox_status")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_outbox_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "available_at"], unique=False)
        batch_op.create_index("ix_outbox_lead_id", ["lead_id"], unique=False)

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("lead_id", BIG_ID, nullable=True))
        batch_op.create_index("ix_webhook_deliveries_lead_id", ["lead_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f(UNIQUE_MESSAGE), ["subscription_id", "outbox_id", "event_type"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(UNIQUE_MESSAGE), type_="unique")
        batch_op.drop_index("ix_webhook_deliveries_lead_id")
        batch_op.drop_column("lead_id")
        batch_op.drop_column("outbox_id")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_lead_id")
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
