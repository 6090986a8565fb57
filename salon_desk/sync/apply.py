"""Installing server rows on the desk (specs/sync.md §3.7): skip older versions, rebase pending edits.

Row rule: an incoming row older than the local one (`seq < local.server_seq`) is skipped; otherwise it is
upserted. Rebase: fields that a still-pending outbox mutation changed keep their local values (the
receptionist's unsent edit stays visible until the server decides) and the row stays `pending`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Integer, Table, select
from sqlalchemy.orm import Session

from salon_desk.domain.text import fold_for_search
from salon_desk.store.rows import REPLICATED, BookingItemRow, OutboxRow
from salon_desk.store.types import Day, Instant, Json, WallTime, instant_text

from .protocol import ENTITY_FIELDS, decode_value, fields_of

ALL_FIELDS = "*"
IN_CHUNK = 500
ITEM_MOVE_FIELDS = {"staff_id", "start_at", "end_at", "busy_until", "active"}
INSTANT_TEXT_LEN = len("2026-01-01T00:00:00.000000Z")


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
            pending.add("booking_item", item_id, {"active", "actual_start_at", "actual_end_at"})
    elif name == "walkin.seat":
        pending.add("walk_in", row.entity_id, {"state", "booking_id"})


def _table(entity: str) -> Table:
    table = REPLICATED[entity].__table__
    assert isinstance(table, Table)  # every replicated row class is mapped to one table
    return table


def _default(column: Any) -> Any:
    default = column.default
    return default.arg if default.is_scalar else default.arg(None)


# ---------------------------------------------------------------- wire values as stored desk values
# The desk stores instants, days and times as the same text the wire carries (store/types.py), so a page is
# bound as plain tuples through the DB-API: no datetime round trip, no per-row SQLAlchemy type processing.


def _instant(value: Any) -> Any:
    if isinstance(value, str) and len(value) == INSTANT_TEXT_LEN and value[-1] == "Z" and value[10] == "T":
        return value
    return None if value is None else instant_text(decode_value("instant", value))


def _day(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else value.isoformat()


def _wall_time(value: Any) -> Any:
    if value is None or (isinstance(value, str) and len(value) == 5):
        return value
    return decode_value("time", value).strftime("%H:%M")


def _json(value: Any) -> Any:
    return (
        None
        if value is None
        else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def _bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _int(value: Any) -> Any:
    return None if value is None else int(value)


def _converter(column: Any) -> Callable[[Any], Any] | None:
    kind = type(column.type)
    return {
        Instant: _instant,
        Day: _day,
        WallTime: _wall_time,
        Json: _json,
        Boolean: _bool,
        Integer: _int,
    }.get(kind)


@dataclass(frozen=True)
class RowWriter:
    """One entity's upsert: `INSERT … ON CONFLICT(id) DO UPDATE … WHERE` the incoming version is not older."""

    sql: str
    columns: tuple[str, ...]  # every column of the statement, in order
    fields: tuple[str, ...]  # the wire fields among them (the first columns)
    converters: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[Any, ...]  # the desk's stored default for a value the wire left out (tolerant reader)
    extras: tuple[Any, ...]  # desk-only columns after server_seq and sync_status: their defaults

    def values(self, row: dict[str, Any], seq: int, status: str) -> list[Any]:
        values = [row.get(name) for name in self.fields]
        for i, convert in enumerate(self.converters):
            if values[i] is None:
                values[i] = self.defaults[i]
            elif convert is not None:
                values[i] = convert(values[i])
        return [*values, seq, status, *self.extras]


@cache
def row_writer(entity: str) -> RowWriter:
    table = _table(entity)
    wire = [name for name in fields_of(entity) if name in table.c]
    extra = [c for c in table.c if c.name not in wire and c.name not in {"server_seq", "sync_status"}]
    names = [*wire, "server_seq", "sync_status", *(c.name for c in extra)]
    updated = [n for n in names if n != "id"]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "  # noqa: S608
        f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in updated)} "
        f"WHERE {table.name}.server_seq IS NULL OR excluded.server_seq >= {table.name}.server_seq"
    )
    columns = [table.c[name] for name in wire]
    return RowWriter(
        sql,
        tuple(names),
        tuple(wire),
        tuple(_converter(c) for c in columns),
        tuple(_stored_default(c) if not c.nullable else None for c in columns),
        tuple(_stored_default(c) for c in extra),
    )


def _stored_default(column: Any) -> Any:
    if column.default is None:
        return None
    convert = _converter(column)
    value = _default(column)  # the callable defaults are `list`: one stored value for every row
    return value if convert is None or value is None else convert(value)


def _local_rows(session: Session, table: Table, ids: list[str]) -> dict[str, dict[str, Any]]:
    """id -> the stored row (raw stored values) for the given ids that exist locally."""
    found: dict[str, dict[str, Any]] = {}
    connection = session.connection()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        result = connection.exec_driver_sql(
            f"SELECT * FROM {table.name} WHERE id IN ({', '.join('?' * len(chunk))})",  # noqa: S608
            tuple(chunk),
        )
        names = list(result.keys())
        found.update({row["id"]: row for row in (dict(zip(names, r, strict=True)) for r in result)})
    return found


def install_entity(
    session: Session, pending: PendingFields, entity: str, changes: list[tuple[int, dict[str, Any]]]
) -> int:
    """Upserts one entity's rows (in order) with one executemany; returns how many were written (an incoming
    row older than the local one is skipped by the statement itself)."""
    writer = row_writer(entity)
    protected_ids = [row["id"] for _, row in changes if pending.of(entity, row["id"])]
    local = _local_rows(session, _table(entity), protected_ids) if protected_ids else {}
    search_name = writer.columns.index("search_name") if entity == "customer" else -1
    name = writer.columns.index("name") if entity == "customer" else -1
    batch = []
    for seq, row in changes:
        protected = pending.of(entity, row["id"]) if protected_ids else set()
        values = writer.values(row, seq, "pending" if protected else "synced")
        mine = local.get(row["id"])
        if mine is not None and protected:
            _keep_local(writer, values, mine, protected)
        if search_name >= 0:
            values[search_name] = fold_for_search(values[name] or "")
        batch.append(tuple(values))
    if not batch:
        return 0
    result = session.connection().exec_driver_sql(writer.sql, batch)
    return max(result.rowcount, 0)


def _keep_local(writer: RowWriter, values: list[Any], mine: dict[str, Any], protected: set[str]) -> None:
    """Rebase: the fields a pending mutation changed keep their stored local values."""
    for i, name in enumerate(writer.fields):
        if name in mine and (ALL_FIELDS in protected or name in protected):
            values[i] = mine[name]


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
