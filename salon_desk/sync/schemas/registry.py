"""The registry of the shared command schemas and the entry points that validate against it (see the
package docstring for the rules). Importing it loads pydantic and every model; the package itself stays light,
so the desk's cold start does not pay for it before the first write."""


from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from ..protocol import CLOUD_OWNED_ENTITIES, fields_of
from . import catalogue, money, users, v1
from .fields import (
    CURRENT_VERSION,
    EARLIEST,
    LATEST,
    MAX_DEPTH,
    MAX_HALALAS,
    InvalidArgs,
    _uuid,
    scrub,
    scrub_text,
)
from .names import MutationName
from .names import MutationName as N

__all__ = [
    "CURRENT_VERSION", "EARLIEST", "LATEST", "MAX_DEPTH", "MAX_HALALAS", "ROW_MODELS", "SCHEMAS", "InvalidArgs",
    "MutationName",
    "depth_of", "scrub", "scrub_text", "validate_args", "validate_row", "validate_target",
]

# (name, v) -> (wire entity of the mutation, args model). Keyed by MutationName (a str: wire names look up).
SCHEMAS: dict[tuple[str, int], tuple[str, type[BaseModel]]] = {
    (N.BOOKING_CREATE, 1): ("booking", v1.BookingCreateArgs),
    (N.BOOKING_RESCHEDULE, 1): ("booking", v1.BookingRescheduleArgs),
    (N.BOOKING_TRANSITION, 1): ("booking", v1.BookingTransitionArgs),
    (N.BOOKING_CANCEL, 1): ("booking", v1.BookingCancelArgs),
    (N.BOOKING_PATCH_NOTES, 1): ("booking", v1.BookingNotesPatch),
    (N.CUSTOMER_CREATE, 1): ("customer", v1.CustomerCreateArgs),
    (N.CUSTOMER_PATCH, 1): ("customer", v1.CustomerPatch),
    (N.WALK_IN_CREATE, 1): ("walk_in", v1.WalkInCreateArgs),
    (N.WALK_IN_PATCH, 1): ("walk_in", v1.WalkInPatch),
    (N.WALK_IN_SEAT, 1): ("walk_in", v1.WalkInSeatArgs),
    (N.WAITLIST_CREATE, 1): ("waitlist_entry", v1.WaitlistCreateArgs),
    (N.WAITLIST_PATCH, 1): ("waitlist_entry", v1.WaitlistPatch),
    (N.CONFLICT_RESOLVE, 1): ("sync_conflict", v1.ConflictResolveArgs),
    (N.DESK_USER_CREATE, 1): ("desk_user", users.DeskUserCreateArgs),
    (N.DESK_USER_PATCH, 1): ("desk_user", users.DeskUserPatch),
    **{(N(name), 1): (entity, model) for name, entity, model in money.COMMANDS},  # issue #11: checkout
    **{(N(name), 1): (entity, model) for name, entity, model in catalogue.COMMANDS},  # issue #10: catalogue
}
# Stored rows read back through the rules the newest desks write under.
ROW_MODELS: dict[str, type[BaseModel]] = {"booking": v1.BookingRow, "booking_item": v1.BookingItemRow}
_HLC = re.compile(r"[0-9]{1,15}(:[0-9]{1,6})?")


def depth_of(value: Any, limit: int = MAX_DEPTH + 2) -> int:
    """Nesting depth of a JSON value, counted only up to `limit` (never recurses deeper than that)."""
    stack = [(value, 0)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest >= limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def validate_target(name: str, v: int, entity: str, entity_id: str, hlc: str | None = None) -> None:
    """The envelope facts a handler relies on: a known (name, v), its entity, a UUID entity id, an HLC."""
    if entity in CLOUD_OWNED_ENTITIES:  # online payment state, customer messages: only the cloud writes them
        raise InvalidArgs("sync.cloud_owned", entity=scrub_text(entity))
    schema = SCHEMAS.get((name, v))
    if schema is None:
        raise InvalidArgs("sync.unknown_mutation", name=scrub_text(name), v=v)
    if entity != schema[0]:
        raise InvalidArgs("sync.invalid_args", field="entity", reason="entity")
    try:
        _uuid(entity_id)
    except ValueError:
        raise InvalidArgs("sync.invalid_args", field="entity_id", reason="uuid") from None
    if hlc is not None and not _HLC.fullmatch(hlc):
        raise InvalidArgs("sync.invalid_args", field="hlc", reason="hlc")


def validate_args(name: str, v: int, args: Any) -> dict[str, Any]:
    """The args of mutation `name` written under rules `v`, checked and returned in canonical wire form
    (instants as protocol text, enums as their values, defaults filled in; a patch's `fields` only as
    given). Raises InvalidArgs."""
    schema = SCHEMAS.get((name, v))
    if schema is None:
        raise InvalidArgs("sync.unknown_mutation", name=scrub_text(name), v=v)
    if not isinstance(args, dict):
        raise InvalidArgs("sync.invalid_args", field="args", reason="type")
    if depth_of(args) > MAX_DEPTH:
        raise InvalidArgs("sync.invalid_args", field="args", reason="too_deep")
    model = schema[1]
    forbidden = _forbidden_patch_fields(schema[0], model, args)
    if forbidden:
        raise InvalidArgs("sync.forbidden_field", kind="forbidden", fields=", ".join(forbidden))
    try:
        parsed = model.model_validate(args)
    except PydanticError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "args"
        raise InvalidArgs("sync.invalid_args", field=scrub_text(where)[:80], reason=first["type"]) from None
    return parsed.model_dump(mode="json", exclude_unset=_is_patch(model))


def _is_patch(model: type[BaseModel]) -> bool:
    return set(model.model_fields) == {"fields"}


def _forbidden_patch_fields(entity: str, model: type[BaseModel], args: dict[str, Any]) -> list[str]:
    """A patch naming a real field of the entity that desks may not write (status, cloud-owned) is
    `forbidden`, as before schemas existed; a name that is no field at all is merely invalid."""
    fields = args.get("fields")
    if not _is_patch(model) or not isinstance(fields, dict):
        return []
    fields_model = model.model_fields["fields"].annotation
    known, allowed = set(fields_of(entity)), set(getattr(fields_model, "model_fields", {}))
    return sorted(k for k in fields if isinstance(k, str) and k in known and k not in allowed)


def validate_row(entity: str, row: dict[str, Any]) -> None:
    """Raises InvalidArgs(`sync.invalid_row`) when a stored row (wire form) breaks its entity's rules."""
    try:
        ROW_MODELS[entity].model_validate(row)
    except PydanticError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or entity
        raise InvalidArgs("sync.invalid_row", field=where, reason=first["type"]) from None
