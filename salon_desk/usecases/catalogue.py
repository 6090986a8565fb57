"""The services catalogue (issue #10): categories, names (ar, en), duration, buffer, phases, price including
VAT, active, and whether a service can run at the same time as another for the same customer.
Deactivating keeps history intact (bookings keep their service; it is only no longer offered).
`Permission.SERVICES`, and `Permission.PRICES` for a price."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from salon_desk.domain.catalogue import check_service_fields
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, Service
from salon_desk.domain.permissions import Permission
from salon_desk.domain.rules import found
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .area import DeskArea
from .authority import authorise
from .result import Result

ENTITY = "service"
DEFAULTS: dict[str, Any] = {"name_ar": "", "name_en": "", "category": "", "buffer_minutes": 0, "phases": [],
                            "color": "", "active": True, "can_run_alongside": False}


@dataclass(frozen=True)
class Category:
    name: str
    services: tuple[Service, ...]


def add_service(uow: UnitOfWork, fields: Mapping[str, Any], actor: Actor, manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.SERVICES, manager_pin)
        acting = authorise(uow, acting, Permission.PRICES, manager_pin)
        if "duration_minutes" not in fields or "price_halalas" not in fields:
            raise ValidationError("schedule.invalid_duration", minutes=0)
        values = {**DEFAULTS, **check_service_fields({**DEFAULTS, **fields})}
        if not (values["name_ar"] or values["name_en"]):
            raise ValidationError("service.no_name")
        service_id = new_id()
        uow.catalogue.add(ENTITY, service_id, uow.salon_id(), values, uow.clock())
        uow.record(MutationName.SERVICE_CREATE, ENTITY, service_id, payloads.record_args(values), acting,
                   audit_after={"name_en": values["name_en"], "price_halalas": values["price_halalas"]})
        return Result(service_id, uow.commit())


def update_service(uow: UnitOfWork, service_id: str, fields: Mapping[str, Any], actor: Actor,
                   manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.SERVICES, manager_pin)
        if "price_halalas" in fields:
            acting = authorise(uow, acting, Permission.PRICES, manager_pin)
        current = found(uow.catalogue.values(ENTITY, service_id), "service.not_found")
        values = check_service_fields(fields, current)
        if ("name_ar" in values or "name_en" in values) and not (
                values.get("name_ar", current["name_ar"]) or values.get("name_en", current["name_en"])):
            raise ValidationError("service.no_name")
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            return Result(service_id)
        uow.catalogue.update(ENTITY, service_id, changed, uow.clock())
        uow.record(MutationName.SERVICE_PATCH, ENTITY, service_id, payloads.patch(changed), acting,
                   base_seq=current.get("server_seq"), audit_before={k: current.get(k) for k in changed},
                   audit_after=changed)
        return Result(service_id, uow.commit())


def by_category(services: list[Service]) -> tuple[Category, ...]:
    """Services grouped by category, categories in first-seen order (the repository sorts by category)."""
    groups: dict[str, list[Service]] = {}
    for service in services:
        groups.setdefault(service.category, []).append(service)
    return tuple(Category(name, tuple(items)) for name, items in groups.items())


class CatalogueArea(DeskArea):
    """`desk.catalogue`: the services catalogue (managers and owners)."""

    def services(self, active_only: bool = False) -> tuple[Service, ...]:
        with self.uow() as uow:
            return tuple(uow.reference.services(active_only))

    def by_category(self, active_only: bool = True) -> tuple[Category, ...]:
        with self.uow() as uow:
            return by_category(uow.reference.services(active_only))

    def add(self, fields: Mapping[str, Any], manager_pin: str | None = None) -> Result:
        return add_service(self.uow(), fields, self.actor, manager_pin)

    def update(self, service_id: str, fields: Mapping[str, Any], manager_pin: str | None = None) -> Result:
        return update_service(self.uow(), service_id, fields, self.actor, manager_pin)

    def deactivate(self, service_id: str, manager_pin: str | None = None) -> Result:
        return update_service(self.uow(), service_id, {"active": False}, self.actor, manager_pin)
