"""Shared authentication state for several server processes: an authentication epoch (bumped in
the same transaction as every token revocation, so each process's token cache learns of it) and
failed log-in attempts (so the log-in rate limit holds across processes and hosts).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "auth_epoch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_auth_epoch_single_row"),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": 1}])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_login_failures_key", "login_failures", ["username", "address", "at"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("auth_epoch")
