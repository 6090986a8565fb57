"""Desk users: who they are, what a valid one looks like, and who may change whom."""

from __future__ import annotations

from dataclasses import dataclass

from .booking import Role
from .errors import Conflict, ValidationError
from .i18n import N_
from .rules import clean_name

DESK_ROLES = (Role.RECEPTIONIST, Role.MANAGER, Role.OWNER)

MESSAGES = {
    "user.name_taken": N_("Someone with the name {name} already has access."),
    "user.role_invalid": N_("A desk user is a receptionist, a manager or an owner."),
    "user.not_found": N_("This desk user does not exist."),
    "user.last_owner": N_("The salon needs at least one owner with access."),
    "user.already_set_up": N_("This salon already has its owner."),
}


@dataclass(frozen=True, slots=True)
class Credential:
    """A desk user with the PIN hash (store -> use cases only; never shown, never logged)."""

    id: str
    name: str
    role: Role
    pin_hash: str
    active: bool = True
    server_seq: int | None = None

    def __repr__(self) -> str:  # never print the hash
        return f"Credential({self.id!r}, {self.name!r}, {self.role.value!r}, active={self.active})"


def check_name(text: str) -> str:
    return clean_name(text)


def check_role(role: Role | str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        raise ValidationError("user.role_invalid") from None
    if parsed not in DESK_ROLES:
        raise ValidationError("user.role_invalid")
    return parsed


def check_keeps_an_owner(users: list[Credential], changed_id: str, new_role: Role, active: bool) -> None:
    """Refuses a change that would leave the salon without an active owner."""
    owners = [u for u in users if u.active and u.role is Role.OWNER and u.id != changed_id]
    if not owners and not (active and new_role is Role.OWNER):
        raise Conflict("user.last_owner")
