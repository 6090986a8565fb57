"""Descriptive records: creation, field patches with per-field last-writer-wins, duplicate customers.

LWW rule (specs/sync.md §3.8): a patched field whose last write the desk had already seen
(`field_meta[f].seq <= base_seq`, or written earlier by the same desk) is causally later and wins whatever
the clocks say; otherwise it is a true race: the higher HLC wins (ties by device id) and the loser is kept
as a SupersededEdit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from salon_desk.domain.hlc import Hlc
from salon_desk.domain.ids import new_id
from salon_desk.sync import schemas
from salon_desk.sync.protocol import decode_value, encode_value, fields_of

from .aliases import canonical_customer, merge_customer, take_duplicate_fields
from .context import CommandContext, Outcome, Refusal
from .tables import REPLICATED_TABLES

# Values a created row gets when the desk's arguments leave them out (desk columns are NOT NULL).
CREATE_DEFAULTS: dict[str, dict[str, Any]] = {
    "customer": {"notes": "", "language": "ar", "consent_reminders": True, "consent_marketing": False},
    "walk_in": {"name": "", "state": "waiting"},
    "waitlist_entry": {"name": "", "state": "waiting", "notes": ""},
}
# Fields a desk may patch, per entity; anything else (cloud-owned, status, keys) is `forbidden`.
PATCHABLE: dict[str, frozenset[str]] = {
    "customer": frozenset({"name", "phone", "language", "notes", "consent_reminders", "consent_marketing"}),
    "booking": frozenset({"notes"}),
    "desk_user": frozenset({"name", "role", "pin_hash", "active"}),  # cloud/sync/users.py (issue #10)
    # cloud/sync/catalogue.py (issue #10): staff, services, the salon profile
    "staff": frozenset({"name_ar", "name_en", "title_ar", "title_en", "color", "phone", "sort_order", "active"}),
    "service": frozenset({"name_ar", "name_en", "category", "duration_minutes", "buffer_minutes", "price_halalas",
                          "phases", "color", "active", "can_run_alongside"}),
    "salon": frozenset({"name_ar", "name_en", "vat_number", "commercial_registration", "address", "opening_hours",
                        "closures", "cancel_cutoff_minutes", "deposit_halalas", "sms_sender", "digit_style",
                        "idle_lock_minutes", "discount_limit_percent", "link_expiry_hours", "zatca_phase",
                        "dated_hours", "deposit_on_cancel", "deposit_on_late_cancel", "deposit_on_no_show",
                        "deposit_on_reschedule"}),
    "walk_in": frozenset(
        {"name", "phone", "customer_id", "preferred_staff_id", "state", "booking_id", "left_at"}
    ),
    "waitlist_entry": frozenset(
        {"name", "phone", "notes", "state", "offered_start", "offered_staff_id", "window_start", "window_end"}
    ),
}
CREATABLE_FIELDS = {
    "customer": PATCHABLE["customer"],
    "walk_in": frozenset({"name", "phone", "customer_id", "service_id", "preferred_staff_id", "arrived_at"}),
    "waitlist_entry": frozenset(
        {"customer_id", "name", "phone", "service_id", "staff_id", "window_start", "window_end", "notes"}
    ),
}
MAX_CLOCK_LEAD = timedelta(minutes=5)


def validate(ctx: CommandContext) -> None:
    """Checks the mutation against its schema (salon_desk/sync/schemas.py) before any handler reads it.

    Valid: the handler sees the args in canonical wire form. Invalid: Refusal with the schema's code, and
    the conflict card keeps a scrubbed copy of what was sent (no NUL, no lone surrogate, bounded depth)
    under `args.invalid`, so recording the refusal can never fail on the database and no desk mistakes
    it for args it can read (start times, items).
    """
    mutation = ctx.mutation
    try:
        schemas.validate_target(mutation.name, mutation.v, mutation.entity, mutation.entity_id, mutation.hlc)
        args = schemas.validate_args(mutation.name, mutation.v, mutation.args)
    except schemas.InvalidArgs as error:
        ctx.mutation = mutation.model_copy(
            update={
                "args": {"invalid": schemas.scrub(mutation.args)},  # never read as args by a desk
                "name": schemas.scrub_text(mutation.name),
                "entity": schemas.scrub_text(mutation.entity) if error.params.get("field") != "entity_id" else "",
                "entity_id": schemas.scrub_text(mutation.entity_id),
            }
        )
        raise Refusal(error.kind, error.code, **error.params) from None
    ctx.mutation = mutation.model_copy(update={"args": args})


def decode_args(entity: str, args: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    kinds = fields_of(entity)
    try:
        return {name: decode_value(kinds[name], value) for name, value in args.items() if name in allowed}
    except (TypeError, ValueError) as exc:
        raise Refusal("invalid", "sync.invalid", reason=str(exc)) from exc


def create_record(ctx: CommandContext, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """A new row, inserted without reading it first (issue #14: a statement less per create). An id the
    salon already uses, live or deleted, fails on the primary key and is refused `sync.id_taken` (push.py);
    so is one this transaction has already read."""
    ensure_new(ctx, entity, values["id"])
    row = {
        **CREATE_DEFAULTS.get(entity, {}),
        **values,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "deleted_at": None,
    }
    return ctx.changes.upsert(entity, row, field_meta={})


def ensure_new(ctx: CommandContext, entity: str, entity_id: str) -> None:
    """`entity_id` is to be created: unread, it is assumed new (the INSERT meets a taken id); read earlier
    in the transaction and found, it is refused now, with the code the primary key would give."""
    ctx.changes.assume_new(entity, [entity_id])
    if ctx.changes.get(entity, entity_id) is not None:
        raise Refusal("invalid", "sync.id_taken", entity=entity)


def handle_create(entity: str) -> Callable[[CommandContext], Outcome]:
    def handler(ctx: CommandContext) -> Outcome:
        values = decode_args(entity, ctx.args, CREATABLE_FIELDS[entity])
        if values.get("customer_id"):  # a walk-in or waitlist entry for a merged duplicate: the survivor
            values["customer_id"] = canonical_customer(ctx.changes, values["customer_id"])
        create_record(ctx, entity, {**values, "id": ctx.mutation.entity_id})
        return Outcome()

    return handler


def live_customer_by_phone(ctx: CommandContext, phone: str | None) -> dict[str, Any] | None:
    if not phone:
        return None
    table = REPLICATED_TABLES["customer"]
    found = (
        ctx.changes.session.execute(
            select(table).where(
                table.c.salon_id == ctx.salon_id, table.c.phone == phone, table.c.deleted_at.is_(None)
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found is not None else None


def create_customer(ctx: CommandContext, args: dict[str, Any]) -> tuple[str, str | None]:
    """Creates the customer, or merges into whoever already has the phone (natural key): the duplicate is
    kept as a tombstone, an alias keeps its id resolvable, whatever pointed at it points at the survivor
    (aliases.py), the survivor takes the duplicate's fields where its own are empty, and a `duplicate_merged`
    card says so. Returns (customer id to use, conflict id)."""
    values = decode_args("customer", args, CREATABLE_FIELDS["customer"])
    customer_id = args.get("id") or ctx.mutation.entity_id
    existing = live_customer_by_phone(ctx, values.get("phone"))
    if existing is None:
        create_record(ctx, "customer", {**values, "id": customer_id})
        return customer_id, None
    create_record(ctx, "customer", {**values, "id": customer_id})
    ctx.changes.upsert("customer", {"id": customer_id, "deleted_at": ctx.now, "updated_at": ctx.now})
    merge_customer(ctx.changes, customer_id, existing["id"], ctx.now)
    take_duplicate_fields(ctx.changes, existing["id"], values, ctx.device_id, ctx.now)
    conflict_id = ctx.record_conflict(
        "duplicate_merged",
        "customer",
        customer_id,
        code="duplicate_merged",
        params={"canonical_id": existing["id"], "duplicate_id": customer_id},
    )
    return existing["id"], conflict_id


def handle_customer_create(ctx: CommandContext) -> Outcome:
    canonical, conflict_id = create_customer(ctx, {**ctx.args, "id": ctx.mutation.entity_id})
    if conflict_id is None:
        return Outcome()
    return Outcome("conflict", "duplicate_merged", {"canonical_id": canonical}, conflict_id)


def _clamped(hlc: Hlc, ctx: CommandContext) -> Hlc:
    limit = int((ctx.now + MAX_CLOCK_LEAD).timestamp() * 1000)
    return Hlc(int(ctx.now.timestamp() * 1000), hlc.counter) if hlc.ms > limit else hlc


def _wins(meta: dict[str, Any] | None, ctx: CommandContext, hlc: Hlc) -> tuple[bool, bool]:
    """(incoming wins, it was a true race)."""
    if meta is None or meta["seq"] <= (ctx.mutation.base_seq or 0) or meta["device"] == ctx.device_id:
        return True, False
    theirs = (Hlc.parse(meta["hlc"]), meta["device"])
    return (hlc, ctx.device_id) > theirs, True


def _superseded(
    ctx: CommandContext,
    entity: str,
    entity_id: str,
    field: str,
    lost: tuple[Any, str, str],
    won: tuple[Any, str],
) -> None:
    ctx.changes.upsert(
        "superseded_edit",
        {
            "id": new_id(int(ctx.now.timestamp() * 1000)),
            "entity": entity,
            "entity_id": entity_id,
            "field": field,
            "lost_value": lost[0],
            "lost_by_device": lost[1],
            "lost_hlc": lost[2],
            "won_value": won[0],
            "won_by": won[1],
            "at": ctx.now,
            "created_at": ctx.now,
            "updated_at": ctx.now,
            "deleted_at": None,
        },
    )


def patch_record(ctx: CommandContext, entity: str, fields: dict[str, Any]) -> Outcome:
    entity_id = ctx.mutation.entity_id
    row = ctx.changes.get(entity, entity_id)
    if row is None or row["deleted_at"] is not None:
        raise Refusal("gone", "sync.gone")  # delete wins over a concurrent patch
    forbidden = sorted(set(fields) - PATCHABLE[entity])
    if forbidden:
        raise Refusal("forbidden", "sync.forbidden_field", fields=", ".join(forbidden))
    values = decode_args(entity, fields, PATCHABLE[entity])
    if entity == "customer" and values.get("phone"):
        owner = live_customer_by_phone(ctx, values["phone"])
        if owner is not None and owner["id"] != entity_id:
            raise Refusal("invalid", "customer.phone_taken", name=owner["name"])
    hlc = _clamped(Hlc.parse(ctx.mutation.hlc), ctx)
    meta = dict(row.get("field_meta") or {})
    kinds, changed, lost = fields_of(entity), {}, []
    for name, value in values.items():
        wins, race = _wins(meta.get(name), ctx, hlc)
        old = encode_value(kinds[name], row[name])
        new = encode_value(kinds[name], value)
        if wins:
            changed[name] = value
            meta[name] = {"seq": ctx.changes.seq, "hlc": str(hlc), "device": ctx.device_id}
            if race and old != new:
                _superseded(
                    ctx,
                    entity,
                    entity_id,
                    name,
                    (old, meta_device(row, name), meta_hlc(row, name)),
                    (new, ctx.device_id),
                )
        else:
            lost.append(name)
            _superseded(
                ctx, entity, entity_id, name, (new, ctx.device_id, str(hlc)), (old, meta_device(row, name))
            )
    if changed:
        ctx.changes.upsert(entity, {"id": entity_id, **changed, "updated_at": ctx.now}, field_meta=meta)
    return Outcome("applied", "superseded" if lost else None, {"fields": lost} if lost else {})


def meta_device(row: dict[str, Any], name: str) -> str:
    device: str = ((row.get("field_meta") or {}).get(name) or {}).get("device", "")
    return device


def meta_hlc(row: dict[str, Any], name: str) -> str:
    hlc: str = ((row.get("field_meta") or {}).get(name) or {}).get("hlc", "")
    return hlc


def handle_patch(entity: str) -> Callable[[CommandContext], Outcome]:
    def handler(ctx: CommandContext) -> Outcome:
        fields = ctx.args.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise Refusal("invalid", "sync.invalid", reason="fields")
        return patch_record(ctx, entity, fields)

    return handler


def handle_walkin_seat(ctx: CommandContext) -> Outcome:
    return patch_record(ctx, "walk_in", {"state": "seated", "booking_id": ctx.args.get("booking_id")})
