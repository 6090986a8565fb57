"""Writes of the salon's reference data (issue #10): staff, services, who performs what, availability and the
salon profile. Reads stay in `repo_reference`. Rows are never hard-deleted: removing sets `deleted_at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.model import SyncStatus

from .rows import (
    AvailabilityExceptionRow,
    AvailabilityRuleRow,
    SalonRow,
    ServiceRow,
    StaffRow,
    StaffServiceRow,
)

ROWS: dict[str, Any] = {  # entity -> its row class (every one is Replicated)
    "salon": SalonRow,
    "staff": StaffRow,
    "service": ServiceRow,
    "staff_service": StaffServiceRow,
    "availability_rule": AvailabilityRuleRow,
    "availability_exception": AvailabilityExceptionRow,
}


class CatalogueRepository:
    def __init__(self, session: Session):
        self._s = session

    def add(self, entity: str, entity_id: str, salon_id: str, values: dict[str, Any], now: datetime) -> None:
        row = ROWS[entity](id=entity_id, salon_id=salon_id, created_at=now, updated_at=now,
                           sync_status=SyncStatus.PENDING.value, **values)
        self._s.add(row)
        self._s.flush()

    def update(self, entity: str, entity_id: str, values: dict[str, Any], now: datetime) -> None:
        row = self._s.get(ROWS[entity], entity_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()

    def remove(self, entity: str, entity_id: str, now: datetime) -> None:
        self.update(entity, entity_id, {"deleted_at": now}, now)

    def values(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        """A live row's columns as plain values (no ORM row leaves the store)."""
        row = self._s.get(ROWS[entity], entity_id)
        if row is None or getattr(row, "deleted_at", None) is not None:
            return None
        return {c.key: getattr(row, c.key) for c in row.__table__.columns}

    def server_seq(self, entity: str, entity_id: str) -> int | None:
        row = self._s.get(ROWS[entity], entity_id)
        return getattr(row, "server_seq", None) if row is not None else None

    def live_ids(self, entity: str, staff_id: str) -> list[str]:
        """Ids of the live rows of one staff member (availability rules, services performed)."""
        table = ROWS[entity]
        q = select(table.id).where(table.staff_id == staff_id, table.deleted_at.is_(None))
        return list(self._s.scalars(q))

    def staff_phone_taken(self, phone: str, staff_id: str | None) -> str | None:
        """The name of another live staff member with this phone, if any."""
        q = select(StaffRow.name_en).where(StaffRow.phone == phone, StaffRow.deleted_at.is_(None))
        if staff_id is not None:
            q = q.where(StaffRow.id != staff_id)
        return self._s.scalars(q.limit(1)).first()
