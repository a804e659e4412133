"""Engagement records: an organisation's own security-cooperation activities beside the public
data — a multi-user store (SQLite embedded, PostgreSQL for server mode) with roles, handling
markings enforced in queries, hashed API tokens, dashboard log-ins with CSRF protection, an
append-only audit log, optimistic locking, validated CSV/XLSX import, export and backups, and
the impact outcomes applied to the organisation's own partner dyads.

Example:
    >>> from foedus.records import RecordStore
    >>> with RecordStore("sqlite://") as store:
    ...     admin = store.system_principal()
    ...     _ = store.add_user(admin, "vera", "viewer")
    ...     [u["role"] for u in store.users(admin)]
    ['viewer']
"""

from __future__ import annotations

from foedus.records.analysis import organisation_impact, partner_dyads, public_instruments
from foedus.records.store import Principal, RecordStore, default_database_url
from foedus.records.vocabulary import INSTRUMENTS, MARKINGS, ROLES, STATUSES

__all__ = [
    "INSTRUMENTS",
    "MARKINGS",
    "ROLES",
    "STATUSES",
    "Principal",
    "RecordStore",
    "default_database_url",
    "organisation_impact",
    "partner_dyads",
    "public_instruments",
]
