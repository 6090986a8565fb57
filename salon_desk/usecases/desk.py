"""DeskService: the one facade the desk UI calls, grouped as Anki's collection exposes `col.decks` and
`col.tags`::

    desk.reference   salon info, staff, services, who does what (reads)
    desk.calendar    day and week views, slot search, business days
    desk.bookings    create, check, move, transition, cancel, notes
    desk.customers   search, profile, add, update
    desk.walkins     the walk-in board: add, seat, mark left
    desk.waitlist    add, remove
    desk.conflicts   quarantined changes and their fixes (specs/sync.md §3.9)
    desk.staff       staff members, their titles and the services each performs (issue #10, managers)
    desk.catalogue   the services catalogue by category (managers)
    desk.availability  weekly hours, time off and extra shifts, and the bookings a change leaves outside
    desk.salon_profile the salon's profile and policies (owner; hours and closures also managers)
    desk.users, desk.audit, desk.checkout, ...   added by their features, each in its own module

Each group is a `DeskArea` (usecases/area.py): its methods open their own unit of work, so they are safe to
call from the DB-lane thread, and no ORM row or session ever leaves them. All groups share one `Seat` (the
unit-of-work factory, the current actor, the UI language), so signing in (`desk.actor = ...`) reaches every
group at once.

Adding a group: write `class StaffArea(DeskArea)` in your own module (see area.py's docstring) and add ONE
line to `DeskService.__init__` below, `self.staff = StaffArea(seat)`. Nothing else changes: the UI reaches it
as `ctx.desk.staff.<method>`, fully typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from salon_desk.domain.model import Actor, Booking, Service, Staff
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import SlotOption
from salon_desk.store.uow import UnitOfWork

from . import bookings, calendar, conflicts, customers, waitlist, walkins
from .area import DeskArea, Seat
from .audit_view import AuditArea
from .availability import AvailabilityArea
from .catalogue import CatalogueArea
from .checkout import CheckoutArea
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
from .online_payments import OnlinePaymentsArea
from .result import Result
from .salon_profile import SalonProfileArea
from .schedule_inputs import salon_of
from .staff import StaffArea
from .users_area import UsersArea
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


class ReferenceArea(DeskArea):
    """The salon and its catalogue, read-only here (their editors arrive with `desk.staff`)."""

    def salon_info(self) -> SalonInfo:
        with self.uow() as uow:
            s = salon_of(uow)
            return SalonInfo(s.id, s.name_ar, s.name_en, s.timezone, s.digit_style)

    def staff(self, active_only: bool = True) -> tuple[Staff, ...]:
        with self.uow() as uow:
            return tuple(uow.reference.staff(active_only))

    def services(self, active_only: bool = True) -> tuple[Service, ...]:
        with self.uow() as uow:
            return tuple(uow.reference.services(active_only))

    def qualified_staff(self, service_id: str) -> tuple[str, ...]:
        with self.uow() as uow:
            return tuple(q.staff_id for q in uow.reference.staff_services(service_id))


class CalendarArea(DeskArea):
    def day_view(self, day: date) -> DayView:
        return calendar.day_view(self.uow(), day)

    def week_view(self, staff_id: str, day: date) -> WeekView:
        return calendar.week_view(self.uow(), staff_id, day)

    def find_slots(self, cmd: FindSlots) -> list[SlotOption]:
        return calendar.slots_for(self.uow(), cmd)

    def business_day(self, instant: datetime) -> date:
        return calendar.business_day_of(self.uow(), instant)

    def today(self) -> date:
        return self.business_day(self.now())


class BookingsArea(DeskArea):
    def get(self, booking_id: str) -> Booking:
        with self.uow() as uow:
            return found(uow.bookings.get(booking_id), "booking.not_found")

    def allowed_transitions(self, booking_id: str) -> list[str]:
        return bookings.allowed_transitions(self.uow(), booking_id, self.actor)

    def check(self, cmd: CreateBooking) -> None:
        """Raises the refusal `create` would give, writing nothing."""
        bookings.check_booking(self.uow(), cmd)

    def check_move(self, cmd: RescheduleBooking) -> None:
        """Raises the refusal `reschedule` would give, writing nothing."""
        bookings.check_move(self.uow(), cmd)

    def create(self, cmd: CreateBooking) -> Result:
        return bookings.create_booking(self.uow(), cmd, self.actor)

    def reschedule(self, cmd: RescheduleBooking) -> Result:
        return bookings.reschedule_booking(self.uow(), cmd, self.actor)

    def transition(self, cmd: TransitionBooking) -> Result:
        return bookings.transition_booking(self.uow(), cmd, self.actor)

    def cancel(self, cmd: CancelBooking) -> Result:
        return bookings.cancel_booking(self.uow(), cmd, self.actor)

    def update_notes(self, cmd: UpdateBookingNotes) -> Result:
        return bookings.update_booking_notes(self.uow(), cmd, self.actor)


class CustomersArea(DeskArea):
    def search(self, text: str, limit: int = 50, offset: int = 0) -> list[CustomerSummary]:
        return customers.search_customers(self.uow(), text, limit, offset)

    def count(self, text: str) -> int:
        return customers.count_customers(self.uow(), text)

    def profile(self, customer_id: str) -> CustomerProfile:
        return customers.customer_profile(self.uow(), customer_id, self.language())

    def add(self, cmd: AddCustomer) -> Result:
        return customers.add_customer(self.uow(), cmd, self.actor)

    def update(self, cmd: UpdateCustomer) -> Result:
        return customers.update_customer(self.uow(), cmd, self.actor)


class WalkInsArea(DeskArea):
    def board(self, now: datetime | None = None) -> WalkInBoard:
        return walkins.walkin_board(self.uow(), now)

    def add(self, cmd: AddWalkIn) -> Result:
        return walkins.add_walkin(self.uow(), cmd, self.actor)

    def seat(self, cmd: SeatWalkIn) -> Result:
        return walkins.seat_walkin(self.uow(), cmd, self.actor)

    def mark_left(self, cmd: MarkWalkInLeft) -> Result:
        return walkins.mark_walkin_left(self.uow(), cmd, self.actor)


class WaitlistArea(DeskArea):
    def add(self, cmd: AddWaitlistEntry) -> Result:
        return waitlist.add_waitlist_entry(self.uow(), cmd, self.actor)

    def remove(self, cmd: RemoveWaitlistEntry) -> Result:
        return waitlist.remove_waitlist_entry(self.uow(), cmd, self.actor)


class ConflictsArea(DeskArea):
    def open(self) -> list[ConflictCard]:
        """This device's quarantined changes, each with both sides."""
        return conflicts.open_conflicts(self.uow(), self.actor.device_id)

    def fixes(self, conflict_id: str) -> list[ConflictFix]:
        return conflicts.conflict_fixes(self.uow(), conflict_id)

    def resolve(self, cmd: ResolveConflict) -> Result:
        return conflicts.resolve_conflict(self.uow(), cmd, self.actor)


