"""One PIN pepper per salon, handed out by the cloud at enrolment (domain.pin, cloud/devices/pepper.py): desks
enrolled through the real cloud (an enrolment code, a rebind code, a provisioning code) all hold the salon's
pepper in their keyring, so a person added on one desk signs in on another with the same PIN. A desk that set
PINs before it enrolled keeps its own pepper as a previous one: those PINs still work there and are rewritten
with the salon's at the next sign-in, which sync carries to the other desks; until then another desk says it
cannot check that PIN (not "wrong PIN", and no lock-out). The pepper is in no database and no log."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from salon_desk import __version__
from salon_desk.app import DeskRuntime, open_desk
from salon_desk.cloud.devices.pepper import salon_pin_pepper
from salon_desk.cloud.devices.provisioning import ProvisioningService
from salon_desk.cloud.settings import DEVELOPMENT_PIN_PEPPER_KEY
from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain import pin as pins
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Forbidden
from salon_desk.provisioning import post_provision
from salon_desk.secrets import PIN_PEPPER_PREVIOUS_USER, PIN_PEPPER_USER, SERVICE, MemorySecretStore
from salon_desk.sync.engine import DESK_SCHEMA_VERSION
from salon_desk.sync.session import open_sync_session, run_until_caught_up
from salon_desk.sync.transport import post_enrol
from salon_desk.usecases.enrolment import EnrolmentError, cloud_link, enrol_desk
from salon_desk.usecases.provisioning import provision_desk
from tests.conftest import DEMO_NOW, FixedClock

from .conftest import SyncWorld


class DeskPc:
    """One front-desk PC: its data folder and its own OS keyring, opened the way app.py opens it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.keyring = folder, MemorySecretStore()

    def open(self) -> DeskRuntime:
        return open_desk(self.folder, clock=FixedClock(DEMO_NOW), secrets=self.keyring)

    def pepper(self, salon_id: str) -> str:
        return self.keyring.get(SERVICE, PIN_PEPPER_USER.format(salon_id=salon_id)) or ""

    def sync(self) -> None:
        runtime = self.open()
        try:
            link = cloud_link(runtime.engine)
            assert link is not None
            database = runtime.paths.database
        finally:
            runtime.close()
        session = open_sync_session(database, link.cloud_url, link.device_id,
                                    self.keyring.get(SERVICE, link.device_id) or "")
        try:
            report = run_until_caught_up(session)
        finally:
            session.close()
        assert report.ok and report.refused == 0, report

    def sign_in(self, user_id: str, pin: str) -> str:
        runtime = self.open()
        try:
            return runtime.desk.users.sign_in(user_id, pin).name
        finally:
            runtime.close()

    def pin_hash(self, user_id: str) -> str:
        runtime = self.open()
        try:
            with runtime.engine.connect() as con:
                return str(con.execute(text("SELECT pin_hash FROM desk_user WHERE id = :i"), {"i": user_id}).scalar())
        finally:
            runtime.close()


def enrol(pc: DeskPc, world: SyncWorld, code: str) -> None:
    runtime = pc.open()
    try:
        enrol_desk(runtime.engine, pc.keyring, post_enrol, cloud_url=world.cloud.base_url, code=code,
                   device_name=pc.folder.name, app_version=__version__, schema_version=DESK_SCHEMA_VERSION)
    finally:
        runtime.close()


def owner_of(pc: DeskPc) -> str:
    runtime = pc.open()
    try:
        return next(u.id for u in runtime.desk.users.list() if u.role is Role.OWNER)
    finally:
        runtime.close()


def everything_stored(world: SyncWorld, *pcs: DeskPc) -> tuple[bytes, str]:
    """Every byte of every desk's data folder (database, WAL, logs) and every row of every cloud table."""
    desk_bytes = b"".join(p.read_bytes() for pc in pcs for p in pc.folder.rglob("*") if p.is_file())
    engine = world.cloud.db.engine
    with engine.connect() as con:
        cloud_rows = "\n".join(
            repr(row) for table in inspect(engine).get_table_names()
            for row in con.execute(text(f'SELECT * FROM "{table}"'))
        )
    return desk_bytes, cloud_rows


