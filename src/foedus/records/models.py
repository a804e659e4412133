"""The engagement-records model: SQLAlchemy 2 tables for an organisation's own security-cooperation
activities, their objectives and indicators, assessments, evidence, users, tokens and the audit log.

The schema itself is created and evolved by Alembic migrations (``foedus/records/migrations``);
these classes describe it for queries. Dates are ISO dates, money is exact (``Numeric``), and every
engagement carries a handling marking and a version number used for optimistic locking.

Example:
    >>> sorted(t for t in Base.metadata.tables)[:3]
    ['api_tokens', 'assessments', 'audit_log']
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiToken",
    "Assessment",
    "AuditEntry",
    "AuthEpoch",
    "Base",
    "Engagement",
    "Evidence",
    "Indicator",
    "LoginFailure",
    "LoginSession",
    "Partner",
    "User",
]


class Base(DeclarativeBase):
    """Declarative base of the records tables."""


class User(Base):
    """A person (or service) who may use the records; ``role`` is viewer, analyst or admin and
    ``clearance`` the highest handling marking they may see."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    clearance: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """An API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A dashboard log-in: the SHA-256 of the session cookie and of its CSRF token, and expiry."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class Engagement(Base):
    """One security-cooperation activity (training event, exercise, visit, delivery, mission…)."""

    __tablename__ = "engagements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    instrument: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    objectives: Mapped[str | None] = mapped_column(Text, nullable=True)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    participants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    marking: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    partners: Mapped[list[Partner]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="Partner.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        cascade="all, delete-orphan", order_by="Indicator.id"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        cascade="all, delete-orphan", order_by="Assessment.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        cascade="all, delete-orphan", order_by="Evidence.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Partner(Base):
    """A partner state of an engagement, as given and as resolved to COW / G-W codes."""

    __tablename__ = "engagement_partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    iso3: Mapped[str | None] = mapped_column(String(3), nullable=True)
    ccode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gwcode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engagement: Mapped[Engagement] = relationship(back_populates="partners")


class Indicator(Base):
    """An objective's indicator: baseline, target and the latest observed value."""

    __tablename__ = "indicators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    objective: Mapped[str] = mapped_column(String(300))
    indicator: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[float] = mapped_column(Numeric(18, 4))
    target: Mapped[float] = mapped_column(Numeric(18, 4))
    observed: Mapped[float | None] = mapped_column(Numeric(18, 4), nullable=True)
    observed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Assessment(Base):
    """An assessment of an engagement against its objectives."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(80))


class Evidence(Base):
    """Metadata of a piece of evidence (the document itself stays where it is)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(500))
    dated: Mapped[date | None] = mapped_column(Date, nullable=True)


class AuditEntry(Base):
    """One write: who, what, when, the record before and after (JSON). Append-only: the database
    refuses UPDATE and DELETE on this table (triggers created by the first migration)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuthEpoch(Base):
    """One row: a counter bumped in the same transaction as every token revocation, so that every
    server process drops the API tokens it had cached (see ``RecordStore.authenticate_token``)."""

    __tablename__ = "auth_epoch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer)


class LoginFailure(Base):
    """A failed log-in (lower-cased user name, client address, Unix time): the log-in rate limit
    counts these, so it holds across server processes."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
