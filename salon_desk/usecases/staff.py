"""Staff (issue #10): names and job titles in Arabic and English, colour, phone, active, display order, and
which services each person performs with an optional own duration and price. Managers and owners only
(`Permission.STAFF`; own prices also `Permission.PRICES`); a receptionist is refused unless a manager's PIN
is given for that one action."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from salon_desk.domain.catalogue import check_own_price_and_duration, check_staff_fields
from salon_desk.domain.errors import Conflict
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, Staff, StaffService
from salon_desk.domain.permissions import Permission
from salon_desk.domain.rules import found
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .area import DeskArea
from .authority import authorise
from .result import Result

ENTITY = "staff"
DEFAULTS: dict[str, Any] = {"name_ar": "", "name_en": "", "title_ar": "", "title_en": "", "color": "",
                            "phone": None, "sort_order": 0, "active": True}


@dataclass(frozen=True)
class PerformedService:
    """A service one person performs, with her own duration and price when they differ from the service's."""

    service_id: str
    duration_minutes: int | None = None
    price_halalas: int | None = None


@dataclass(frozen=True)
class StaffDetails:
    staff: Staff
    services: tuple[StaffService, ...]


def _check_phone_free(uow: UnitOfWork, values: Mapping[str, Any], staff_id: str | None) -> None:
    phone = values.get("phone")
    if phone:
        other = uow.catalogue.staff_phone_taken(phone, staff_id)
        if other is not None:
            raise Conflict("staff.phone_taken", name=other)


def add_staff(uow: UnitOfWork, fields: Mapping[str, Any], actor: Actor, manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.STAFF, manager_pin)
        values = {**DEFAULTS, **check_staff_fields(fields)}
        if not (values["name_ar"] or values["name_en"]):
            check_staff_fields({"name_ar": "", "name_en": ""})
        _check_phone_free(uow, values, None)
        staff_id, now = new_id(), uow.clock()
        uow.catalogue.add(ENTITY, staff_id, uow.salon_id(), {**values, "title": values["title_en"]}, now)
        uow.record(MutationName.STAFF_CREATE, ENTITY, staff_id, payloads.record_args(values), acting,
                   audit_after={k: v for k, v in values.items() if k != "phone"})
        return Result(staff_id, uow.commit())


def update_staff(uow: UnitOfWork, staff_id: str, fields: Mapping[str, Any], actor: Actor,
                 manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.STAFF, manager_pin)
        current = found(uow.catalogue.values(ENTITY, staff_id), "staff.not_found")
        values = check_staff_fields(fields)
        if "name_ar" in values or "name_en" in values:
            check_staff_fields({"name_ar": values.get("name_ar", current["name_ar"]),
                                "name_en": values.get("name_en", current["name_en"])})
        _check_phone_free(uow, values, staff_id)
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            return Result(staff_id)
        stored = {**changed, **({"title": changed["title_en"]} if "title_en" in changed else {})}
        uow.catalogue.update(ENTITY, staff_id, stored, uow.clock())
        uow.record(MutationName.STAFF_PATCH, ENTITY, staff_id, payloads.patch(changed), acting,
                   base_seq=current.get("server_seq"),
                   audit_before={k: current.get(k) for k in changed if k != "phone"},
                   audit_after={k: v for k, v in changed.items() if k != "phone"})
        return Result(staff_id, uow.commit())


def set_services(uow: UnitOfWork, staff_id: str, services: Sequence[PerformedService], actor: Actor,
                 manager_pin: str | None = None) -> Result:
    """Replaces the list of services `staff_id` performs (one mutation, the whole list)."""
    with uow:
        acting = authorise(uow, actor, Permission.STAFF, manager_pin)
        found(uow.catalogue.values(ENTITY, staff_id), "staff.not_found")
        if any(s.price_halalas is not None for s in services):
            acting = authorise(uow, acting, Permission.PRICES, manager_pin)
        wanted: dict[str, PerformedService] = {}
        for s in services:
            found(uow.reference.service(s.service_id), "service.not_found")
            check_own_price_and_duration(s.duration_minutes, s.price_halalas)
            wanted[s.service_id] = s
        now, salon_id = uow.clock(), uow.salon_id()
        existing = {}
        for row_id in uow.catalogue.live_ids("staff_service", staff_id):
            row = uow.catalogue.values("staff_service", row_id)
            if row is not None:
                existing[row["service_id"]] = row
        listed = []
        for service_id, s in wanted.items():
            values = {"duration_minutes": s.duration_minutes, "price_halalas": s.price_halalas}
            row = existing.pop(service_id, None)
            if row is None:
                row_id = new_id()
                uow.catalogue.add("staff_service", row_id, salon_id,
                                  {"staff_id": staff_id, "service_id": service_id, **values}, now)
            else:
                row_id = row["id"]
                if any(row[k] != v for k, v in values.items()):
                    uow.catalogue.update("staff_service", row_id, values, now)
            listed.append({"id": row_id, "service_id": service_id, **values})
            uow.touched("staff_service", row_id)
        for row in existing.values():
            uow.catalogue.remove("staff_service", row["id"], now)
            uow.touched("staff_service", row["id"])
        uow.record(MutationName.STAFF_SET_SERVICES, ENTITY, staff_id, payloads.staff_services(listed), acting,
                   audit_after={"services": [x["service_id"] for x in listed]})
        return Result(staff_id, uow.commit())


def staff_details(uow: UnitOfWork, staff_id: str) -> StaffDetails:
    with uow:
        staff = found(uow.reference.staff_member(staff_id), "staff.not_found")
        performed = tuple(
            s for service in uow.reference.services(active_only=False)
            if (s := uow.reference.staff_service(staff_id, service.id)) is not None
        )
        return StaffDetails(staff, performed)


class StaffArea(DeskArea):
    """`desk.staff`: the staff list and editor (managers and owners)."""

    def list(self, active_only: bool = False) -> tuple[Staff, ...]:
        with self.uow() as uow:
            return tuple(uow.reference.staff(active_only))

    def details(self, staff_id: str) -> StaffDetails:
        return staff_details(self.uow(), staff_id)

    def add(self, fields: Mapping[str, Any], manager_pin: str | None = None) -> Result:
        return add_staff(self.uow(), fields, self.actor, manager_pin)

    def update(self, staff_id: str, fields: Mapping[str, Any], manager_pin: str | None = None) -> Result:
        return update_staff(self.uow(), staff_id, fields, self.actor, manager_pin)

    def set_services(self, staff_id: str, services: Sequence[PerformedService],
                     manager_pin: str | None = None) -> Result:
        return set_services(self.uow(), staff_id, services, self.actor, manager_pin)