def test_every_desk_of_the_salon_gets_its_pepper_and_signs_in_people_from_the_others(
    sync_world: SyncWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    salon = sync_world.salon_id
    salon_pepper = salon_pin_pepper(DEVELOPMENT_PIN_PEPPER_KEY, salon)

    # Desk A works before it joins the cloud: its owner signs in and adds Hessa, with A's own pepper.
    a = DeskPc(tmp_path / "desk-a")
    a.folder.mkdir()
    shutil.copy(sync_world.template, a.folder / "salon-desk.db")
    owner = owner_of(a)
    runtime = a.open()
    try:
        runtime.desk.users.sign_in(owner, DEMO_PIN)  # the demo's old scrypt hash is rewritten with A's pepper
        hessa = runtime.desk.users.add("حصة", Role.RECEPTIONIST, "٥٨٢٧").id
    finally:
        runtime.close()
    own = bytes.fromhex(a.pepper(salon))
    assert own != salon_pepper and a.pin_hash(hessa).startswith(f"pin3${pins.pepper_id(own)}$")

    # A enrols: the salon's pepper replaces its own, which stays as a previous one.
    refused = sync_world.cloud.enrol("00000000")
    assert refused.status_code >= 400 and "pin_pepper" not in refused.text  # only a successful enrolment has it
    enrol(a, sync_world, sync_world.cloud.issue_code(salon, "manager"))
    assert a.pepper(salon) == salon_pepper.hex()
    assert a.keyring.get(SERVICE, PIN_PEPPER_PREVIOUS_USER.format(salon_id=salon)) == own.hex()
    assert a.sign_in(hessa, "5827") == "حصة"  # set with A's own pepper: still works here, and is rewritten
    assert a.pin_hash(hessa).startswith(f"pin3${pins.pepper_id(salon_pepper)}$")
    runtime = a.open()  # the owner does not sign in on A after it enrolled: their hash keeps A's own pepper
    try:
        manager = next(u.id for u in runtime.desk.users.list() if u.role is Role.MANAGER)
        runtime.desk.users.sign_in(manager, DEMO_PIN)
        noura = runtime.desk.users.add("Noura", Role.RECEPTIONIST, "3719").id  # added after enrolment
    finally:
        runtime.close()
    a.sync()

    # Desk B is a fresh PC provisioned by IT with a provisioning code: it gets the same pepper.
    b = DeskPc(tmp_path / "desk-b")
    code = ProvisioningService(sync_world.cloud.db, sync_world.cloud.clock).issue(salon, "receptionist").code
    runtime = b.open()
    try:
        provision_desk(runtime.engine, b.keyring, post_provision, cloud_url=sync_world.cloud.base_url,
                       salon_id=salon, code=code, device_name="Desk B", app_version=__version__,
                       schema_version=DESK_SCHEMA_VERSION)
    finally:
        runtime.close()
    assert b.pepper(salon) == salon_pepper.hex()
    b.sync()
    assert b.sign_in(noura, "3719") == "Noura"  # added on A, signs in on B with the same PIN
    assert b.sign_in(hessa, "٥٨٢٧") == "حصة"  # set on A before it enrolled, rewritten there, now everywhere

    # The owner has not signed in on A since it enrolled: B cannot check that PIN yet, and says so.
    for _ in range(pins.FREE_ATTEMPTS + 2):
        with pytest.raises(Forbidden) as cannot:
            b.sign_in(owner, DEMO_PIN)
        assert cannot.value.code == "pin.other_pepper"  # never "wrong PIN", never a lock-out
    assert a.sign_in(owner, DEMO_PIN)
    a.sync()
    b.sync()
    assert b.sign_in(owner, DEMO_PIN)

    # Re-enrolling A with a manager's rebind code: the same pepper again, nothing else moves.
    runtime = a.open()
    try:
        link = cloud_link(runtime.engine)
        assert link is not None
    finally:
        runtime.close()
    rebind = sync_world.cloud.services.enrolment.issue_code(salon, "manager", rebind_device_id=link.device_id).code
    enrol(a, sync_world, rebind)
    assert a.pepper(salon) == salon_pepper.hex()
    assert a.keyring.get(SERVICE, PIN_PEPPER_PREVIOUS_USER.format(salon_id=salon)) == own.hex()

    # The pepper (the salon's and A's own) is in no database, no log file and no log record.
    desk_bytes, cloud_rows = everything_stored(sync_world, a, b)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for pepper in (salon_pepper, own):
        assert pepper.hex().encode() not in desk_bytes and pepper not in desk_bytes
        assert pepper.hex() not in cloud_rows and repr(pepper) not in cloud_rows
        assert pepper.hex() not in logged and repr(pepper)[2:-1] not in logged


def test_an_enrolment_answer_without_a_well_formed_pepper_is_refused_and_nothing_is_kept(
    sync_world: SyncWorld, tmp_path: Path
) -> None:
    pc = DeskPc(tmp_path / "desk")
    good = sync_world.cloud.enrol(sync_world.cloud.issue_code(sync_world.salon_id)).json()
    for answer in ({k: v for k, v in good.items() if k != "pin_pepper"}, {**good, "pin_pepper": "ab" * 16}):
        runtime = pc.open()
        try:
            with pytest.raises(EnrolmentError) as refused:
                enrol_desk(runtime.engine, pc.keyring, lambda _url, _body, answer=answer: answer,
                           cloud_url=sync_world.cloud.base_url, code="12345678", device_name="Desk",
                           app_version=__version__, schema_version=DESK_SCHEMA_VERSION)
            assert refused.value.code == "enrol.refused" and good["token"] not in repr(refused.value)
            assert cloud_link(runtime.engine) is None
        finally:
            runtime.close()
        assert pc.keyring.get(SERVICE, good["device_id"]) is None and not pc.pepper(sync_world.salon_id)
