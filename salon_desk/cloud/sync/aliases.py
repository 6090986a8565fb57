"""Customer aliases (issue #14, specs/sync.md §2): two offline desks that create the same customer (same phone,
the natural key) get two ids; the server keeps the first, tombstones the duplicate, records
`customer_alias(duplicate_id -> canonical_id)` and re-points every booking, walk-in and waitlist entry at the
survivor (each re-pointed row is a change every desk pulls), and the survivor takes the duplicate's fields
where its own are empty (domain/customer_merge.py; a change every desk pulls too). A later mutation that still names the duplicate
(queued on the offline desk before it heard of the merge) is resolved through the alias, so the old id stays
resolvable for ever. Cloud-only: desks learn of the merge from the rows themselves and the conflict card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.domain.customer_merge import merged_customer_fields
from salon_desk.domain.hlc import Hlc

from ..db import Base, UtcDateTime, UuidText
from .changes import ChangeSet
from .tables import REPLICATED_TABLES

# What points at a customer and follows it to the survivor.
REFERENCING = ("booking", "walk_in", "waitlist_entry")


class CustomerAliasRow(Base):
    __tablename__ = "customer_alias"

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    duplicate_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    canonical_id: Mapped[str] = mapped_column(UuidText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def merge_customer(changes: ChangeSet, duplicate_id: str, canonical_id: str, now: datetime) -> int:
    """Records the alias and re-points what refers to the duplicate (and to anything merged into it before);
    returns how many rows were re-pointed. Inside the command's transaction."""
    session = changes.session
    earlier = session.scalars(
        select(CustomerAliasRow).where(
            CustomerAliasRow.salon_id == changes.salon_id, CustomerAliasRow.canonical_id == duplicate_id
        )
    ).all()
    for alias in earlier:  # no chains: every old id answers the survivor directly
        alias.canonical_id = canonical_id
    if session.get(CustomerAliasRow, (changes.salon_id, duplicate_id)) is None:
        session.add(
            CustomerAliasRow(
                salon_id=changes.salon_id, duplicate_id=duplicate_id, canonical_id=canonical_id, created_at=now
            )
        )
    moved = 0
    for entity in REFERENCING:
        table = REPLICATED_TABLES[entity]
        ids = session.scalars(
            select(table.c.id).where(table.c.salon_id == changes.salon_id, table.c.customer_id == duplicate_id)
        ).all()
        for row_id in ids:
            changes.upsert(entity, {"id": row_id, "customer_id": canonical_id, "updated_at": now})
        moved += len(ids)
    return moved


def take_duplicate_fields(
    changes: ChangeSet, canonical_id: str, duplicate: dict[str, Any], device_id: str, now: datetime
) -> dict[str, str]:
    """The survivor takes the duplicate's fields where its own are empty (notes joined), stamped for
    last-writer-wins as a write of the duplicate's desk at the server's time; returns what changed."""
    survivor = changes.get("customer", canonical_id)
    if survivor is None:
        return {}
    fields = merged_customer_fields(survivor, duplicate)
    if fields:
        meta = dict(survivor.get("field_meta") or {})
        stamp = {"seq": changes.seq, "hlc": str(Hlc(int(now.timestamp() * 1000))), "device": device_id}
        meta.update(dict.fromkeys(fields, stamp))
        changes.upsert("customer", {"id": canonical_id, **fields, "updated_at": now}, field_meta=meta)
    return fields


def canonical_customer(changes: ChangeSet, customer_id: str | None) -> str | None:
    """The survivor for an id merged away; any other id as given. Reads the alias only when the customer is
    a tombstone (the change set has usually read the customer already: no extra statement then)."""
    if not customer_id:
        return customer_id
    customer = changes.get("customer", customer_id)
    if customer is None or customer["deleted_at"] is None:
        return customer_id
    survivor = changes.session.scalar(
        select(CustomerAliasRow.canonical_id).where(
            CustomerAliasRow.salon_id == changes.salon_id, CustomerAliasRow.duplicate_id == customer_id
        )
    )
    return survivor or customer_id
