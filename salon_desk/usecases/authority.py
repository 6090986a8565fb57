"""Whose authority an action runs under: the one permission check every protected use case calls.

    with uow:
        acting = authorise(uow, actor, Permission.STAFF, cmd.manager_pin)   # FIRST, before any write
        ...
        uow.record(..., acting)

A receptionist gets `Forbidden("permission.denied")` (translated by the edge, naming the action). A manager's
or owner's PIN typed at the desk for that one action elevates it: the returned actor is that manager (on this
desk), so the audit trail and the cloud's own check see who allowed it. A wrong PIN counts toward this desk's
lock-out ("elevate" subject) and is kept even though the caller's transaction rolls back
(`uow.keep_regardless`).
"""

from __future__ import annotations

from salon_desk.domain import pin as pins
from salon_desk.domain.errors import Forbidden
from salon_desk.domain.model import Actor
from salon_desk.domain.permissions import Permission, allows
from salon_desk.store.repo_users import UserRepository
from salon_desk.store.uow import UnitOfWork

ELEVATE = "elevate"  # the wrong-PIN counter for manager PINs asked at this desk


def authorise(uow: UnitOfWork, actor: Actor, permission: Permission, manager_pin: str | None = None) -> Actor:
    """The actor whose authority performs `permission` (inside an open `with uow:`), or Forbidden."""
    permission = Permission(permission)
    current = current_actor(uow, actor)
    if allows(current.role, permission):
        return current
    if not manager_pin or not pins.normalize_pin(manager_pin):
        raise Forbidden("permission.denied", permission=permission.value)
    return elevate(uow, current, permission, manager_pin)


def elevate(uow: UnitOfWork, actor: Actor, permission: Permission, manager_pin: str) -> Actor:
    """The manager or owner whose PIN this is, if their role holds `permission`."""
    now = uow.clock()
    attempts = uow.users.attempts(ELEVATE)
    pins.check_not_locked(attempts, now)
    peppers = uow.pin_peppers()
    for user in uow.users.credentials():
        if allows(user.role, permission) and user.pin_hash and pins.verify_pin(manager_pin, user.pin_hash, peppers):
            if attempts.failures:
                _keep_attempts(uow, pins.Attempts())
            return Actor(user.id, user.role, actor.device_id, user.name)
    _keep_attempts(uow, pins.after_failure(attempts, now))
    raise Forbidden("pin.no_manager")


def _keep_attempts(uow: UnitOfWork, attempts: pins.Attempts) -> None:
    """Counted even though the refused action rolls back (written when the unit of work ends)."""
    uow.keep_regardless(lambda session: UserRepository(session).save_attempts(ELEVATE, attempts))


def current_actor(uow: UnitOfWork, actor: Actor) -> Actor:
    """The actor with the role this desk's copy of the users holds now (a role changed or access revoked on
    another desk arrives by sync). An actor that is no desk user (the server, a tool) keeps its own role."""
    user = uow.users.credential(actor.user_id)
    if user is None:
        return actor
    if not user.active:
        raise Forbidden("permission.user_revoked")
    return actor if user.role is actor.role else Actor(actor.user_id, user.role, actor.device_id, actor.name)
