"""Sync fixtures: the real cloud (uvicorn on 127.0.0.1, migrated SQLite or PostgreSQL) holding the demo
salon, and desks built from the demo database, each with its own SQLite file, use cases and sync engine.

    def test_x(sync_world):
        desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
        desk1.service.bookings.create(...); desk1.sync.sync_once()
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, text

from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.store.engine import make_engine
from salon_desk.store.rows import SalonRow
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.engine import SyncEngine, make_sync_engine
from salon_desk.usecases.commands import CreateBooking, ItemRequest
from salon_desk.usecases.desk import DeskService
from tests.cloud.conftest import (  # noqa: F401 - fixtures reused from the cloud suite
    CLOUD_T0,
    CloudServer,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
)
from tests.conftest import DEMO_NOW, FixedClock

ACTOR_ID = "00000000-0000-7000-8000-0000000000a1"


@dataclass
class Desk:
    name: str
    path: Path
    device_id: str
    engine: Engine
    sync_engine: Engine
    service: DeskService
    sync: SyncEngine
    clock: FixedClock
    http: httpx.Client

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def close(self) -> None:
        self.http.close()
        self.engine.dispose()
        self.sync_engine.dispose()


@dataclass
class SyncWorld:
    cloud: CloudServer
    template: Path
    folder: Path
    salon_id: str
    desks: list[Desk] = field(default_factory=list)

    def desk(self, name: str, transport: httpx.BaseTransport | None = None) -> Desk:
        answer = self.cloud.enrol(self.cloud.issue_code(self.salon_id, "receptionist"), device_name=name)
        assert answer.status_code == 201, answer.text
        device_id, token = answer.json()["device_id"], answer.json()["token"]
        path = self.folder / f"{name.replace(' ', '-').lower()}.db"
        shutil.copy(self.template, path)
        clock = FixedClock(DEMO_NOW)
        engine = make_engine(path)
        actor = Actor(user_id=ACTOR_ID, role=Role.RECEPTIONIST, device_id=device_id, name=name)
        service = DeskService(make_uow_factory(engine, clock, device_id=device_id), actor)
        http = httpx.Client(
            base_url=self.cloud.base_url, timeout=httpx.Timeout(15, connect=5), transport=transport
        )
        sync_engine = make_sync_engine(path)
        sync = SyncEngine(
            sync_engine, SyncApi(self.cloud.base_url, token, client=http), device_id=device_id, clock=clock
        )
        desk = Desk(name, path, device_id, engine, sync_engine, service, sync, clock, http)
        self.desks.append(desk)
        return desk


@pytest.fixture
def sync_world(cloud_server: CloudServer, demo_template: Path, tmp_path: Path) -> Iterator[SyncWorld]:  # noqa: F811
    cloud_server.clock.advance((DEMO_NOW - CLOUD_T0).total_seconds())  # server and desks agree on "now"
    engine = make_engine(demo_template)
    with engine.connect() as conn:
        salon_id = conn.execute(select(SalonRow.id)).scalar_one()
    engine.dispose()
    import_desk(cloud_server.db, demo_template, salon_id, cloud_server.clock)
    world = SyncWorld(cloud_server, demo_template, tmp_path, salon_id)
    yield world
    for desk in world.desks:
        desk.close()


def free_booking(desk: Desk, *, day_offset: int = 1, after: datetime | None = None) -> CreateBooking:
    """A booking request that fits on `desk` right now: first qualified staff/service with a free start."""
    service = desk.service
    start = after or (DEMO_NOW + timedelta(days=day_offset)).replace(hour=7, minute=0)  # 10:00 Riyadh
    for svc in service.reference.services():
        for staff_id in service.reference.qualified_staff(svc.id):
            for step in range(0, 20):
                cmd = CreateBooking(
                    (ItemRequest(svc.id, staff_id, start + timedelta(minutes=30 * step)),),
                    customer_id=first_customer(desk),
                )
                try:
                    service.bookings.check(cmd)
                except Exception:  # noqa: BLE001 - try the next start
                    continue
                return cmd
    raise AssertionError("no free slot in the demo salon")


def first_customer(desk: Desk) -> str:
    return desk.scalar("SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
