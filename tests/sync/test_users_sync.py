"""Desk users through the real cloud: a person added on one desk signs in on another; a revoked person is
refused by the cloud from then on and by an offline desk from its next sync; the cloud checks the actor's
role in its own copy of the salon's users, so a forged manager is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Forbidden
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor
from salon_desk.domain.pin import hash_pin
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.commands import AddCustomer
from salon_desk.usecases.desk import DeskService

from .conftest import Desk, SyncWorld

PEPPER = b"s" * 32  # the salon's pepper: the same on every desk of the salon


def staffed(desk: Desk) -> DeskService:
    """The desk's facade with the salon's PIN pepper (as app.py wires it from the keyring)."""
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id, pin_pepper=lambda _salon: PEPPER)
    return DeskService(factory, desk.service.actor)


def user_id(desk: DeskService, role: Role) -> str:
    return next(u.id for u in desk.users.list() if u.role is role)


def cloud_user(world: SyncWorld, uid: str) -> dict:
    with world.cloud.db.reader() as session:
        row = session.execute(
            text("SELECT name, role, active, pin_hash FROM desk_user WHERE salon_id = :s AND id = :i"),
            {"s": world.salon_id, "i": uid},
        ).mappings().first()
        return dict(row) if row else {}


def test_a_person_added_on_one_desk_signs_in_on_another(sync_world: SyncWorld) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    desk1.users.sign_in(user_id(desk1, Role.MANAGER), DEMO_PIN)
    hessa = desk1.users.add("حصة", Role.RECEPTIONIST, "٥٨٢٧").id
    report = d1.sync.sync_once()
    assert report.ok and report.refused == 0 and report.applied >= 2  # the manager's rehash + the new user
    assert cloud_user(sync_world, hessa)["role"] == "receptionist"
    assert d2.sync.sync_once().ok
    assert desk2.users.sign_in(hessa, "5827").name == "حصة"


def test_revoked_person_is_refused_by_the_cloud_and_by_an_offline_desk_from_its_next_sync(
    sync_world: SyncWorld,
) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    receptionist = user_id(desk2, Role.RECEPTIONIST)
    desk2.users.sign_in(receptionist, DEMO_PIN)  # desk 2 goes offline with her signed in
    desk1.users.sign_in(user_id(desk1, Role.OWNER), DEMO_PIN)
    desk1.users.revoke(receptionist)
    assert d1.sync.sync_once().refused == 0
    assert not cloud_user(sync_world, receptionist)["active"]

    desk2.customers.add(AddCustomer("Late change", "0551230000"))  # made offline, after the revocation
    report = d2.sync.sync_once()
    assert report.refused >= 1
    with sync_world.cloud.db.reader() as session:
        codes = set(session.execute(
            text("SELECT code FROM mutation_receipt WHERE salon_id = :s AND device_id = :d AND status = 'refused'"),
            {"s": sync_world.salon_id, "d": d2.device_id},
        ).scalars())
    assert "permission.user_revoked" in codes
    with pytest.raises(Forbidden) as refused:
        desk2.users.sign_in(receptionist, DEMO_PIN)
    assert refused.value.code == "permission.user_revoked"


def push_forged(desk: Desk, actor: Actor, role: str = "manager") -> None:
    """Writes a desk_user.create straight into the outbox, as a tampered desk could, bypassing the use case."""
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id)
    uow = factory()
    with uow:
        uow.record(MutationName.DESK_USER_CREATE, "desk_user", new_id(),
                   {"name": "Forged", "role": role, "pin_hash": hash_pin("5827", PEPPER)}, actor)
        uow.commit()


def receipt_codes(world: SyncWorld, desk: Desk) -> list[str | None]:
    with world.cloud.db.reader() as session:
        return list(session.execute(
            text("SELECT code FROM mutation_receipt WHERE salon_id = :s AND device_id = :d ORDER BY device_seq"),
            {"s": world.salon_id, "d": desk.device_id},
        ).scalars())


def test_cloud_refuses_a_forged_manager(sync_world: SyncWorld) -> None:
    d1 = sync_world.desk("Desk 1")
    desk1 = staffed(d1)
    receptionist = user_id(desk1, Role.RECEPTIONIST)
    manager = user_id(desk1, Role.MANAGER)
    # The receptionist's own id, claiming the manager's role.
    push_forged(d1, Actor(receptionist, Role.MANAGER, d1.device_id))
    # An id that is nobody of this salon, claiming manager.
    push_forged(d1, Actor(new_id(), Role.MANAGER, d1.device_id))
    # A real manager may add a receptionist, but not an owner.
    push_forged(d1, Actor(manager, Role.MANAGER, d1.device_id), role="receptionist")
    push_forged(d1, Actor(manager, Role.MANAGER, d1.device_id), role="owner")
    report = d1.sync.sync_once()
    assert (report.applied, report.refused) == (1, 3)
    assert receipt_codes(sync_world, d1) == ["permission.denied", "permission.denied", None, "permission.rank"]
    with sync_world.cloud.db.reader() as session:
        names = list(session.execute(
            text("SELECT role FROM desk_user WHERE salon_id = :s AND name = 'Forged'"), {"s": sync_world.salon_id}
        ).scalars())
    assert names == ["receptionist"]
