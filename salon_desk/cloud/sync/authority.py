"""The cloud's own permission check on every pushed mutation (issue #10), against its copy of the salon's
desk users (never the role a desk claims):

- a person whose access was revoked is refused for everything they push from then on;
- a protected mutation (PROTECTED, the same `domain.permissions` matrix the desk uses) is refused unless its
  actor is an active desk user of *this* salon whose role holds the permission; a forged actor (another
  salon's manager, a receptionist claiming "manager") gets `permission.denied`;
- for desk users: a manager manages receptionists only; an owner everyone.

The first owner of a salon whose cloud copy has no users yet may create themself. A person changing only
their own PIN hash (a PIN change, the rehash at sign-in) needs no permission. An active desk user's credit
note (or open bill's refund line) that books only an online refund the cloud itself recorded needs none either
(issue #12: a refund made in Moyasar's dashboard names no manager; online_claims.recorded_online_refund).
"""

from __future__ import annotations

from typing import Any

from salon_desk.domain.booking import Role
from salon_desk.domain.checkout import BASIS_POINTS_100, DEFAULT_DISCOUNT_LIMIT_BP, discount_over_limit
from salon_desk.domain.errors import Forbidden
from salon_desk.domain.permissions import Permission, allows, require_rank_over
from salon_desk.sync.protocol import Mutation
from salon_desk.sync.schemas.names import MutationName

from .context import CommandContext, Refusal
from .online_claims import recorded_online_refund
from .users import ENTITY, desk_user, has_users

# Mutation name (wire string) -> the permission it needs. Other features add their protected commands here.
PROTECTED: dict[str, Permission] = {
    MutationName.DESK_USER_CREATE: Permission.USERS,
    MutationName.DESK_USER_PATCH: Permission.USERS,
    MutationName.CREDIT_NOTE_ISSUE: Permission.REFUND,  # issue #11: refunds with a credit note
    MutationName.REFUND_RECORD: Permission.VOID,  # a bill voided before its invoice
    MutationName.STAFF_CREATE: Permission.STAFF,  # issue #10: staff, services, availability, salon profile
    MutationName.STAFF_PATCH: Permission.STAFF,
    MutationName.STAFF_SET_SERVICES: Permission.STAFF,
    MutationName.AVAILABILITY_SET_WEEK: Permission.AVAILABILITY,
    MutationName.EXCEPTION_CREATE: Permission.AVAILABILITY,
    MutationName.EXCEPTION_DELETE: Permission.AVAILABILITY,
    MutationName.SERVICE_CREATE: Permission.SERVICES,
    MutationName.SERVICE_PATCH: Permission.SERVICES,
    MutationName.SALON_PATCH: Permission.SALON_SETTINGS,
}
# a salon.patch of only these needs CLOSURES
HOURS_FIELDS = frozenset({"opening_hours", "closures", "dated_hours"})
SELF_SERVICE_FIELDS = frozenset({"pin_hash"})


def required(mutation: Mutation) -> Permission | None:
    if mutation.name == MutationName.DESK_USER_PATCH and mutation.entity_id == mutation.actor.desk_user_id:
        fields = mutation.args.get("fields") or {}
        if isinstance(fields, dict) and set(fields) <= SELF_SERVICE_FIELDS:
            return None
    if mutation.name == MutationName.SALON_PATCH:
        fields = mutation.args.get("fields") or {}
        if isinstance(fields, dict) and fields and set(fields) <= HOURS_FIELDS:
            return Permission.CLOSURES
    return PROTECTED.get(mutation.name)


def required_in_context(ctx: CommandContext) -> Permission | None:
    """`required`, plus what depends on the salon's own settings: a bill whose discounts exceed the salon's
    discount limit needs a manager, as it does at the desk (issue #11)."""
    mutation = ctx.mutation
    if mutation.name == MutationName.CHECKOUT_SAVE:
        salon = ctx.changes.get("salon", ctx.salon_id) or {}
        percent = salon.get("discount_limit_percent")
        limit_bp = DEFAULT_DISCOUNT_LIMIT_BP if percent is None else int(percent) * BASIS_POINTS_100 // 100
        if discount_over_limit(int(ctx.args["gross_halalas"]), int(ctx.args["discount_halalas"]), limit_bp):
            return Permission.DISCOUNT_OVER_LIMIT
    return required(mutation)


def check(ctx: CommandContext) -> None:
    """Raises Refusal("forbidden", ...) when the actor may not make this mutation. Call after validation."""
    mutation = ctx.mutation
    actor_id = mutation.actor.desk_user_id
    # Through the change set: read once per push, not once per mutation (issue #14), and never stale: the
    # carried rows are dropped when another writer of the salon committed in between.
    user = ctx.changes.get(ENTITY, actor_id) if actor_id else None
    if user is not None and (not user["active"] or user["deleted_at"] is not None):
        raise Refusal("forbidden", "permission.user_revoked")
    permission = required_in_context(ctx)
    if permission is None:
        return
    if user is None:
        if _first_owner(ctx):
            return
        raise Refusal("forbidden", "permission.denied", permission=permission.value)
    role = Role(user["role"]) if user["role"] in set(Role) else None
    if role is None or not allows(role, permission):
        if role is not None and recorded_online_refund(ctx):
            return  # book-keeping of money Moyasar already gave back: no authority to lend
        raise Refusal("forbidden", "permission.denied", permission=permission.value)
    if mutation.name in (MutationName.DESK_USER_CREATE, MutationName.DESK_USER_PATCH):
        _check_rank(ctx, role)


def _first_owner(ctx: CommandContext) -> bool:
    m = ctx.mutation
    return (
        m.name == MutationName.DESK_USER_CREATE
        and m.entity_id == m.actor.desk_user_id
        and m.args.get("role") == Role.OWNER.value
        and not has_users(ctx.changes.session, ctx.salon_id)
    )


def _check_rank(ctx: CommandContext, role: Role) -> None:
    m = ctx.mutation
    if m.entity_id == m.actor.desk_user_id and m.name == MutationName.DESK_USER_PATCH:
        return  # oneself (revoking oneself is allowed; the desk keeps an owner)
    targets: list[Any] = []
    if m.name == MutationName.DESK_USER_CREATE:
        targets.append(m.args.get("role"))
    else:
        current = desk_user(ctx.changes.session, ctx.salon_id, m.entity_id)
        targets.append(current["role"] if current else None)
        fields = m.args.get("fields") or {}
        if isinstance(fields, dict) and "role" in fields:
            targets.append(fields["role"])
    try:
        for target in targets:
            if target is not None:
                require_rank_over(role, target)
    except (Forbidden, ValueError):
        raise Refusal("forbidden", "permission.rank") from None
