"""The tombstone purge (issue #14, specs/sync.md §3.3 `min_retained_seq`): deleted replicated rows older than
the retention are physically deleted with their change-index entries, salon by salon, in small batches. Each
batch raises the salon's purge horizon to the highest seq it deleted, in the same transaction, so a desk whose
cursor is older than a purged tombstone never misses it silently: its next pull answers 410 resync_required
and it re-bootstraps (engine.py `_start_resync`), keeping and re-pushing its outbox.

What is never purged (the safe rule):
- entities outside PURGEABLE: money rows, documents and closes, the salon, desk users and online payments
  are never deleted (a desk's resync never tombstones them either: engine.py RESYNC_SWEPT);
- a tombstone something still points at, live or deleted, in any salon-owned cloud table: a booking, walk-in,
  waitlist entry, checkout, link or notification job naming the customer; an item naming its booking; a rule
  naming its staff; a conflict card or superseded edit naming the row; a customer alias naming the merged
  duplicate (so the old id stays resolvable for ever, and a queued mutation naming it still finds it). The
  referrer may itself be purged first (children come before parents), freeing the parent on a later pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Table, Text, cast, delete, exists, func, select, update
from sqlalchemy.orm import Session

from ..db import Base, Database
from ..salons.rows import SalonSyncRow
from .tables import REPLICATED_TABLES, ChangeIndexRow

# Children before parents, so one pass frees what only purged rows pointed at.
PURGEABLE = (
    "sync_conflict", "superseded_edit", "notification", "booking_item", "walk_in", "waitlist_entry",
    "booking", "staff_service", "availability_rule", "availability_exception", "customer", "service", "staff",
)  # fmt: skip
# A column of this name, in any salon-owned table, points at a row of that entity.
REFERENCE_COLUMNS = {
    "customer_id": "customer",
    "duplicate_id": "customer",
    "canonical_id": "customer",
    "booking_id": "booking",
    "booking_item_id": "booking_item",
    "staff_id": "staff",
    "preferred_staff_id": "staff",
    "offered_staff_id": "staff",
    "service_id": "service",
}
# Tables naming any row by (entity, entity_id) that count as references. The audit trails name every row
# ever deleted: history, not a reference (an audit event outlives its row by design).
GENERIC_REFERRERS = ("sync_conflict", "superseded_edit")


@dataclass(frozen=True, slots=True)
class TombstoneBatch:
    purged: int
    horizon: int


def purge_tombstones(db: Database, salon_id: str, cutoff: datetime, size: int) -> int:
    """Purges the salon's tombstones last changed before `cutoff`, `size` per transaction; returns how many."""
    total = 0
    for entity in PURGEABLE:
        while True:
            with db.session() as session:
                batch = _purge_batch(session, salon_id, entity, cutoff, size)
                session.commit()
            total += batch.purged
            if batch.purged < size:
                break
    return total


def _purge_batch(session: Session, salon_id: str, entity: str, cutoff: datetime, size: int) -> TombstoneBatch:
    # The counter row's lock first: the salon's writers wait, so no row changes between the choice and the
    # delete, and the horizon moves with the delete.
    horizon = session.scalar(
        select(SalonSyncRow.min_retained_seq).where(SalonSyncRow.salon_id == salon_id).with_for_update()
    )
    if horizon is None:
        return TombstoneBatch(0, 0)
    table = REPLICATED_TABLES[entity]
    old_tombstone = (
        table.c.salon_id == salon_id,
        table.c.deleted_at.is_not(None),
        table.c.deleted_at < cutoff,
        table.c.updated_at < cutoff,
    )
    found = session.execute(
        select(table.c.id, table.c.server_seq)
        .where(*old_tombstone, *_unreferenced(salon_id, entity, table))
        .order_by(table.c.server_seq)
        .limit(size)
    ).all()
    if not found:
        return TombstoneBatch(0, horizon)
    ids = [row.id for row in found]
    index_seq = session.scalar(
        select(func.max(ChangeIndexRow.seq)).where(
            ChangeIndexRow.salon_id == salon_id, ChangeIndexRow.entity == entity, ChangeIndexRow.entity_id.in_(ids)
        )
    )
    highest = max(horizon, index_seq or 0, *(row.server_seq for row in found))
    session.execute(delete(table).where(*old_tombstone, table.c.id.in_(ids)))
    session.execute(
        delete(ChangeIndexRow).where(
            ChangeIndexRow.salon_id == salon_id, ChangeIndexRow.entity == entity, ChangeIndexRow.entity_id.in_(ids)
        )
    )
    session.execute(
        update(SalonSyncRow).where(SalonSyncRow.salon_id == salon_id).values(min_retained_seq=highest)
    )
    return TombstoneBatch(len(ids), highest)


def _unreferenced(salon_id: str, entity: str, table: Table) -> list[ColumnElement[bool]]:
    """NOT EXISTS per referring column: a tombstone anything in the salon still names stays."""
    own_id = cast(table.c.id, Text)
    conditions: list[ColumnElement[bool]] = []
    for referrer in _salon_tables():
        if _cascades_from(referrer, table):
            continue  # deleted with the row (a booking item's busy segments)
        for name, target in REFERENCE_COLUMNS.items():
            if target == entity and name in referrer.c:
                conditions.append(
                    ~exists().where(referrer.c.salon_id == salon_id, cast(referrer.c[name], Text) == own_id)
                )
    for generic in GENERIC_REFERRERS:
        referrer = REPLICATED_TABLES[generic]
        conditions.append(
            ~exists().where(
                referrer.c.salon_id == salon_id,
                referrer.c.entity == entity,
                cast(referrer.c.entity_id, Text) == own_id,
            )
        )
    return conditions


def _cascades_from(referrer: Table, table: Table) -> bool:
    return any(
        key.referred_table is table and (key.ondelete or "").upper() == "CASCADE"
        for key in referrer.foreign_key_constraints
    )


def _salon_tables() -> list[Table]:
    from .. import rows  # noqa: F401 - every cloud table registered, so no referrer is missed

    return [table for table in Base.metadata.sorted_tables if "salon_id" in table.c]
