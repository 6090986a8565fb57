"""Alembic environment for the cloud database: SQLite (batch mode) or PostgreSQL.

The URL comes from code, in this order: a connection in `config.attributes["connection"]`
(salon_desk.cloud.migrate does this), `-x url=...`, `config.attributes["url"]`, the DATABASE_URL
environment variable, then alembic.ini's `[cloud] sqlalchemy.url`.
    alembic -n cloud -x url=postgresql+psycopg://postgres@127.0.0.1/salon upgrade head
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from salon_desk.cloud.db import make_engine
from salon_desk.cloud.rows import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.attributes.get("url")
        or os.environ.get("DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
    )


def _configure(**options: object) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, transactional_ddl=True, **options)


def run_migrations_offline() -> None:
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
