"""Reference data reads: the salon, staff, services, qualifications and availability."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    DeskUser,
    Salon,
    Service,
    Staff,
    StaffService,
)

from . import mappers as m
from .rows import (
    AvailabilityExceptionRow,
    AvailabilityRuleRow,
    DeskUserRow,
    SalonRow,
    ServiceRow,
    StaffRow,
    StaffServiceRow,
)


class ReferenceRepository:
    def __init__(self, session: Session):
        self._s = session

    def salon(self) -> Salon | None:
        row = self._s.scalars(select(SalonRow).where(SalonRow.deleted_at.is_(None)).limit(1)).first()
        return m.salon(row) if row else None

    def staff(self, active_only: bool = True) -> list[Staff]:
        q = select(StaffRow).where(StaffRow.deleted_at.is_(None)).order_by(StaffRow.sort_order, StaffRow.name_en)
        if active_only:
            q = q.where(StaffRow.active.is_(True))
        return [m.staff(r) for r in self._s.scalars(q)]

    def staff_member(self, staff_id: str) -> Staff | None:
        row = self._s.get(StaffRow, staff_id)
        return m.staff(row) if row and row.deleted_at is None else None

    def services(self, active_only: bool = True) -> list[Service]:
        q = select(ServiceRow).where(ServiceRow.deleted_at.is_(None)).order_by(ServiceRow.category, ServiceRow.name_en)
        if active_only:
            q = q.where(ServiceRow.active.is_(True))
        return [m.service(r) for r in self._s.scalars(q)]

    def service(self, service_id: str) -> Service | None:
        row = self._s.get(ServiceRow, service_id)
        return m.service(row) if row and row.deleted_at is None else None

    def staff_service(self, staff_id: str, service_id: str) -> StaffService | None:
        row = self._s.scalars(
            select(StaffServiceRow).where(StaffServiceRow.staff_id == staff_id,
                                          StaffServiceRow.service_id == service_id,
                                          StaffServiceRow.deleted_at.is_(None))
        ).first()
        return m.staff_service(row) if row else None

    def staff_services(self, service_id: str) -> list[StaffService]:
        """Active staff qualified for a service, in display order."""
        q = (select(StaffServiceRow).join(StaffRow, StaffRow.id == StaffServiceRow.staff_id)
             .where(StaffServiceRow.service_id == service_id, StaffServiceRow.deleted_at.is_(None),
                    StaffRow.active.is_(True), StaffRow.deleted_at.is_(None))
             .order_by(StaffRow.sort_order, StaffRow.name_en))
        return [m.staff_service(r) for r in self._s.scalars(q)]

    def rules(self, staff_ids: list[str] | None = None) -> dict[str, list[AvailabilityRule]]:
        r = AvailabilityRuleRow
        q = select(r.id, r.staff_id, r.weekday, r.start_time, r.end_time, r.valid_from, r.valid_to).where(
            r.deleted_at.is_(None))
        if staff_ids is not None:
            q = q.where(r.staff_id.in_(staff_ids))
        out: dict[str, list[AvailabilityRule]] = defaultdict(list)
        for row in self._s.execute(q):
            out[row.staff_id].append(AvailabilityRule(*row))
        return out

    def exceptions(self, start: datetime, end: datetime,
                   staff_ids: list[str] | None = None) -> dict[str, list[AvailabilityException]]:
        q = select(AvailabilityExceptionRow).where(
            AvailabilityExceptionRow.deleted_at.is_(None),
            AvailabilityExceptionRow.start_at < end, AvailabilityExceptionRow.end_at > start)
        if staff_ids is not None:
            q = q.where(AvailabilityExceptionRow.staff_id.in_(staff_ids))
        out: dict[str, list[AvailabilityException]] = defaultdict(list)
        for row in self._s.scalars(q):
            out[row.staff_id].append(m.availability_exception(row))
        return out

    def desk_users(self) -> list[DeskUser]:
        q = select(DeskUserRow).where(DeskUserRow.deleted_at.is_(None), DeskUserRow.active.is_(True))
        return [m.desk_user(r) for r in self._s.scalars(q.order_by(DeskUserRow.name))]
