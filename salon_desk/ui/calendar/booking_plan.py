"""Turning what the booking dialog holds into a CreateBooking (no Qt; the lane functions run on the DB lane).

A visit is one or more services in sequence; a service row may say "anyone". The store's slot finder
decides who does an "anyone" row at the chosen time and when each later service starts (it knows each
staff member's own duration), so the dialog never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.scheduling import SlotOption
from salon_desk.usecases.commands import CreateBooking, FindSlots, ItemRequest, NewCustomer
from salon_desk.usecases.result import Result

if TYPE_CHECKING:
    from salon_desk.usecases.desk import DeskService


class PlanProblem(StrEnum):
    """What the dialog itself reports before (or instead of) asking the store."""

    NO_CUSTOMER = "no_customer"
    NO_SERVICE = "no_service"
    NO_TIME = "no_time"
    NOBODY_FREE = "nobody_free"


@dataclass(frozen=True, slots=True)
class Part:
    service_id: str
    staff_id: str | None  # None: anyone qualified


@dataclass(frozen=True, slots=True)
class Draft:
    parts: tuple[Part, ...]
    start: datetime | None
    customer_id: str | None = None
    new_customer: NewCustomer | None = None
    notes: str = ""
    confirmed: bool = False

    def local_problem(self) -> PlanProblem | None:
        if self.customer_id is None and self.new_customer is None:
            return PlanProblem.NO_CUSTOMER
        if not self.parts:
            return PlanProblem.NO_SERVICE
        if self.start is None:
            return PlanProblem.NO_TIME
        return None

    def slot_query(self, earliest: datetime, limit: int = 8, days_ahead: int = 14) -> FindSlots:
        return FindSlots(tuple((p.service_id, p.staff_id) for p in self.parts), earliest, days_ahead, limit)


@dataclass(frozen=True, slots=True)
class Plan:
    command: CreateBooking | None
    problem: PlanProblem | None = None


def items_from_slot(option: SlotOption) -> tuple[ItemRequest, ...]:
    return tuple(ItemRequest(a.service_id, a.staff_id, a.start) for a in option.assignments)


def plan_in_lane(desk: DeskService, draft: Draft) -> Plan:
    """Every item's staff member and time come from the slot finder (it knows each staff member's own
    duration and keeps the customer in one chair at a time); then the store checks everything (raises
    DomainError with the store's reason, saves nothing)."""
    problem = draft.local_problem()
    if problem is not None:
        return Plan(None, problem)
    start = draft.start
    assert start is not None  # local_problem() reports a missing time
    options = desk.calendar.find_slots(draft.slot_query(start, limit=1, days_ahead=1))
    if options and options[0].start == start:
        items = items_from_slot(options[0])
    elif len(draft.parts) == 1 and draft.parts[0].staff_id:
        # One service by a named person at the chosen time: nothing to derive, and the store names what is
        # in the way (or accepts a time off the slot grid).
        items = (ItemRequest(draft.parts[0].service_id, draft.parts[0].staff_id, start),)
    else:
        return Plan(None, PlanProblem.NOBODY_FREE)
    command = CreateBooking(items, draft.customer_id, draft.new_customer, draft.notes, draft.confirmed)
    desk.bookings.check(command)
    return Plan(command)


def next_bookable_in_lane(desk: DeskService, earliest: datetime) -> datetime | None:
    """Where a new booking opens when no time was clicked: the slot finder's first time at or after
    `earliest` for the quickest service with anyone (at 02:15 that is the morning's opening, not 02:30)."""
    services = desk.reference.services()
    if not services:
        return None
    quickest = min(services, key=lambda service: service.duration_minutes)
    options = desk.calendar.find_slots(FindSlots(((quickest.id, None),), earliest, 14, 1))
    return options[0].start if options else None


def slots_in_lane(desk: DeskService, draft: Draft, earliest: datetime) -> list[SlotOption]:
    if not draft.parts:
        return []
    return desk.calendar.find_slots(draft.slot_query(earliest))


def create_in_lane(desk: DeskService, command: CreateBooking) -> Result:
    """Saves exactly what was checked; the store checks again in its own transaction."""
    if not command.items:
        raise ValidationError("booking.no_items")
    return desk.bookings.create(command)
