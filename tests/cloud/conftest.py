"""Cloud fixtures: a real uvicorn on 127.0.0.1 (ephemeral port, in a thread) over a database built with
`alembic upgrade head`, on SQLite always and on PostgreSQL too when SALON_TEST_DATABASE_URL is set.

Reuse them from other cloud tests:
    def test_something(cloud_server):                    # default settings, console SMS provider
        with cloud_server.client() as http: ...
        cloud_server.clock.advance(60)                    # the server reads this ManualClock
    def test_other(start_cloud_server):
        server = start_cloud_server(otp_cooldown_seconds=30, sms_provider="authentica", ...)
Helpers on the server: create_salon(), issue_code(salon_id, role), enrol(code) -> answer JSON,
enrolled_desk(role) -> (salon_id, token).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import make_url, text

from salon_desk.cloud.app import create_app
from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database, make_engine
from salon_desk.cloud.deps import CloudServices
from salon_desk.cloud.messaging.base import MessageSender
from salon_desk.cloud.migrate import upgrade
from salon_desk.cloud.rows import metadata
from salon_desk.cloud.salons.service import create_salon
from salon_desk.cloud.settings import CloudSettings
from salon_desk.cloud.sync.api import drain_long_polls
from tests.fakes.authentica import FakeAuthentica

# Saturday 1 March 2025, 10:00 in Riyadh, on a whole second: Retry-After values come out exact.
CLOUD_T0 = datetime(2025, 3, 1, 7, 0, 0, tzinfo=UTC)
PG_ENV = "SALON_TEST_DATABASE_URL"


class IsolatedSettings(CloudSettings):
    """CloudSettings from keywords only: a developer's environment never changes a test."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_other_sources):  # type: ignore[no-untyped-def]
        return (init_settings,)


def cloud_settings(database_url: str, **overrides: Any) -> CloudSettings:
    """Settings for tests: the given fields over the defaults, never the process environment."""
    return IsolatedSettings(database_url=database_url, **overrides)


# ---------------------------------------------------------------- databases


class SqliteBackend:
    """Migrates one template file per session; each test gets a copy."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        upgrade(f"sqlite:///{self.template}")

    def fresh_url(self, tmp_path: Path) -> str:
        target = tmp_path / "cloud.db"
        shutil.copy(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        pass


# On disk, tables and their indexes, of the current schema (~1.3 MB when empty).
_TABLES_BYTES = text("SELECT sum(pg_total_relation_size(relid)) FROM pg_stat_user_tables "
                     "WHERE schemaname = current_schema()")
TRUNCATE_ABOVE_BYTES = 32 * 1024 * 1024


class PostgresBackend:
    """Creates a fresh database for the session (dropped afterwards); each test starts from empty tables."""

    name = "postgresql"

    def __init__(self, server_url: str) -> None:
        server = make_url(server_url).set(drivername="postgresql+psycopg")
        self._admin_conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
        self._database = f"salon_cloud_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._admin_conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self._database}"')
        self.url = server.set(database=self._database).render_as_string(hide_password=False)
        upgrade(self.url)
        self._engine = make_engine(self.url)

    def fresh_url(self, tmp_path: Path) -> str:
        # DELETE, dependants first: on tables this small it takes ~5 ms where one TRUNCATE of all 46 takes
        # ~150 ms (new files for every table and index), and a test session empties them a few hundred times.
        # But DELETE leaves every row behind as a dead tuple until autovacuum comes: after a big test (the
        # year-scale import, 239k rows) the next test would run on bloated tables beside a vacuum. So when the
        # tables have grown past a few test-sized salons, TRUNCATE gives them back their size.
        with self._engine.begin() as conn:
            if int(conn.scalar(_TABLES_BYTES) or 0) > TRUNCATE_ABOVE_BYTES:
                tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} CASCADE"))
            else:
                for table in reversed(metadata.sorted_tables):
                    conn.execute(table.delete())
        return self.url

    def close(self) -> None:
        self._engine.dispose()
        with psycopg.connect(self._admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._database}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def cloud_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if request.param == "postgresql":
        server_url = os.environ.get(PG_ENV)
        if not server_url:
            pytest.skip(f"{PG_ENV} is not set")
        backend: SqliteBackend | PostgresBackend = PostgresBackend(server_url)
    else:
        backend = SqliteBackend(tmp_path_factory.mktemp("cloud-template"))
    yield backend
    backend.close()


@pytest.fixture
def cloud_database_url(cloud_backend: Any, tmp_path: Path) -> str:
    """A migrated, empty cloud database for this test."""
    return cloud_backend.fresh_url(tmp_path)


# ---------------------------------------------------------------- the server


class _UvicornThread:
    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        # proxy_headers off, as `salon-cloud serve` runs it: the app alone decides whom to believe.
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", ws="none", proxy_headers=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="cloud-uvicorn", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        drain_long_polls(self._server.config.app)  # as `serve` does on SIGTERM (cloud/shutdown.py)
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


@dataclass
class CloudServer:
    base_url: str
    settings: CloudSettings
    clock: ManualClock
    app: FastAPI
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def services(self) -> CloudServices:
        return self.app.state.services

    @property
    def db(self) -> Database:
        return self.services.db

    def client(self, **kwargs: Any) -> httpx.Client:
        client = httpx.Client(base_url=self.base_url, timeout=15, **kwargs)
        self._clients.append(client)
        return client

    def create_salon(self, name_ar: str = "صالون الورد", name_en: str = "Rose Salon") -> str:
        return create_salon(self.db, self.clock, name_ar=name_ar, name_en=name_en)

    def issue_code(self, salon_id: str, role: str = "manager") -> str:
        return self.services.enrolment.issue_code(salon_id, role).code

    def enrol(self, code: str, device_name: str = "Desk 1", **extra: Any) -> httpx.Response:
        body = {
            "code": code,
            "device_name": device_name,
            "app_version": "1.0.0",
            "schema_version": 1,
            **extra,
        }
        return self.client().post("/v1/devices/enrol", json=body)

    def enrolled_desk(self, role: str = "manager", salon_id: str | None = None) -> tuple[str, str]:
        salon_id = salon_id or self.create_salon()
        answer = self.enrol(self.issue_code(salon_id, role))
        assert answer.status_code == 201, answer.text
        return salon_id, answer.json()["token"]

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()


StartCloudServer = Callable[..., CloudServer]


@pytest.fixture
def start_cloud_server(cloud_database_url: str) -> Iterator[StartCloudServer]:
    """Starts servers on this test's database: start(sender=None, app_hook=None, **CloudSettings fields)."""
    running: list[tuple[_UvicornThread, CloudServer]] = []

    def start(
        *,
        sender: MessageSender | None = None,
        app_hook: Callable[[FastAPI], None] | None = None,
        **overrides: Any,
    ) -> CloudServer:
        settings = cloud_settings(**{"database_url": cloud_database_url, **overrides})
        clock = ManualClock(CLOUD_T0)
        app = create_app(settings, clock=clock, sender=sender)
        if app_hook is not None:
            app_hook(app)
        thread = _UvicornThread(app)
        thread.start()
        server = CloudServer(f"http://127.0.0.1:{thread.port}", settings, clock, app)
        running.append((thread, server))
        return server

    yield start
    for thread, server in reversed(running):
        server.close_clients()
        thread.stop()


@pytest.fixture
def cloud_server(start_cloud_server: StartCloudServer) -> CloudServer:
    return start_cloud_server()


@pytest.fixture
def fake_authentica() -> Iterator[FakeAuthentica]:
    fake = FakeAuthentica().start()
    yield fake
    fake.stop()
