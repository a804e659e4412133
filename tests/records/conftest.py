"""Record stores on both back ends: an embedded SQLite file and a real PostgreSQL server.

PostgreSQL: ``FOEDUS_TEST_POSTGRES`` (a SQLAlchemy URL of a database the tests may wipe) — set by
``.ci/run``, which installs and starts the server. Under ``CI=true`` its absence is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from foedus.records import RecordStore

POSTGRES = os.environ.get("FOEDUS_TEST_POSTGRES")


def _wipe_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_url(kind: str, tmp_path: Path) -> str:
    """A fresh, empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite'}"
    if not POSTGRES:
        message = "FOEDUS_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    _wipe_postgres(POSTGRES)
    return POSTGRES


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> str:
    return database_url(backend, tmp_path)


@pytest.fixture
def store(db_url: str) -> Iterator[RecordStore]:
    with RecordStore(db_url) as s:
        yield s
