"""The salon profile and policies (issue #10, owner): names, VAT number, commercial registration, address,
SMS sender name, digit style, business hours (past midnight allowed), dated hours (Ramadan) and closures,
cancellation cutoff,
deposit and its policy (issue #12: domain.deposit_policy), discount limit, idle lock, link expiry and ZATCA
phase. One `salon.patch` mutation, synced to every
desk. New hours or closures that leave bookings outside working time must be settled like any availability
change (`availability.settle`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from salon_desk.domain.model import Actor, Salon
from salon_desk.domain.permissions import Permission
from salon_desk.domain.salon_profile import HOURS_FIELDS, check_profile
from salon_desk.domain.scheduling import SalonSchedule
from salon_desk.domain.scheduling.dated_hours import dated_hours_of
from salon_desk.store.mappers import opening_hours_from_json
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .area import DeskArea
from .authority import authorise
from .availability import AffectedBooking, Settle, outside_for_salon, settle
from .result import Result
from .schedule_inputs import salon_of


def _schedule_after(salon: Salon, values: Mapping[str, Any]) -> SalonSchedule:
    hours = opening_hours_from_json(values["opening_hours"]) if "opening_hours" in values else salon.opening_hours
    closures = (tuple(date.fromisoformat(d) for d in values["closures"]) if "closures" in values
                else salon.closures)
    dated = dated_hours_of(values["dated_hours"]) if "dated_hours" in values else salon.dated_hours
    return SalonSchedule(ZoneInfo(salon.timezone), tuple(hours), tuple(closures), tuple(dated))


def preview_profile(uow: UnitOfWork, fields: Mapping[str, Any]) -> list[AffectedBooking]:
    with uow:
        values = check_profile(fields)
        if not HOURS_FIELDS & set(values):
            return []
        return outside_for_salon(uow, _schedule_after(salon_of(uow), values))


def update_profile(uow: UnitOfWork, fields: Mapping[str, Any], actor: Actor,
                   settlements: Mapping[str, Settle] | None = None, manager_pin: str | None = None) -> Result:
    with uow:
        permission = Permission.CLOSURES if set(fields) <= HOURS_FIELDS else Permission.SALON_SETTINGS
        acting = authorise(uow, actor, permission, manager_pin)
        salon = salon_of(uow)
        values = check_profile(fields)
        current = uow.catalogue.values("salon", salon.id) or {}
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            return Result(salon.id)
        affected = outside_for_salon(uow, _schedule_after(salon, changed)) if HOURS_FIELDS & set(changed) else []
        now = uow.clock()
        uow.catalogue.update("salon", salon.id, changed, now)
        uow.record(MutationName.SALON_PATCH, "salon", salon.id, payloads.patch(changed), acting,
                   base_seq=current.get("server_seq"), audit_before={k: current.get(k) for k in changed},
                   audit_after=changed)
        settle(uow, affected, settlements or {}, acting, now)
        return Result(salon.id, uow.commit())


class SalonProfileArea(DeskArea):
    """`desk.salon_profile`: the owner's page."""

    def get(self) -> Salon:
        with self.uow() as uow:
            return salon_of(uow)

    def preview(self, fields: Mapping[str, Any]) -> list[AffectedBooking]:
        return preview_profile(self.uow(), fields)

    def update(self, fields: Mapping[str, Any], settlements: Mapping[str, Settle] | None = None,
               manager_pin: str | None = None) -> Result:
        return update_profile(self.uow(), fields, self.actor, settlements, manager_pin)
