"""Roles and permissions at the desk: the matrix, refusals in ar/en, a manager's PIN elevating one action,
lock-out that survives the refused action's rollback, and revoked people holding nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Forbidden
from salon_desk.domain.model import Actor
from salon_desk.domain.permissions import ROLE_PERMISSIONS, Permission, matrix, require
from salon_desk.l10n import get_localizer
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.authority import authorise
from salon_desk.usecases.desk import DeskService

PEPPER = b"p" * 32


@pytest.fixture
def desk(engine, clock):
    factory = make_uow_factory(engine, clock, device_id="desk-test", pin_pepper=lambda _salon: PEPPER)
    return DeskService(factory, Actor("nobody", Role.RECEPTIONIST, "desk-test"))


def user(desk: DeskService, role: Role) -> Actor:
    found = next(u for u in desk.users.list() if u.role is role)
    return Actor(found.id, found.role, "desk-test", found.name)


def signed_in(desk: DeskService, role: Role) -> Actor:
    return desk.users.sign_in(user(desk, role).user_id, DEMO_PIN)


EXPECTED = {
    Role.RECEPTIONIST: set(),
    Role.MANAGER: set(Permission) - {Permission.SALON_SETTINGS},
    Role.OWNER: set(Permission),
}


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.MANAGER, Role.OWNER])
def test_role_matrix_at_the_desk(desk, role, permission):
    actor = signed_in(desk, role)
    with desk.users.uow() as uow:
        if permission in EXPECTED[role]:
            assert authorise(uow, actor, permission) == actor
        else:
            with pytest.raises(Forbidden) as refused:
                authorise(uow, actor, permission)
            assert refused.value.code == "permission.denied"
            assert refused.value.params == {"permission": permission.value}


def test_matrix_is_data_and_customers_hold_nothing():
    assert {r: set(p) for r, p in ROLE_PERMISSIONS.items()} == EXPECTED
    assert [row[0] for row in matrix()] == list(Permission)
    with pytest.raises(Forbidden):
        require(Role.CUSTOMER, Permission.REPORTS)


def test_refusal_is_translated_naming_the_action():
    error = Forbidden("permission.denied", permission="staff")
    en = get_localizer("en").error(error)
    ar = get_localizer("ar").error(error)
    assert "change staff" in en
    assert ar != en and "الموظفين" in ar


def own_pin_for_manager(desk: DeskService) -> Actor:
    """The demo's users share one PIN; give the manager her own (the owner resets it)."""
    manager = user(desk, Role.MANAGER)
    signed_in(desk, Role.OWNER)
    desk.users.reset_pin(manager.user_id, "5827")
    return manager


def test_managers_pin_elevates_one_action(desk):
    manager = own_pin_for_manager(desk)
    receptionist = signed_in(desk, Role.RECEPTIONIST)
    with desk.users.uow() as uow:
        acting = authorise(uow, receptionist, Permission.REFUND, manager_pin="٥٨٢٧")  # Arabic-Indic digits
    assert acting.user_id == manager.user_id and acting.role is Role.MANAGER
    assert acting.device_id == "desk-test"
    # The elevation was for that action only: the desk still acts as the receptionist.
    assert desk.actor.user_id == receptionist.user_id
    assert not desk.users.can(Permission.REFUND)


def test_wrong_manager_pins_lock_out_even_though_each_action_rolls_back(desk, clock):
    own_pin_for_manager(desk)
    receptionist = signed_in(desk, Role.RECEPTIONIST)
    for _ in range(5):
        with pytest.raises(Forbidden) as refused:
            desk.users.check(Permission.STAFF, manager_pin="9071")
        assert refused.value.code == "pin.no_manager"
    with pytest.raises(Forbidden) as locked:
        desk.users.check(Permission.STAFF, manager_pin="5827")  # even the right PIN waits
    assert locked.value.code == "pin.locked"
    assert "until_time" in locked.value.params
    clock.advance(seconds=31)
    assert desk.users.check(Permission.STAFF, manager_pin="5827").role is Role.MANAGER
    assert desk.actor == receptionist


def test_receptionists_own_pin_does_not_elevate(desk):
    signed_in(desk, Role.RECEPTIONIST)
    with pytest.raises(Forbidden) as refused:
        desk.users.check(Permission.STAFF, manager_pin=DEMO_PIN[::-1])
    assert refused.value.code == "pin.no_manager"


def test_role_changed_elsewhere_applies_at_once(desk, engine):
    manager = signed_in(desk, Role.MANAGER)
    with engine.begin() as con:  # as a pulled row would: this desk's copy now says receptionist
        con.execute(text("UPDATE desk_user SET role = 'receptionist' WHERE id = :id"), {"id": manager.user_id})
    with pytest.raises(Forbidden):
        desk.users.check(Permission.STAFF)


def test_revoked_person_holds_nothing(desk, engine):
    manager = signed_in(desk, Role.MANAGER)
    with engine.begin() as con:  # revoked on another desk, arrived by sync
        con.execute(text("UPDATE desk_user SET active = 0 WHERE id = :id"), {"id": manager.user_id})
    with pytest.raises(Forbidden) as refused:
        desk.users.check(Permission.STAFF)
    assert refused.value.code == "permission.user_revoked"
    with pytest.raises(Forbidden) as refused:
        desk.users.sign_in(manager.user_id, DEMO_PIN)
    assert refused.value.code == "permission.user_revoked"
