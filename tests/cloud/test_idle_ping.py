"""The PostgreSQL pool pings only a connection that sat idle (db._ping_idle_connections, issue #14): a
connection used moments ago goes straight to work; one idle past the threshold is pinged first and, if the
database dropped it meanwhile, replaced before the request ever sees it. Real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from salon_desk.cloud import db as db_module
from salon_desk.cloud.db import make_engine

from .conftest import cloud_backend, cloud_database_url  # noqa: F401 - fixtures


@pytest.fixture
def engine(cloud_database_url: str) -> Iterator[Engine]:  # noqa: F811
    if make_url(cloud_database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no server to lose a connection to")
    engine = make_engine(cloud_database_url)
    yield engine
    engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the dialect's own pings (the real ping still runs)."""
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_used_moments_ago_is_not_pinged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _backend_pid(engine)
    pings = _count_pings(engine, monkeypatch)

    again = [_backend_pid(engine) for _ in range(5)]

    assert again == [first] * 5 and pings == []  # the same connection, no round trip before each use


def test_an_idle_connection_the_database_dropped_is_replaced_before_use(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "IDLE_BEFORE_PING_SECONDS", 0.0)  # every checkout counts as idle
    dropped = _backend_pid(engine)
    _terminate(engine, dropped)  # an overnight restart, a proxy's idle timeout
    pings = _count_pings(engine, monkeypatch)

    replacement = _backend_pid(engine)  # no error reaches the caller

    assert replacement != dropped and pings  # pinged, found dead, reconnected


def test_without_the_idle_ping_a_dropped_connection_fails_once_and_the_pool_recovers(
    engine: Engine,
) -> None:
    """What the threshold trades: a connection dropped while in steady use fails the one statement that
    meets it; SQLAlchemy then drops the pool's older connections and the next request works."""
    dropped = _backend_pid(engine)
    _terminate(engine, dropped)

    with pytest.raises(OperationalError):
        _backend_pid(engine)

    assert _backend_pid(engine) != dropped
