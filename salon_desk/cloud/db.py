"""The cloud's database: one declarative Base, portable column types, engines for SQLite and PostgreSQL.

SQLite (the default, and the demo's embedded cloud) runs in WAL mode with foreign keys and a busy timeout;
pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so writers start with
BEGIN IMMEDIATE and take the write lock up front, which also serialises the check-then-insert of rate
limits. PostgreSQL (`postgresql+psycopg://`) gets the same guarantee from `lock_key` (an advisory lock).

Services own their transactions (`with db.session() as s: …; s.commit()`), so a provider call never
runs while the SQLite write lock is held.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Every constraint gets a predictable name: SQLite batch migrations and PostgreSQL both need them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Canonical UUID text everywhere in Python; a native uuid column on PostgreSQL, TEXT on SQLite.
UuidText = String(36).with_variant(PG_UUID(as_uuid=False), "postgresql")
JsonValue = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A tz-aware instant: timestamptz on PostgreSQL, naive-UTC text on SQLite; always aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (tz-aware) is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3 here; anything else is passed through."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalize_database_url(url)
    # hide_parameters: SQL logging and DB error messages never show phone numbers or hashes.
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, hide_parameters=True, connect_args={"timeout": 5, "check_same_thread": False}
        )
        _install_sqlite_recipe(engine)
        return engine
    engine = create_engine(url, hide_parameters=True)
    _ping_idle_connections(engine)
    return engine


IDLE_BEFORE_PING_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's pool_pre_ping, but only for a connection that sat idle in the pool (issue #14).

    pool_pre_ping costs a round trip on every checkout, and a push checks out three connections: a
    quarter of its CPU on this machine. A connection used moments ago is alive unless the database
    restarted since; then its first statement fails, SQLAlchemy sees the disconnect and drops every older
    connection of the pool, and only the requests already under way at that moment fail (with a ping they
    fail too). One idle past IDLE_BEFORE_PING_SECONDS (the database restarted overnight, a proxy dropped
    it) is pinged first, and replaced before use if the ping fails.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: object, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_SECONDS:
            return  # a new connection, or one in use moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("idle connection failed its ping") from error  # the pool reconnects


def _install_sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=5000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """An engine plus two session factories: writers (BEGIN IMMEDIATE on SQLite) and readers (DEFERRED)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = sessionmaker(engine, expire_on_commit=False)
        deferred = engine.execution_options(sqlite_begin="DEFERRED")
        self._reader = sessionmaker(deferred, expire_on_commit=False)
        # PostgreSQL: no transaction at all, so no BEGIN and no ROLLBACK round trip (issue #14: a push's
        # authentication and receipt check are each answered by single statements). SQLite: a reader.
        postgresql = engine.dialect.name == "postgresql"
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lookup_engine = autocommit if postgresql else deferred
        self._single_writer = sessionmaker(autocommit, expire_on_commit=False) if postgresql else self._writer

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A writing session; rolled back on exit unless the caller committed."""
        with self._writer() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A reading session: on SQLite it never waits for the write lock."""
        with self._reader() as session:
            yield session

    @contextmanager
    def single_write(self) -> Iterator[Session]:
        """A session for one write statement, then `commit()`: on PostgreSQL the statement commits itself
        (no BEGIN or COMMIT round trip); on SQLite it is a writer (BEGIN IMMEDIATE)."""
        with self._single_writer() as session:
            yield session

    @contextmanager
    def lookup(self) -> Iterator[Connection]:
        """A reading connection for Core statements that need not agree with each other: each sees what is
        committed when it runs (on PostgreSQL, READ COMMITTED gives that inside a transaction too), so
        nothing is saved by wrapping them in one. Never for a pull page: that needs one snapshot. A
        Connection, not a Session: every desk request is authenticated through it, and a Session around
        one statement cost about a third of that statement's CPU (issue #14)."""
        with self._lookup_engine.connect() as connection:
            yield connection

    def ping(self) -> None:
        with self.reader() as session:
            session.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def canonical_uuid(value: object) -> str | None:
    """The canonical text of a UUID (lower case, hyphens), or None when `value` is not one.

    Checked before a query: PostgreSQL refuses to compare anything else with a uuid column, and SQLite
    stores the canonical text only.
    """
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def lock_key(session: Session, key: str) -> None:
    """Serialise writers on `key` until the transaction ends (a check-then-insert stays race-free).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, BEGIN IMMEDIATE already holds
    the database's single write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
