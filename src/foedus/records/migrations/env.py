"""Alembic environment of the engagement-records store: runs on the connection the store passes
in ``config.attributes["connection"]`` (or opens the configured URL). Imported outside an Alembic
run (by test collection, say) it does nothing."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from foedus.records.models import Base

target_metadata = Base.metadata


def _run(connection: Any) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _main(config: Any) -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


_config = getattr(context, "config", None)
if _config is not None:
    _main(_config)
