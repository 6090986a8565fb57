"""The one server write path (specs/sync.md §3.3): every change of a replicated row goes through a ChangeSet.

A ChangeSet belongs to one transaction. Its first write takes the next seq of the salon with
`UPDATE salon_sync SET last_seq = last_seq + 1 ... RETURNING last_seq`; the counter row stays locked until
the transaction ends, so the next writer of the salon waits and cursor order equals commit order. Every
row written in the transaction carries that seq, and `change_index` points at it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, insert, select, text, update
from sqlalchemy.orm import Session

from salon_desk.sync.protocol import RowChange, encode_row, fields_of

from .segments import sync_busy_segments
from .tables import REPLICATED_TABLES, ChangeIndexRow


def allocate_seq(session: Session, salon_id: str) -> int:
    seq = session.execute(
        text("UPDATE salon_sync SET last_seq = last_seq + 1 WHERE salon_id = :salon RETURNING last_seq"),
        {"salon": salon_id},
    ).scalar_one_or_none()
    if seq is None:
        raise LookupError(f"salon {salon_id} has no sync counter")
    return int(seq)


class ChangeSet:
    """The rows one transaction writes, all at one seq. `rows` is what a push result sends back."""

    def __init__(self, session: Session, salon_id: str) -> None:
        self.session = session
        self.salon_id = salon_id
        self._seq: int | None = None
        self.rows: list[RowChange] = []

    @property
    def seq(self) -> int:
        if self._seq is None:
            self._seq = allocate_seq(self.session, self.salon_id)
        return self._seq

    def mark(self) -> int:
        return len(self.rows)

    def rewind(self, mark: int) -> None:
        """Forget rows written inside a savepoint that was rolled back."""
        del self.rows[mark:]

    def get(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        table = REPLICATED_TABLES[entity]
        found = (
            self.session.execute(
                select(table).where(table.c.id == entity_id, table.c.salon_id == self.salon_id)
            )
            .mappings()
            .first()
        )
        return dict(found) if found is not None else None

    def upsert(
        self, entity: str, values: dict[str, Any], field_meta: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Writes the full or partial row `values` (must hold `id`) at this transaction's seq."""
        table = REPLICATED_TABLES[entity]
        seq = self.seq
        current = self.get(entity, values["id"])
        known = {k: v for k, v in values.items() if k in fields_of(entity)}
        known["salon_id"] = self.salon_id
        extra: dict[str, Any] = {"server_seq": seq}
        if field_meta is not None:
            extra["field_meta"] = field_meta
        if current is None:
            self.session.execute(insert(table).values(**known, **extra))
        else:
            self.session.execute(update(table).where(table.c.id == values["id"]).values(**known, **extra))
        self._index(entity, values["id"], seq, new=current is None)
        row = {**(current or {}), **known}
        if entity == "booking_item":
            sync_busy_segments(self.session, row)  # the overlap invariant lives on these segments
        self._remember(entity, seq, row)
        return row

    def _index(self, entity: str, entity_id: str, seq: int, *, new: bool) -> None:
        """A row new to the salon has no index entry yet (both are only ever written together here), so it
        skips the UPDATE attempt: one statement less per inserted row on the push path."""
        where = (
            ChangeIndexRow.salon_id == self.salon_id,
            ChangeIndexRow.entity == entity,
            ChangeIndexRow.entity_id == entity_id,
        )
        # Race-free without ON CONFLICT: the counter row lock serialises every writer of this salon.
        done = False
        if not new:
            updated = self.session.execute(update(ChangeIndexRow).where(*where).values(seq=seq))
            done = isinstance(updated, CursorResult) and updated.rowcount > 0
        if not done:
            self.session.execute(
                insert(ChangeIndexRow).values(
                    salon_id=self.salon_id, entity=entity, entity_id=entity_id, seq=seq
                )
            )

    def _remember(self, entity: str, seq: int, row: dict[str, Any]) -> None:
        self.rows = [r for r in self.rows if not (r.entity == entity and r.row["id"] == row["id"])]
        self.rows.append(RowChange(entity=entity, seq=seq, row=encode_row(entity, row)))


def current_rows(session: Session, salon_id: str, entity: str, entity_ids: list[str]) -> list[RowChange]:
    """The server's present rows (at their own seq), e.g. to undo a desk's refused optimistic change."""
    table = REPLICATED_TABLES[entity]
    found = session.execute(
        select(table).where(table.c.salon_id == salon_id, table.c.id.in_(entity_ids))
    ).mappings()
    return [
        RowChange(entity=entity, seq=int(r["server_seq"]), row=encode_row(entity, dict(r))) for r in found
    ]
