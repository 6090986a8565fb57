"""`desk.users`: sign-in, lock, quick switch, and managing who may use the salon's desks."""

from __future__ import annotations

from datetime import timedelta

from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor, DeskUser
from salon_desk.domain.permissions import Permission, allows
from salon_desk.domain.pin import DEFAULT_IDLE_LOCK

from . import users
from .area import DeskArea
from .authority import authorise
from .result import Result


class UsersArea(DeskArea):
    def list(self, *, active_only: bool = True) -> list[DeskUser]:
        return users.desk_users(self.uow(), active_only=active_only)

    def needs_owner(self) -> bool:
        return users.needs_owner(self.uow())

    def set_up_owner(self, name: str, pin: str) -> Actor:
        """First run: creates the owner and signs them in."""
        actor = users.set_up_owner(self.uow(), name, pin, self.actor.device_id)
        self._seat.actor = actor
        return actor

    def sign_in(self, user_id: str, pin: str) -> Actor:
        """Checks the PIN; on success every area acts as this person from the next call on."""
        actor = users.sign_in(self.uow(), user_id, pin, self.actor.device_id)
        self._seat.actor = actor
        return actor

    def can(self, permission: Permission) -> bool:
        """Whether the signed-in person may do this without a manager's PIN (to label buttons, not to enforce)."""
        return allows(self.actor.role, permission)

    def check(self, permission: Permission, manager_pin: str | None = None) -> Actor:
        """The actor whose authority allows `permission` now (a manager's PIN elevates once), or Forbidden."""
        with self.uow() as uow:
            return authorise(uow, self.actor, permission, manager_pin)

    def idle_lock(self) -> timedelta:
        """How long the desk stays unlocked without input (a salon setting; 5 minutes by default)."""
        with self.uow() as uow:
            salon = uow.reference.salon()
        minutes = getattr(salon, "idle_lock_minutes", None)
        return timedelta(minutes=int(minutes)) if isinstance(minutes, int) and minutes > 0 else DEFAULT_IDLE_LOCK

    def add(self, name: str, role: Role | str, pin: str, manager_pin: str | None = None) -> Result:
        return users.add_user(self.uow(), users.AddUser(name, role, pin, manager_pin), self.actor)

    def reset_pin(self, user_id: str, new_pin: str, manager_pin: str | None = None) -> Result:
        return users.reset_pin(self.uow(), users.ResetPin(user_id, new_pin, manager_pin), self.actor)

    def change_role(self, user_id: str, role: Role | str, manager_pin: str | None = None) -> Result:
        return users.change_role(self.uow(), user_id, role, self.actor, manager_pin)

    def revoke(self, user_id: str, manager_pin: str | None = None) -> Result:
        return users.revoke_user(self.uow(), user_id, self.actor, manager_pin)
