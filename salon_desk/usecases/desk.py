"""DeskService: the one facade the desk UI calls. Each method opens its own unit of work, so it is safe to
call from the DB-lane thread; no ORM row or session ever leaves it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from salon_desk.domain.model import Actor, Booking, Service, Staff
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import SlotOption
from salon_desk.store.uow import UnitOfWork

from . import bookings, calendar, conflicts, customers, waitlist, walkins
from .commands import (
    AddCustomer,
    AddWaitlistEntry,
    AddWalkIn,
    CancelBooking,
    CreateBooking,
    FindSlots,
    MarkWalkInLeft,
    RemoveWaitlistEntry,
    RescheduleBooking,
    SeatWalkIn,
    TransitionBooking,
    UpdateBookingNotes,
    UpdateCustomer,
)
from .result import Result
from .schedule_inputs import salon_of
from .views import (
    ConflictCard,
    ConflictFix,
    CustomerProfile,
    CustomerSummary,
    DayView,
    ResolveConflict,
    SalonInfo,
    WalkInBoard,
    WeekView,
)


class DeskService:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], actor: Actor, language: Callable[[], str] = lambda: "ar"):
        self._uow = uow_factory
        self.actor = actor
        self.language = language  # where names in read models follow the UI language (set by app.py)

    def now(self) -> datetime:
        return self._uow().clock()

    # --- reads ----------------------------------------------------------------------------------------------
    def salon_info(self) -> SalonInfo:
        with self._uow() as uow:
            s = salon_of(uow)
            return SalonInfo(s.id, s.name_ar, s.name_en, s.timezone, s.digit_style)

    def list_staff(self, active_only: bool = True) -> tuple[Staff, ...]:
        with self._uow() as uow:
            return tuple(uow.reference.staff(active_only))

    def list_services(self, active_only: bool = True) -> tuple[Service, ...]:
        with self._uow() as uow:
            return tuple(uow.reference.services(active_only))

    def qualified_staff(self, service_id: str) -> tuple[str, ...]:
        with self._uow() as uow:
            return tuple(q.staff_id for q in uow.reference.staff_services(service_id))

    def day_view(self, day: date) -> DayView:
        return calendar.day_view(self._uow(), day)

    def week_view(self, staff_id: str, day: date) -> WeekView:
        return calendar.week_view(self._uow(), staff_id, day)

    def find_slots(self, cmd: FindSlots) -> list[SlotOption]:
        return calendar.slots_for(self._uow(), cmd)

    def check_booking(self, cmd: CreateBooking) -> None:
        bookings.check_booking(self._uow(), cmd)

    def check_move(self, cmd: RescheduleBooking) -> None:
        bookings.check_move(self._uow(), cmd)

    def search_customers(self, text: str, limit: int = 50, offset: int = 0) -> list[CustomerSummary]:
        return customers.search_customers(self._uow(), text, limit, offset)

    def count_customers(self, text: str) -> int:
        return customers.count_customers(self._uow(), text)

    def customer_profile(self, customer_id: str) -> CustomerProfile:
        return customers.customer_profile(self._uow(), customer_id, self.language())

    def walkin_board(self, now: datetime | None = None) -> WalkInBoard:
        return walkins.walkin_board(self._uow(), now)

    def get_booking(self, booking_id: str) -> Booking:
        with self._uow() as uow:
            return found(uow.bookings.get(booking_id), "booking.not_found")

    def allowed_transitions(self, booking_id: str) -> list[str]:
        return bookings.allowed_transitions(self._uow(), booking_id, self.actor)

    def business_day(self, instant: datetime) -> date:
        return calendar.business_day_of(self._uow(), instant)

    def today(self) -> date:
        return self.business_day(self.now())

    # --- writes (one transaction each) ----------------------------------------------------------------------
    def create_booking(self, cmd: CreateBooking) -> Result:
        return bookings.create_booking(self._uow(), cmd, self.actor)

    def reschedule_booking(self, cmd: RescheduleBooking) -> Result:
        return bookings.reschedule_booking(self._uow(), cmd, self.actor)

    def transition_booking(self, cmd: TransitionBooking) -> Result:
        return bookings.transition_booking(self._uow(), cmd, self.actor)

    def cancel_booking(self, cmd: CancelBooking) -> Result:
        return bookings.cancel_booking(self._uow(), cmd, self.actor)

    def update_booking_notes(self, cmd: UpdateBookingNotes) -> Result:
        return bookings.update_booking_notes(self._uow(), cmd, self.actor)

    def add_customer(self, cmd: AddCustomer) -> Result:
        return customers.add_customer(self._uow(), cmd, self.actor)

    def update_customer(self, cmd: UpdateCustomer) -> Result:
        return customers.update_customer(self._uow(), cmd, self.actor)

    def add_walkin(self, cmd: AddWalkIn) -> Result:
        return walkins.add_walkin(self._uow(), cmd, self.actor)

    def seat_walkin(self, cmd: SeatWalkIn) -> Result:
        return walkins.seat_walkin(self._uow(), cmd, self.actor)

    def mark_walkin_left(self, cmd: MarkWalkInLeft) -> Result:
        return walkins.mark_walkin_left(self._uow(), cmd, self.actor)

    def add_waitlist_entry(self, cmd: AddWaitlistEntry) -> Result:
        return waitlist.add_waitlist_entry(self._uow(), cmd, self.actor)

    def remove_waitlist_entry(self, cmd: RemoveWaitlistEntry) -> Result:
        return waitlist.remove_waitlist_entry(self._uow(), cmd, self.actor)

    # --- conflicts (specs/sync.md §3.9) ---------------------------------------------------------------------
    def open_conflicts(self) -> list[ConflictCard]:
        return conflicts.open_conflicts(self._uow(), self.actor.device_id)

    def conflict_fixes(self, conflict_id: str) -> list[ConflictFix]:
        return conflicts.conflict_fixes(self._uow(), conflict_id)

    def resolve_conflict(self, cmd: ResolveConflict) -> Result:
        return conflicts.resolve_conflict(self._uow(), cmd, self.actor)
