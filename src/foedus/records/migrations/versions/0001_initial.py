"""Initial engagement-records schema, with an append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("clearance", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="ck_users_role"),
        sa.CheckConstraint("clearance IN ('public', 'internal', 'restricted')",
                           name="ck_users_clearance"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("instrument", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date),
        sa.Column("objectives", sa.Text),
        sa.Column("budget", sa.Numeric(18, 2)),
        sa.Column("currency", sa.String(3)),
        sa.Column("participants", sa.Integer),
        sa.Column("location", sa.String(200)),
        sa.Column("notes", sa.Text),
        sa.Column("marking", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("marking IN ('public', 'internal', 'restricted')",
                           name="ck_engagements_marking"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date",
                           name="ck_engagements_dates"),
        sa.CheckConstraint("participants IS NULL OR participants >= 0",
                           name="ck_engagements_participants"),
    )
    op.create_index("ix_engagements_marking_status", "engagements", ["marking", "status"])
    op.create_table(
        "engagement_partners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("engagement_id", sa.Integer,
                  sa.ForeignKey("engagements.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("iso3", sa.String(3)),
        sa.Column("ccode", sa.Integer),
        sa.Column("gwcode", sa.Integer),
    )
    op.create_index("ix_partners_engagement", "engagement_partners", ["engagement_id"])
    op.create_index("ix_partners_ccode", "engagement_partners", ["ccode"])
    children: dict[str, list[sa.Column[object]]] = {
        "indicators": [
            sa.Column("objective", sa.String(300), nullable=False),
            sa.Column("indicator", sa.String(300), nullable=False),
            sa.Column("baseline", sa.Numeric(18, 4), nullable=False),
            sa.Column("target", sa.Numeric(18, 4), nullable=False),
            sa.Column("observed", sa.Numeric(18, 4)),
            sa.Column("observed_on", sa.Date),
        ],
        "assessments": [
            sa.Column("assessed_on", sa.Date, nullable=False),
            sa.Column("rating", sa.String(24), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("assessor", sa.String(80), nullable=False),
        ],
        "evidence": [
            sa.Column("title", sa.String(300), nullable=False),
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("reference", sa.String(500), nullable=False),
            sa.Column("dated", sa.Date),
        ],
    }
    for name, columns in children.items():
        op.create_table(
            name,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("engagement_id", sa.Integer,
                      sa.ForeignKey("engagements.id", ondelete="CASCADE"), nullable=False),
            *columns,
        )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Integer),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION foedus_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION foedus_audit_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS foedus_audit_append_only()")
    for name in ("audit_log", "evidence", "assessments", "indicators", "engagement_partners",
                 "engagements", "login_sessions", "api_tokens", "users"):
        op.drop_table(name)
