"""One strict schema per sync command and per field patch, shared by the desk and the cloud (issue #8).

The desk validates a mutation's `args` before writing it to its outbox; the cloud validates again before
the handler touches the database. Whatever fails is answered `refused` with a translated code, never
`retry`: bad input is deterministic.

Rules: ids are canonical UUID text; instants are ISO 8601 text with a 4-digit year and a time zone, inside
[2000-01-01, 2100-01-01) UTC; an item ends after it starts and is busy at least until it ends; money,
durations and counters are integers within bounds (a bool is not an int, no negative prices); strings have
maximum lengths and hold no NUL and no lone surrogate; enums are enums; nesting is bounded; unknown
fields are refused.

Layout: `fields` (field types, bounds, the typed error, scrubbing), `v1` (the models of rules version 1),
this module (the registry and the entry points).

Versions: `SCHEMAS` is keyed by (mutation name, v). The `v` a desk wrote on a mutation names the rules it was
written under, so tightening a rule never refuses an old outbox row for that reason alone. To tighten:
add a module `v2` whose model carries the new rule, register it as (name, 2), raise `CURRENT_VERSION` to 2
(the desk's `Outbox.append` writes it) and the cloud's accepted versions (protocol.MUTATION_VERSIONS);
rows already queued as v=1 keep validating against v1.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from ..protocol import fields_of
from . import v1
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

__all__ = [
    "CURRENT_VERSION", "EARLIEST", "LATEST", "MAX_DEPTH", "MAX_HALALAS", "ROW_MODELS", "SCHEMAS", "InvalidArgs",
    "depth_of", "scrub", "scrub_text", "validate_args", "validate_row", "validate_target",
]

# (name, v) -> (wire entity of the mutation, args model).
SCHEMAS: dict[tuple[str, int], tuple[str, type[BaseModel]]] = {
    ("booking.create", 1): ("booking", v1.BookingCreateArgs),
    ("booking.reschedule", 1): ("booking", v1.BookingRescheduleArgs),
    ("booking.transition", 1): ("booking", v1.BookingTransitionArgs),
    ("booking.cancel", 1): ("booking", v1.BookingCancelArgs),
    ("booking.patch_notes", 1): ("booking", v1.BookingNotesPatch),
    ("customer.create", 1): ("customer", v1.CustomerCreateArgs),
    ("customer.patch", 1): ("customer", v1.CustomerPatch),
    ("walk_in.create", 1): ("walk_in", v1.WalkInCreateArgs),
    ("walk_in.patch", 1): ("walk_in", v1.WalkInPatch),
    ("walkin.seat", 1): ("walk_in", v1.WalkInSeatArgs),
    ("waitlist_entry.create", 1): ("waitlist_entry", v1.WaitlistCreateArgs),
    ("waitlist_entry.patch", 1): ("waitlist_entry", v1.WaitlistPatch),
    ("conflict.resolve", 1): ("sync_conflict", v1.ConflictResolveArgs),
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
