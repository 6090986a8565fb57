"""Installing server rows on the desk (specs/sync.md §3.7): skip older versions, rebase pending edits.

Row rule: an incoming row older than the local one (`seq < local.server_seq`) is skipped; otherwise it is
upserted. Rebase: fields that a still-pending outbox mutation changed keep their local values (the
receptionist's unsent edit stays visible until the server decides) and the row stays `pending`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from salon_desk.domain.text import fold_for_search
from salon_desk.store.rows import REPLICATED, BookingItemRow, OutboxRow

from .protocol import ENTITY_FIELDS, decode_row

ALL_FIELDS = "*"
ITEM_MOVE_FIELDS = {"staff_id", "start_at", "end_at", "busy_until", "active"}


@dataclass
class PendingFields:
    """(entity, id) -> the fields pending local mutations changed ("*" = the whole row is local so far)."""

    fields: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, entity: str, entity_id: str, names: set[str] | str) -> None:
        self.fields[(entity, entity_id)] |= {names} if isinstance(names, str) else names

    def of(self, entity: str, entity_id: str) -> set[str]:
        return self.fields.get((entity, entity_id), set())


def pending_fields(session: Session) -> PendingFields:
    pending = PendingFields()
    rows = session.scalars(select(OutboxRow).where(OutboxRow.status == "pending").order_by(OutboxRow.device_seq))
    for row in rows:
        _add_mutation(session, pending, row)
    return pending


def _add_mutation(session: Session, pending: PendingFields, row: OutboxRow) -> None:
    args, name = row.args or {}, row.name
    if name.endswith(".create"):
        pending.add(row.entity, row.entity_id, ALL_FIELDS)
        for item in args.get("items") or []:
            pending.add("booking_item", item["id"], ALL_FIELDS)
        if isinstance(args.get("customer"), dict):
            pending.add("customer", args["customer"]["id"], ALL_FIELDS)
    elif "fields" in args:
        pending.add(row.entity, row.entity_id, set(args["fields"]))
    elif name == "booking.reschedule":
        pending.add("booking", row.entity_id, {"starts_at", "status"})
        for item in args.get("items") or []:
            pending.add("booking_item", item["id"], ITEM_MOVE_FIELDS)
    elif name in {"booking.transition", "booking.cancel"}:
        pending.add("booking", row.entity_id, {"status", "cancel_reason"})
        item_ids = session.scalars(select(BookingItemRow.id).where(BookingItemRow.booking_id == row.entity_id))
        for item_id in item_ids:
            pending.add("booking_item", item_id, {"active"})
    elif name == "walkin.seat":
        pending.add("walk_in", row.entity_id, {"state", "booking_id"})


def _table(entity: str) -> Table:
    return REPLICATED[entity].__table__  # type: ignore[return-value]


def _desk_values(entity: str, row: dict[str, Any], table: Table) -> dict[str, Any]:
    values = decode_row(entity, row)
    for name in list(values):
        column = table.c[name]
        if values[name] is None and not column.nullable and column.default is not None:
            del values[name]  # tolerant reader: let the desk's default fill a value the cloud left out
    if entity == "customer" and "name" in values:
        values["search_name"] = fold_for_search(values["name"])
    return values


def install_row(session: Session, pending: PendingFields, entity: str, seq: int, row: dict[str, Any]) -> bool:
    """Returns False when the row was skipped (older than what the desk has)."""
    if entity not in ENTITY_FIELDS:
        return False  # an entity this desk version does not know yet
    table = _table(entity)
    local = session.execute(select(table).where(table.c.id == row["id"])).mappings().first()
    if local is not None and local["server_seq"] is not None and seq < local["server_seq"]:
        return False
    values = _desk_values(entity, row, table)
    protected = pending.of(entity, row["id"])
    if local is not None and protected:
        keep = set(values) if ALL_FIELDS in protected else protected & set(values)
        values.update({name: local[name] for name in keep if name in local})
    values["server_seq"] = seq
    values["sync_status"] = "pending" if protected else "synced"
    statement = insert(table).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.id], set_={k: statement.excluded[k] for k in values if k != "id"}))
    return True


def install_rows(session: Session, changes: list[tuple[str, int, dict[str, Any]]]) -> set[str]:
    """Installs (entity, seq, row) in order inside the caller's transaction; returns the entities changed."""
    pending = pending_fields(session)
    touched: set[str] = set()
    for entity, seq, row in changes:
        if install_row(session, pending, entity, seq, row):
            touched.add(entity)
    return touched
