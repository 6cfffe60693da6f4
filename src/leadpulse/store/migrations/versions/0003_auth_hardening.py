"""auth hardening: users.token_version revokes earlier tokens

Revision ID: 0003_auth_hardening
Revises: 0002_outbox
Create Date: 2026-12-02 05:00:00

Existing rows get 0, the version every token issued before this revision implicitly carries,
so nobody is signed out by the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_auth_hardening"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
