"""The desk's SQLite engine: WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writers.

pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so that SQLAlchemy
emits BEGIN itself: writers take the write lock up front (no SQLITE_BUSY half-way through a use case)
while readers never wait for writers thanks to WAL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event


def sqlite_url(path: Path | str) -> str:
    return "sqlite:///" + (":memory:" if str(path) == ":memory:" else str(Path(path)))


def make_engine(path: Path | str, *, echo: bool = False) -> Engine:
    engine = create_engine(sqlite_url(path), echo=echo, connect_args={"timeout": 5, "check_same_thread": False})
    _install_sqlite_pragmas(engine)
    return engine


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")
