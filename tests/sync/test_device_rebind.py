"""A desk restored from a backup (issue #14, specs/sync.md §3.15): its device_seq repeats numbers the server
has seen, so its push answers 409 device_rewound; with a manager's code for exactly this desk,
`POST /v1/devices/rebind` rotates its token and says the server's last device_seq, the desk renumbers its
pending outbox above it, pushes, and pulls what it lost. Real uvicorn; SQLite, and PostgreSQL when
SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from sqlalchemy import select

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.secrets import SERVICE
from salon_desk.store.engine import make_engine
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.engine import SyncEngine, make_sync_engine
from salon_desk.sync.session import SyncSession
from salon_desk.usecases.desk import DeskService
from tests.conftest import DEMO_NOW, FixedClock
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    ACTOR_ID,
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)


class MemorySecrets:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set(self, service: str, username: str, secret: str) -> None:
        self.values[(service, username)] = secret

    def delete(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


def open_desk(world: SyncWorld, path: Path, device_id: str, token: str, name: str) -> Desk:
    clock = FixedClock(DEMO_NOW)
    engine = make_engine(path)
    actor = Actor(user_id=ACTOR_ID, role=Role.RECEPTIONIST, device_id=device_id, name=name)
    service = DeskService(make_uow_factory(engine, clock, device_id=device_id), actor)
    http = httpx.Client(base_url=world.cloud.base_url, timeout=15)
    sync_engine = make_sync_engine(path)
    sync = SyncEngine(sync_engine, SyncApi(world.cloud.base_url, token, client=http), device_id=device_id, clock=clock)
    desk = Desk(name, path, device_id, engine, sync_engine, service, sync, clock, http)
    world.desks.append(desk)
    return desk


def backup(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def cloud_booking_ids(world: SyncWorld) -> set[str]:
    table = REPLICATED_TABLES["booking"]
    with world.cloud.db.reader() as session:
        return set(session.scalars(select(table.c.id).where(table.c.salon_id == world.salon_id)))


def test_a_restored_desk_is_rebound_with_a_managers_code_and_loses_nothing(sync_world: SyncWorld) -> None:  # noqa: F811
    world, cloud = sync_world, sync_world.cloud
    answer = cloud.enrol(cloud.issue_code(world.salon_id, "receptionist"), device_name="Front desk").json()
    device_id, token = answer["device_id"], answer["token"]
    live = world.folder / "front.db"
    live.write_bytes(world.template.read_bytes())
    desk = open_desk(world, live, device_id, token, "Front desk")
    assert desk.sync.sync_once().ok

    first = desk.service.bookings.create(free_booking(desk, day_offset=2)).id
    backup(live, world.folder / "backup.db")  # taken before `first` was pushed
    assert desk.sync.sync_once().applied == 1
    second = desk.service.bookings.create(free_booking(desk, day_offset=3)).id
    assert desk.sync.sync_once().applied == 1
    desk.close()
    world.desks.remove(desk)

    restored = open_desk(world, world.folder / "backup.db", device_id, token, "Front desk")
    third = restored.service.bookings.create(free_booking(restored, day_offset=4)).id
    report = restored.sync.sync_once()
    assert report.blocked_code == "device_rewound" and restored.sync.status().pending == 2  # kept

    manager = cloud.enrolled_desk("manager", salon_id=world.salon_id)[1]
    with cloud.client(headers={"Authorization": f"Bearer {manager}"}) as http:
        ordinary = http.post("/v1/devices/enrolment-codes", json={"role": "receptionist"}).json()["code"]
        approval = http.post(
            "/v1/devices/enrolment-codes", json={"role": "receptionist", "rebind_device_id": device_id}
        ).json()["code"]
    with cloud.client() as http:
        assert http.post("/v1/devices/rebind", json={"code": approval}).status_code == 401  # needs its token
        refused = http.post(
            "/v1/devices/rebind", json={"code": ordinary}, headers={"Authorization": f"Bearer {token}"}
        )
    assert refused.status_code == 409 and refused.json()["code"] == "enrolment.rebind_mismatch"

    secrets = MemorySecrets()
    session = SyncSession(restored.path, cloud.base_url, device_id, token)  # what the desk's worker owns
    try:
        session.rebind(approval, secrets)
        new_token = secrets.get(SERVICE, device_id)
        assert new_token and new_token != token  # stored in the keyring before anything else used it
        report = session.sync_once()
        assert report.ok and report.applied == 2, report  # `first` answered from its receipt, `third` applied
        fourth = restored.service.bookings.create(free_booking(restored, day_offset=5)).id  # numbers on
        assert session.sync_once().applied == 1
    finally:
        session.close()
    with cloud.client() as http:  # the code was used up; the old token no longer signs requests
        again = http.post(
            "/v1/devices/rebind", json={"code": approval}, headers={"Authorization": f"Bearer {new_token}"}
        )
        assert again.status_code == 409 and again.json()["code"] == "enrolment.code_used"
        assert http.get("/v1/devices/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    assert restored.sync.status().pending == 0
    assert {first, second, third} <= {row[0] for row in restored.rows("SELECT id FROM booking")}
    assert {first, second, third, fourth} <= cloud_booking_ids(world)
