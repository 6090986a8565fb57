"""Desk users: the first owner, sign-in with a PIN, adding people, resetting PINs, revoking access.

Every change is a replicated `desk_user` mutation (the PIN hash travels, never the PIN), so each desk of the
salon can sign its people in and refuses a revoked person from its next sync. Wrong PINs are counted on this
desk (lock-out with back-off, domain.pin); an old unpeppered hash, or one made with the pepper this desk had
before it enrolled (the salon's comes from the cloud), is rewritten with the salon's pepper at the next correct
sign-in, and sync carries it to the other desks.
"""

from __future__ import annotations

from dataclasses import dataclass

from salon_desk.domain import pin as pins
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Conflict, Forbidden
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, DeskUser
from salon_desk.domain.permissions import Permission, require_rank_over
from salon_desk.domain.rules import found
from salon_desk.domain.users import Credential, check_keeps_an_owner, check_name, check_role
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .authority import authorise, current_actor
from .result import Result

ENTITY = "desk_user"


@dataclass(frozen=True)
class AddUser:
    name: str
    role: Role | str
    pin: str
    manager_pin: str | None = None


@dataclass(frozen=True)
class ResetPin:
    user_id: str
    new_pin: str
    manager_pin: str | None = None


def desk_users(uow: UnitOfWork, *, active_only: bool = True) -> list[DeskUser]:
    with uow:
        return uow.users.users(active_only=active_only)


def needs_owner(uow: UnitOfWork) -> bool:
    """True on the first run of a new salon: nobody can sign in yet, so the owner is created first."""
    with uow:
        return uow.users.count() == 0


def set_up_owner(uow: UnitOfWork, name: str, pin: str, device_id: str = "local") -> Actor:
    """Creates the salon's first user, its owner, and returns them signed in. Refused once anyone exists."""
    with uow:
        if uow.users.count():
            raise Conflict("user.already_set_up")
        clean, code = check_name(name), pins.check_new_pin(pin)
        user_id = new_id()
        owner = Actor(user_id, Role.OWNER, device_id, clean)
        _create(uow, user_id, clean, Role.OWNER, pins.hash_pin(code, uow.pin_pepper()), owner)
        uow.commit()
        return owner


def sign_in(uow: UnitOfWork, user_id: str, pin: str, device_id: str = "local") -> Actor:
    """The signed-in actor, or Forbidden: revoked, locked out (back-off), or a wrong PIN (which counts)."""
    with uow:
        now = uow.clock()
        user = found(uow.users.credential(user_id), "user.not_found")
        if not user.active:
            raise Forbidden("permission.user_revoked")
        attempts = uow.users.attempts(user_id)
        pins.check_not_locked(attempts, now)
        if not pins.normalize_pin(pin):
            raise Forbidden("pin.required")
        peppers = uow.pin_peppers()
        if user.pin_hash and not pins.knows_pepper(user.pin_hash, peppers):
            raise Forbidden("pin.other_pepper")  # not counted: this desk cannot check it at all
        if not user.pin_hash or not pins.verify_pin(pin, user.pin_hash, peppers):
            uow.users.save_attempts(user_id, pins.after_failure(attempts, now))
            uow.commit()
            raise Forbidden("pin.wrong")
        actor = Actor(user.id, user.role, device_id, user.name)
        uow.users.save_attempts(user_id, pins.Attempts())
        if pins.needs_rehash(user.pin_hash, peppers):  # older form, or made with this desk's pre-cloud pepper
            _patch(uow, user, {"pin_hash": pins.hash_pin(pin, peppers)}, actor)
        uow.commit()
        return actor


def add_user(uow: UnitOfWork, cmd: AddUser, actor: Actor) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.USERS, cmd.manager_pin)
        name, role, code = check_name(cmd.name), check_role(cmd.role), pins.check_new_pin(cmd.pin)
        require_rank_over(acting.role, role)
        if uow.users.name_taken(name):
            raise Conflict("user.name_taken", name=name)
        user_id = new_id()
        _create(uow, user_id, name, role, pins.hash_pin(code, uow.pin_pepper()), acting)
        return Result(user_id, uow.commit())


def reset_pin(uow: UnitOfWork, cmd: ResetPin, actor: Actor) -> Result:
    """An owner resets a manager's PIN (a manager a receptionist's); anyone may change their own."""
    with uow:
        user = found(uow.users.credential(cmd.user_id), "user.not_found")
        me = current_actor(uow, actor)
        code = pins.check_new_pin(cmd.new_pin)
        acting = me if user.id == me.user_id else authorise(uow, me, Permission.USERS, cmd.manager_pin)
        if user.id != acting.user_id:
            require_rank_over(acting.role, user.role)
        _patch(uow, user, {"pin_hash": pins.hash_pin(code, uow.pin_pepper())}, acting)
        uow.users.save_attempts(user.id, pins.Attempts())  # a fresh PIN lifts this desk's lock-out
        return Result(user.id, uow.commit())


def change_role(
    uow: UnitOfWork, user_id: str, role: Role | str, actor: Actor, manager_pin: str | None = None
) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.USERS, manager_pin)
        user = found(uow.users.credential(user_id), "user.not_found")
        new_role = check_role(role)
        require_rank_over(acting.role, user.role)
        require_rank_over(acting.role, new_role)
        check_keeps_an_owner(uow.users.credentials(), user.id, new_role, user.active)
        _patch(uow, user, {"role": new_role.value}, acting)
        return Result(user.id, uow.commit())


def revoke_user(uow: UnitOfWork, user_id: str, actor: Actor, manager_pin: str | None = None) -> Result:
    """Access ends on every desk: this one now, the others from their next sync; the cloud refuses the
    person's mutations from then on."""
    with uow:
        acting = authorise(uow, actor, Permission.USERS, manager_pin)
        user = found(uow.users.credential(user_id), "user.not_found")
        if user.id != acting.user_id:
            require_rank_over(acting.role, user.role)
        check_keeps_an_owner(uow.users.credentials(), user.id, user.role, active=False)
        _patch(uow, user, {"active": False}, acting)
        return Result(user.id, uow.commit())


def _create(uow: UnitOfWork, user_id: str, name: str, role: Role, pin_hash: str, actor: Actor) -> None:
    uow.users.add(user_id, uow.salon_id(), name, role, pin_hash, uow.clock())
    args = payloads.desk_user_create(name, role.value, pin_hash)
    uow.record(MutationName.DESK_USER_CREATE, ENTITY, user_id, args, actor,
               audit_after={"name": name, "role": role.value})


def _patch(uow: UnitOfWork, user: Credential, fields: dict[str, object], actor: Actor) -> None:
    uow.users.update(user.id, uow.clock(), **fields)
    before = {k: _audit_value(k, getattr(user, k)) for k in fields if k != "pin_hash"}
    after = {k: _audit_value(k, v) for k, v in fields.items()}
    uow.record(MutationName.DESK_USER_PATCH, ENTITY, user.id, payloads.desk_user_patch(fields), actor,
               base_seq=user.server_seq, audit_before=before, audit_after=after)


def _audit_value(key: str, value: object) -> object:
    """The audit trail says a PIN changed, never what the hash was."""
    if key == "pin_hash":
        return "changed" if value else ""
    return getattr(value, "value", value)
