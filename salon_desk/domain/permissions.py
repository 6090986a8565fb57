"""Who may do what: the role matrix, as data, and the one check every protected use case calls.

The desk checks it in the use cases (`usecases.authority.authorise`); the cloud checks it again on every
pushed mutation against its own copy of the salon's users (`cloud.sync.authority`). A receptionist's call
to a protected action raises `Forbidden("permission.denied", permission=...)`; at the desk, a manager's
PIN given for that one action elevates it.
"""

from __future__ import annotations

from enum import StrEnum

from .booking import Role
from .errors import Forbidden
from .i18n import N_


class Permission(StrEnum):
    STAFF = "staff"  # add, edit, deactivate staff; which services each performs
    SERVICES = "services"  # the services catalogue
    PRICES = "prices"  # service and staff prices
    AVAILABILITY = "availability"  # weekly hours, breaks, time off, extra shifts
    CLOSURES = "closures"  # salon business hours and closures
    SALON_SETTINGS = "salon_settings"  # the salon profile and policies
    CUSTOMER_DELETE = "customer_delete"  # deleting or erasing a customer
    DEVICE_ENROL = "device_enrol"
    DEVICE_REVOKE = "device_revoke"
    REFUND = "refund"
    VOID = "void"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    REPORTS = "reports"
    USERS = "users"  # add desk users, reset PINs, revoke access


P = Permission
_MANAGER: frozenset[Permission] = frozenset(
    {
        P.STAFF,
        P.SERVICES,
        P.PRICES,
        P.AVAILABILITY,
        P.CLOSURES,
        P.CUSTOMER_DELETE,
        P.DEVICE_ENROL,
        P.DEVICE_REVOKE,
        P.REFUND,
        P.VOID,
        P.DISCOUNT_OVER_LIMIT,
        P.REPORTS,
        P.USERS,
    }
)

# The role matrix. A role absent here (customer, system) holds no desk permission; the server acting as
# `system` never goes through this check.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTIONIST: frozenset(),
    Role.MANAGER: _MANAGER,
    Role.OWNER: frozenset(Permission),
}

# Roles ordered by authority: a user may manage (add, reset the PIN of, revoke) only users ranked lower,
# except that an owner may manage other owners.
RANK: dict[Role, int] = {Role.RECEPTIONIST: 1, Role.MANAGER: 2, Role.OWNER: 3}

PERMISSION_NAMES: dict[Permission, str] = {
    P.STAFF: N_("change staff"),
    P.SERVICES: N_("change services"),
    P.PRICES: N_("change prices"),
    P.AVAILABILITY: N_("change working hours and time off"),
    P.CLOSURES: N_("change business hours and closures"),
    P.SALON_SETTINGS: N_("change the salon's settings"),
    P.CUSTOMER_DELETE: N_("delete or erase a customer"),
    P.DEVICE_ENROL: N_("enrol a desk"),
    P.DEVICE_REVOKE: N_("revoke a desk"),
    P.REFUND: N_("refund a payment"),
    P.VOID: N_("void an invoice"),
    P.DISCOUNT_OVER_LIMIT: N_("give a discount above the limit"),
    P.REPORTS: N_("read reports"),
    P.USERS: N_("manage desk users"),
}

MESSAGES = {
    # {permission} is the translated phrase from PERMISSION_NAMES (the edge translates it first).
    "permission.denied": N_("Your role cannot {permission}. A manager's PIN allows it once."),
    "permission.rank": N_("Only an owner can change another manager's or owner's access."),
    "permission.not_signed_in": N_("Please sign in first."),
    "permission.user_revoked": N_("This person no longer has access to this salon."),
}


def allows(role: Role | str, permission: Permission | str) -> bool:
    try:
        return Permission(permission) in ROLE_PERMISSIONS.get(Role(role), frozenset())
    except ValueError:
        return False


def require(role: Role | str, permission: Permission | str) -> None:
    """Raises `Forbidden("permission.denied")` unless `role` holds `permission`."""
    permission = Permission(permission)
    if not allows(role, permission):
        raise Forbidden("permission.denied", permission=permission.value)


def require_rank_over(actor_role: Role | str, target_role: Role | str) -> None:
    """A manager manages receptionists; an owner manages everyone (other owners included)."""
    actor, target = Role(actor_role), Role(target_role)
    if actor is Role.OWNER:
        return
    if RANK.get(actor, 0) <= RANK.get(target, 0):
        raise Forbidden("permission.rank")


def matrix() -> list[tuple[Permission, dict[Role, bool]]]:
    """The matrix as rows, for the docs and the closing note: permission -> {role: allowed}."""
    return [(p, {r: p in perms for r, perms in ROLE_PERMISSIONS.items()}) for p in Permission]
