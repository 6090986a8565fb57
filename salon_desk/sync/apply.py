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

from .protocol import ENTITY_FIELDS, decode_row, fields_of

ALL_FIELDS = "*"
IN_CHUNK = 500
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
    rows = session.scalars(
        select(OutboxRow).where(OutboxRow.status == "pending").order_by(OutboxRow.device_seq)
    )
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
        item_ids = session.scalars(
            select(BookingItemRow.id).where(BookingItemRow.booking_id == row.entity_id)
        )
        for item_id in item_ids:
            pending.add("booking_item", item_id, {"active"})
    elif name == "walkin.seat":
        pending.add("walk_in", row.entity_id, {"state", "booking_id"})


def _table(entity: str) -> Table:
    return REPLICATED[entity].__table__  # type: ignore[return-value]


def _default(column: Any) -> Any:
    default = column.default
    return default.arg if default.is_scalar else default.arg(None)


def _desk_values(entity: str, row: dict[str, Any], table: Table) -> dict[str, Any]:
    """Every wire field of the entity (same keys for every row, so a page is one executemany)."""
    values = decode_row(entity, {name: row.get(name) for name in fields_of(entity)})
    for name, value in values.items():
        column = table.c[name]
        if value is None and not column.nullable and column.default is not None:
            values[name] = _default(column)  # tolerant reader: the desk's default for a value left out
    if entity == "customer":
        values["search_name"] = fold_for_search(values.get("name") or "")
    return values


def _local_rows(session: Session, table: Table, ids: list[str], full: set[str]) -> dict[str, dict[str, Any]]:
    """id -> {server_seq} for every known id; the whole row for ids in `full` (those needing a rebase)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        found.update(
            {
                r.id: {"server_seq": r.server_seq}
                for r in session.execute(select(table.c.id, table.c.server_seq).where(table.c.id.in_(chunk)))
            }
        )
    wanted = [i for i in full if i in found]
    for start in range(0, len(wanted), IN_CHUNK):
        rows = session.execute(
            select(table).where(table.c.id.in_(wanted[start : start + IN_CHUNK]))
        ).mappings()
        found.update({r["id"]: dict(r) for r in rows})
    return found


def install_entity(
    session: Session, pending: PendingFields, entity: str, changes: list[tuple[int, dict[str, Any]]]
) -> int:
    """Upserts one entity's rows (in order) with one statement; returns how many were not skipped."""
    table = _table(entity)
    ids = [row["id"] for _, row in changes]
    local = _local_rows(session, table, ids, {i for i in ids if pending.of(entity, i)})
    batch = []
    for seq, row in changes:
        mine = local.get(row["id"])
        if mine is not None and mine["server_seq"] is not None and seq < mine["server_seq"]:
            continue  # older than what the desk already has
        values = _desk_values(entity, row, table)
        protected = pending.of(entity, row["id"])
        if mine is not None and protected:
            keep = set(values) if ALL_FIELDS in protected else protected & set(values)
            values.update({name: mine[name] for name in keep if name in mine})
        batch.append({**values, "server_seq": seq, "sync_status": "pending" if protected else "synced"})
    if batch:
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.id], set_={k: statement.excluded[k] for k in batch[0] if k != "id"}
        )
        session.execute(statement, batch)
    return len(batch)


def install_rows(session: Session, changes: list[tuple[str, int, dict[str, Any]]]) -> set[str]:
    """Installs (entity, seq, row) inside the caller's transaction, parents first, each entity's rows in
    seq order (the last version of a row wins); returns the entities changed."""
    pending = pending_fields(session)
    latest: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for entity, seq, row in changes:
        if entity in ENTITY_FIELDS:  # an entity this desk version does not know yet is ignored
            key = (entity, row["id"])
            if key not in latest or latest[key][0] <= seq:
                latest.pop(key, None)
                latest[key] = (seq, row)
    by_entity: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for (entity, _), change in latest.items():
        by_entity[entity].append(change)
    touched = set()
    for entity in ENTITY_FIELDS:
        if by_entity.get(entity) and install_entity(session, pending, entity, by_entity[entity]):
            touched.add(entity)
    return touched