class DeskService:
    """The grouped desk facade. One line per group; see the module docstring to add one."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], actor: Actor,
                 language: Callable[[], str] | None = None) -> None:
        seat = Seat(uow_factory, actor) if language is None else Seat(uow_factory, actor, language)
        self._seat = seat
        self.reference = ReferenceArea(seat)
        self.calendar = CalendarArea(seat)
        self.bookings = BookingsArea(seat)
        self.customers = CustomersArea(seat)
        self.walkins = WalkInsArea(seat)
        self.waitlist = WaitlistArea(seat)
        self.conflicts = ConflictsArea(seat)
        self.users = UsersArea(seat)
        self.audit = AuditArea(seat)
        self.checkout = CheckoutArea(seat)
        self.staff = StaffArea(seat)  # issue #10: managers shape the week
        self.catalogue = CatalogueArea(seat)
        self.availability = AvailabilityArea(seat)
        self.salon_profile = SalonProfileArea(seat)
        self.online_payments = OnlinePaymentsArea(seat)  # issue #12: Moyasar pay links (cloud-owned state)

    @property
    def actor(self) -> Actor:
        return self._seat.actor

    @actor.setter
    def actor(self, actor: Actor) -> None:
        """Sign-in: every group acts as `actor` from the next call on."""
        self._seat.actor = actor

    def follow_language(self, language: Callable[[], str]) -> None:
        """Names in read models follow `language()` (the UI's current language; set by the composition root)."""
        self._seat.language = language

    def now(self) -> datetime:
        return self._seat.uow_factory().clock()
