"""Desk enrolment (specs/sync.md §3.11): keyring rules, `salon-desk enrol` against the real cloud, initial
sync of a new, empty desk, and the token never reaching SQLite, logs or diagnostics."""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from sqlalchemy import Engine, select, text

from salon_desk.app import open_desk
from salon_desk.cli import desk_main
from salon_desk.cloud.sync.tables import MutationReceiptRow
from salon_desk.diagnose import report as diagnose_report
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.secrets import (
    ALLOW_INSECURE_ENV,
    SERVICE,
    InsecureKeyringError,
    KeyringSecretStore,
    MemorySecretStore,
    is_secure_backend,
)
from salon_desk.store.engine import make_engine
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.engine import SyncEngine, make_sync_engine
from salon_desk.sync.session import enrol_this_desk
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.enrolment import EnrolmentError, cloud_link, enrolled_desk
from tests.conftest import DEMO_NOW, FixedClock
from tests.sync.conftest import ACTOR_ID, Desk, SyncWorld, free_booking


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend (a test never touches the OS keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class PlaintextKeyring(MemoryKeyring):
    """Stands for keyrings.alt.file.PlaintextKeyring (not installed here): same module prefix rule."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# ---------------------------------------------------------------- the secret store


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), PlaintextKeyring()])
def test_insecure_keyring_backends_fail_loudly(
    backend: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_INSECURE_ENV, raising=False)
    assert not is_secure_backend(backend)
    with pytest.raises(InsecureKeyringError) as caught:
        KeyringSecretStore(backend)
    from salon_desk.l10n import get_localizer

    arabic = caught.value.message(get_localizer("ar"))
    assert type(backend).__module__ in arabic and "مخزن" in arabic


def test_it_may_allow_an_insecure_keyring_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_ENV, "1")
    store = KeyringSecretStore(PlaintextKeyring())
    store.set(SERVICE, "device", "sd_dev_x")
    assert store.get(SERVICE, "device") == "sd_dev_x"
    monkeypatch.delenv(ALLOW_INSECURE_ENV)
    assert KeyringSecretStore(PlaintextKeyring(), allow_insecure=True).get(SERVICE, "device") is None


def test_keyring_store_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyringSecretStore()
    store.set(SERVICE, "d1", "sd_dev_secret")
    assert memory_keyring.passwords == {(SERVICE, "d1"): "sd_dev_secret"}
    store.delete(SERVICE, "d1")
    store.delete(SERVICE, "d1")  # deleting twice is fine
    assert store.get(SERVICE, "d1") is None
    memory = MemorySecretStore()
    memory.set(SERVICE, "d1", "t")
    assert memory.get(SERVICE, "d1") == "t"


# ---------------------------------------------------------------- enrol + initial sync


def test_enrol_command_initial_syncs_a_new_desk(
    sync_world: SyncWorld,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
    folder = tmp_path / "new-desk"
    args = ["enrol", "--cloud", sync_world.cloud.base_url, "--code", code, "--name", "Reception 2"]
    assert desk_main([*args, "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "first sync done" in out

    runtime = open_desk(folder)
    try:
        link = cloud_link(runtime.engine)
        assert link is not None and link.salon_id == sync_world.salon_id
        enrolled = enrolled_desk(runtime.engine, KeyringSecretStore())
        assert enrolled is not None
        token = enrolled[1]
        assert token.startswith("sd_dev_") and memory_keyring.passwords[(SERVICE, link.device_id)] == token
        assert runtime.desk.actor.device_id == link.device_id
        source = open_desk(sync_world.template.parent, device_id="source")
        try:
            for day in (date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 20)):
                new_view, old_view = runtime.desk.calendar.day_view(day), source.desk.calendar.day_view(day)
                assert new_view.blocks and new_view == old_view
            assert runtime.desk.customers.count("") == source.desk.customers.count("")
        finally:
            source.close()
    finally:
        runtime.close()

    database_bytes = b"".join(p.read_bytes() for p in folder.glob("salon-desk.db*"))
    assert token.encode() not in database_bytes
    assert b"sd_dev_" not in database_bytes
    assert token not in caplog.text and token not in out
    assert token not in diagnose_report(folder)


def test_enrol_refuses_a_wrong_code(
    sync_world: SyncWorld, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    url = sync_world.cloud.base_url
    assert desk_main(["enrol", "--cloud", url, "--code", "00000000", "--data-dir", str(tmp_path / "d")]) == 1
    assert desk_main(["enrol", "--cloud", url, "--code", "123", "--data-dir", str(tmp_path / "d")]) == 1
    assert memory_keyring.passwords == {}


def test_enrol_without_a_secure_keyring_stores_nothing(
    sync_world: SyncWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_INSECURE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
        folder = tmp_path / "d"
        assert (
            desk_main(
                ["enrol", "--cloud", sync_world.cloud.base_url, "--code", code, "--data-dir", str(folder)]
            )
            == 2
        )
    finally:
        keyring.set_keyring(previous)
    runtime = open_desk(folder)
    try:
        assert cloud_link(runtime.engine) is None
    finally:
        runtime.close()


# ---------------------------------------------------------------- identity on re-enrolment (issue 8, finding 6)


def enrolled_copy(
    world: SyncWorld, secrets: MemorySecretStore, name: str, role: str = "receptionist"
) -> Desk:
    """A desk database (a copy of the demo salon) enrolled through the real use case and HTTP call."""
    path = world.folder / f"{name.replace(' ', '-').lower()}.db"
    shutil.copy(world.template, path)
    engine = make_engine(path)
    link = enrol_this_desk(
        engine, secrets, world.cloud.base_url, world.cloud.issue_code(world.salon_id, role), name
    )
    return desk_for(world, path, engine, link.device_id, secrets.get(SERVICE, link.device_id) or "", name)


def desk_for(world: SyncWorld, path: Path, engine: Engine, device_id: str, token: str, name: str) -> Desk:
    clock = FixedClock(DEMO_NOW)
    actor = Actor(user_id=ACTOR_ID, role=Role.RECEPTIONIST, device_id=device_id, name=name)
    service = DeskService(make_uow_factory(engine, clock, device_id=device_id), actor)
    http = httpx.Client(base_url=world.cloud.base_url, timeout=httpx.Timeout(15, connect=5))
    sync_engine = make_sync_engine(path)
    sync = SyncEngine(
        sync_engine, SyncApi(world.cloud.base_url, token, client=http), device_id=device_id, clock=clock
    )
    desk = Desk(name, path, device_id, engine, sync_engine, service, sync, clock, http)
    world.desks.append(desk)
    return desk


def book(desk: Desk, day_offset: int) -> str:
    return desk.service.bookings.create(free_booking(desk, day_offset=day_offset)).id


def outbox(desk: Desk) -> list[tuple[int, str, str]]:
    return [
        tuple(r) for r in desk.rows("SELECT device_seq, status, mutation_id FROM outbox ORDER BY device_seq")
    ]


def receipts(world: SyncWorld, mutation_ids: list[str]) -> dict[str, tuple[str, int, str]]:
    with world.cloud.db.reader() as session:
        rows = session.execute(
            select(
                MutationReceiptRow.mutation_id,
                MutationReceiptRow.device_id,
                MutationReceiptRow.device_seq,
                MutationReceiptRow.status,
            ).where(MutationReceiptRow.mutation_id.in_(mutation_ids))
        ).all()
    return {m: (d, s, status) for m, d, s, status in rows}


def test_re_enrolling_with_its_token_keeps_the_desks_id_and_its_pending_changes(
    sync_world: SyncWorld,
) -> None:
    secrets = MemorySecretStore()
    desk = enrolled_copy(sync_world, secrets, "Reception")
    book(desk, 1)
    before = outbox(desk)

    link = enrol_this_desk(
        desk.engine,
        secrets,
        sync_world.cloud.base_url,
        sync_world.cloud.issue_code(sync_world.salon_id),
        "Reception",
    )

    assert link.device_id == desk.device_id and outbox(desk) == before
    token = secrets.get(SERVICE, link.device_id)
    assert token and token != desk.sync._api._token  # noqa: SLF001 - a new token was bound to the same id
    again = desk_for(sync_world, desk.path, desk.engine, link.device_id, token, "Reception")
    report = again.sync.sync_once()
    assert report.ok and report.applied == 1, report


def test_a_revoked_desk_enrols_as_a_new_device_and_its_outbox_is_carried_over(sync_world: SyncWorld) -> None:
    cloud, secrets = sync_world.cloud, MemorySecretStore()
    desk = enrolled_copy(sync_world, secrets, "Reception")
    book(desk, 1)
    assert desk.sync.sync_once().applied == 1
    book(desk, 2)
    book(desk, 3)
    [(_, _, pushed), (_, _, second), (_, _, third)] = outbox(desk)
    cloud.services.devices.revoke(sync_world.salon_id, desk.device_id)
    assert desk.sync.sync_once().blocked_code == "device_revoked"

    link = enrol_this_desk(
        desk.engine, secrets, cloud.base_url, cloud.issue_code(sync_world.salon_id), "Reception"
    )

    assert link.device_id != desk.device_id  # a revoked id is never revived
    assert secrets.get(SERVICE, desk.device_id) is None
    assert outbox(desk) == [(-1, "retired", pushed), (1, "pending", second), (2, "pending", third)]
    assert cloud_link(desk.engine).device_id == link.device_id  # type: ignore[union-attr]
    fresh = desk_for(
        sync_world,
        desk.path,
        desk.engine,
        link.device_id,
        secrets.get(SERVICE, link.device_id) or "",
        "Reception",
    )
    report = fresh.sync.sync_once()
    assert report.ok and report.applied == 2, report
    book(fresh, 4)  # numbering goes on under the new device
    assert fresh.sync.sync_once().applied == 1
    [(_, _, fourth)] = [row for row in outbox(fresh) if row[0] == 3]
    assert receipts(sync_world, [pushed, second, third, fourth]) == {
        pushed: (desk.device_id, 1, "applied"),
        second: (link.device_id, 1, "applied"),
        third: (link.device_id, 2, "applied"),
        fourth: (link.device_id, 3, "applied"),
    }


def test_a_receptionist_code_cannot_take_over_the_manager_desks_identity(sync_world: SyncWorld) -> None:
    cloud = sync_world.cloud
    manager = cloud.enrol(cloud.issue_code(sync_world.salon_id, "manager"), device_name="Office").json()
    # A copy of the manager desk's database, without its token (say, restored on another computer).
    path = sync_world.folder / "copy.db"
    shutil.copy(sync_world.template, path)
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sync_state (key, value) VALUES ('device_id', :id)"),
            {"id": manager["device_id"]},
        )
    secrets = MemorySecretStore()
    try:
        with pytest.raises(EnrolmentError) as refused:
            enrol_this_desk(engine, secrets, cloud.base_url, cloud.issue_code(sync_world.salon_id), "Copy")
    finally:
        engine.dispose()
    assert refused.value.code == "enrolment.device_taken"
    from salon_desk.l10n import get_localizer

    assert "هوية هذا الجهاز" in refused.value.message(get_localizer("ar"))
    assert secrets.get(SERVICE, manager["device_id"]) is None
    with cloud.client() as http:
        me = http.get("/v1/devices/me", headers={"Authorization": f"Bearer {manager['token']}"})
    assert me.status_code == 200 and me.json()["role"] == "manager"
