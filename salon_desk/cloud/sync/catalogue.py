"""The cloud's handlers of the staff, services, availability and salon-profile commands (issue #10).

Each re-runs the same domain rules as the desk (`domain.catalogue`, `domain.scheduling.editing`,
`domain.salon_profile`) on the validated args before writing; whatever breaks them is `refused` with the
rule's code. Who may send them is checked before (`authority.PROTECTED`). Whole-object commands
(`availability.set_week`, `staff.set_services`) replace what the cloud held for that person: rows not listed
are tombstoned, listed ones created or updated, so every desk pulls exactly the week the manager saved.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from salon_desk.domain.catalogue import check_own_price_and_duration, check_service_fields, check_staff_fields
from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import AvailabilityException, AvailabilityRule, ExceptionKind, OpeningHours
from salon_desk.domain.salon_profile import check_profile
from salon_desk.domain.scheduling import SalonSchedule
from salon_desk.domain.scheduling.dated_hours import dated_hours_of
from salon_desk.domain.scheduling.editing import WeeklySpan, check_exception, check_week
from salon_desk.sync.protocol import parse_instant

from .context import CommandContext, Outcome, Refusal
from .records import create_record, patch_record
from .tables import REPLICATED_TABLES


def _refuse(error: DomainError) -> Refusal:
    return Refusal("invalid", error.code, **error.params)


def _live_staff(ctx: CommandContext, staff_id: str) -> dict[str, Any]:
    row = ctx.changes.get("staff", staff_id)
    if row is None or row["deleted_at"] is not None:
        raise Refusal("invalid", "staff.not_found")
    return row


def _live_rows(ctx: CommandContext, entity: str, staff_id: str) -> list[dict[str, Any]]:
    table = REPLICATED_TABLES[entity]
    rows = ctx.changes.session.execute(
        select(table.c.id).where(
            table.c.salon_id == ctx.salon_id, table.c.staff_id == staff_id, table.c.deleted_at.is_(None)
        )
    ).all()
    out = []
    for (row_id,) in rows:
        row = ctx.changes.get(entity, str(row_id))
        if row is not None and row["deleted_at"] is None:
            out.append(row)
    return out


def _staff_phone_taken(ctx: CommandContext, phone: str | None, staff_id: str) -> None:
    if not phone:
        return
    table = REPLICATED_TABLES["staff"]
    other = ctx.changes.session.execute(
        select(table.c.name_en).where(
            table.c.salon_id == ctx.salon_id, table.c.phone == phone, table.c.id != staff_id,
            table.c.deleted_at.is_(None),
        ).limit(1)
    ).scalar()
    if other is not None:
        raise Refusal("invalid", "staff.phone_taken", name=other)


def handle_staff_create(ctx: CommandContext) -> Outcome:
    try:
        values = check_staff_fields(ctx.args)
        if not (values.get("name_ar") or values.get("name_en")):
            raise Refusal("invalid", "staff.no_name")
    except DomainError as error:
        raise _refuse(error) from None
    _staff_phone_taken(ctx, values.get("phone"), ctx.mutation.entity_id)
    create_record(ctx, "staff", {**values, "title": values.get("title_en", ""), "id": ctx.mutation.entity_id})
    return Outcome()


def handle_staff_patch(ctx: CommandContext) -> Outcome:
    fields = dict(ctx.args["fields"])
    try:
        check_staff_fields(fields)
    except DomainError as error:
        raise _refuse(error) from None
    _staff_phone_taken(ctx, fields.get("phone"), ctx.mutation.entity_id)
    return patch_record(ctx, "staff", fields)


def handle_service_create(ctx: CommandContext) -> Outcome:
    try:
        values = check_service_fields(ctx.args)
        if not (values.get("name_ar") or values.get("name_en")):
            raise Refusal("invalid", "service.no_name")
    except DomainError as error:
        raise _refuse(error) from None
    create_record(ctx, "service", {**values, "id": ctx.mutation.entity_id})
    return Outcome()


def handle_service_patch(ctx: CommandContext) -> Outcome:
    fields = dict(ctx.args["fields"])
    current = ctx.changes.get("service", ctx.mutation.entity_id) or {}
    try:
        check_service_fields(fields, current)
    except DomainError as error:
        raise _refuse(error) from None
    return patch_record(ctx, "service", fields)


def _tombstone(ctx: CommandContext, entity: str, row_id: str) -> None:
    ctx.changes.upsert(entity, {"id": row_id, "deleted_at": ctx.now, "updated_at": ctx.now})


def handle_set_week(ctx: CommandContext) -> Outcome:
    staff_id = ctx.mutation.entity_id
    _live_staff(ctx, staff_id)
    wanted = ctx.args["rules"]
    spans = [WeeklySpan(r["weekday"], time.fromisoformat(r["start_time"]), time.fromisoformat(r["end_time"]),
                        date.fromisoformat(r["valid_from"]) if r.get("valid_from") else None,
                        date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None) for r in wanted]
    try:
        check_week(spans)
    except DomainError as error:
        raise _refuse(error) from None
    listed = {r["id"] for r in wanted}
    live = {row["id"]: row for row in _live_rows(ctx, "availability_rule", staff_id)}
    for row_id in live:
        if row_id not in listed:
            _tombstone(ctx, "availability_rule", row_id)
    for rule, span in zip(wanted, spans, strict=True):
        if rule["id"] in live:
            continue  # an unchanged span keeps its id (the desk reuses it only when nothing changed)
        values = {"id": rule["id"], "staff_id": staff_id, "weekday": span.weekday, "start_time": span.start,
                  "end_time": span.end, "valid_from": span.valid_from, "valid_to": span.valid_to}
        existing = ctx.changes.get("availability_rule", rule["id"])
        if existing is not None:
            if existing["salon_id"] != ctx.salon_id or existing["staff_id"] != staff_id:
                raise Refusal("invalid", "sync.invalid", reason="exists")
            ctx.changes.upsert("availability_rule", {**values, "deleted_at": None, "updated_at": ctx.now})
        else:
            create_record(ctx, "availability_rule", values)
    return Outcome()


def handle_set_services(ctx: CommandContext) -> Outcome:
    staff_id = ctx.mutation.entity_id
    _live_staff(ctx, staff_id)
    wanted = ctx.args["services"]
    for s in wanted:
        service = ctx.changes.get("service", s["service_id"])
        if service is None or service["deleted_at"] is not None:
            raise Refusal("invalid", "service.not_found")
        try:
            check_own_price_and_duration(s.get("duration_minutes"), s.get("price_halalas"))
        except DomainError as error:
            raise _refuse(error) from None
    listed = {s["id"] for s in wanted}
    live = {row["id"]: row for row in _live_rows(ctx, "staff_service", staff_id)}
    for row_id in live:
        if row_id not in listed:
            _tombstone(ctx, "staff_service", row_id)
    for s in wanted:
        values = {"id": s["id"], "staff_id": staff_id, "service_id": s["service_id"],
                  "duration_minutes": s.get("duration_minutes"), "price_halalas": s.get("price_halalas")}
        if s["id"] in live:
            ctx.changes.upsert("staff_service", {**values, "updated_at": ctx.now})
        else:
            create_record(ctx, "staff_service", values)
    return Outcome()


def _check_break(ctx: CommandContext, exc: AvailabilityException) -> None:
    """A break lies inside the person's working time, by the cloud's own copy of her week and the salon's
    hours (the same rule as the desk: domain.scheduling.editing.check_exception)."""
    salon = ctx.changes.get("salon", ctx.salon_id)
    if salon is None:
        return  # a salon without a profile yet has no hours to check against
    hours = tuple(OpeningHours(int(h["weekday"]), time.fromisoformat(h["start"]), time.fromisoformat(h["end"]))
                  for h in salon.get("opening_hours") or [])
    schedule = SalonSchedule(ZoneInfo(salon.get("timezone") or "Asia/Riyadh"), hours,
                             dated_hours=dated_hours_of(salon.get("dated_hours") or ()))  # Ramadan hours too
    rules = [AvailabilityRule(r["id"], r["staff_id"], int(r["weekday"]), r["start_time"], r["end_time"],
                              r["valid_from"], r["valid_to"])
             for r in _live_rows(ctx, "availability_rule", exc.staff_id)]
    extra = [AvailabilityException(r["id"], r["staff_id"], ExceptionKind(r["kind"]), r["start_at"], r["end_at"])
             for r in _live_rows(ctx, "availability_exception", exc.staff_id)
             if r["kind"] == ExceptionKind.EXTRA_HOURS.value and r["end_at"] > exc.start_at
             and r["start_at"] < exc.end_at]
    try:
        check_exception(exc, rules, schedule, extra)
    except DomainError as error:
        raise _refuse(error) from None


def handle_exception_create(ctx: CommandContext) -> Outcome:
    args = ctx.args
    _live_staff(ctx, args["staff_id"])
    if args["kind"] == ExceptionKind.BREAK.value:
        _check_break(ctx, AvailabilityException(ctx.mutation.entity_id, args["staff_id"], ExceptionKind.BREAK,
                                                parse_instant(args["start_at"]), parse_instant(args["end_at"])))
    create_record(ctx, "availability_exception", {
        "id": ctx.mutation.entity_id, "staff_id": args["staff_id"], "kind": args["kind"],
        "start_at": parse_instant(args["start_at"]), "end_at": parse_instant(args["end_at"]),
        "note": args.get("note", ""),
    })
    return Outcome()


def handle_exception_delete(ctx: CommandContext) -> Outcome:
    row = ctx.changes.get("availability_exception", ctx.mutation.entity_id)
    if row is None or row["deleted_at"] is not None:
        raise Refusal("gone", "sync.gone")
    if row["staff_id"] != ctx.args["staff_id"]:
        raise Refusal("invalid", "sync.invalid", reason="staff_id")
    _tombstone(ctx, "availability_exception", ctx.mutation.entity_id)
    return Outcome()


def handle_salon_patch(ctx: CommandContext) -> Outcome:
    if ctx.mutation.entity_id != ctx.salon_id:
        raise Refusal("forbidden", "sync.forbidden_field", fields="salon")
    fields = dict(ctx.args["fields"])
    try:
        check_profile(fields)
    except DomainError as error:
        raise _refuse(error) from None
    return patch_record(ctx, "salon", fields)
