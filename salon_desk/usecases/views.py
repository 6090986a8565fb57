"""Read models for screens: frozen dataclasses, ready to show, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from salon_desk.domain.model import Language, Service, Staff, SyncStatus
from salon_desk.domain.scheduling import Interval


@dataclass(frozen=True, slots=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class StaffColumn:
    staff: Staff
    working: tuple[Span, ...]  # when this person works within the day window
    breaks: tuple[Span, ...]  # breaks and time off inside the day window


@dataclass(frozen=True, slots=True)
class BookingBlock:
    booking_id: str
    item_id: str
    staff_id: str
    start_at: datetime
    end_at: datetime
    busy_until: datetime
    segments: tuple[Interval, ...]  # the stylist's busy time (active phases + cleanup), as the store checks it
    status: str  # BookingStatus value
    customer_id: str | None
    customer_name: str
    customer_phone: str | None
    service_id: str
    service_name_ar: str
    service_name_en: str
    price_halalas: int
    notes: str
    sync_status: SyncStatus
    source: str
    message: tuple[str, str] | None = None  # (event, status) of the customer's latest SMS/WhatsApp message
    actual_start_at: datetime | None = None  # as it really ran (recorded at start and completion)
    actual_end_at: datetime | None = None

    @property
    def shown_end(self) -> datetime:
        """Where the block ends on the calendar: the actual end once known (early or overrun), else the booked end."""
        return self.actual_end_at or self.end_at


@dataclass(frozen=True, slots=True)
class DayView:
    day: date  # business day
    timezone: str
    window: Span | None  # opening hours of the business day; None when the salon is closed
    columns: tuple[StaffColumn, ...]  # staff working that day, in display order
    blocks: tuple[BookingBlock, ...]


@dataclass(frozen=True, slots=True)
class WeekView:
    staff: Staff
    days: tuple[DayView, ...]  # seven business days from the week's Sunday, one column each


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    id: str
    name: str
    phone: str | None
    language: Language
    visits: int
    no_shows: int
    last_visit: datetime | None


@dataclass(frozen=True, slots=True)
class VisitLine:
    booking_id: str
    start_at: datetime
    status: str
    services: tuple[str, ...]
    staff_names: tuple[str, ...]
    total_halalas: int


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    summary: CustomerSummary
    notes: str
    consent_reminders: bool
    consent_marketing: bool
    upcoming: tuple[VisitLine, ...]
    past: tuple[VisitLine, ...]


@dataclass(frozen=True, slots=True)
class WalkInLine:
    id: str
    name: str
    phone: str | None
    service: Service
    preferred_staff: Staff | None
    arrived_at: datetime
    state: str  # WalkInState value
    estimated_start: datetime | None  # when the soonest qualified staff member is free
    estimated_staff: Staff | None
    booking_id: str | None


@dataclass(frozen=True, slots=True)
class WaitlistLine:
    id: str
    name: str
    phone: str | None
    service: Service
    staff: Staff | None
    window_start: datetime
    window_end: datetime
    state: str  # WaitlistState value
    offered_start: datetime | None
    offered_staff: Staff | None
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class WalkInBoard:
    walkins: tuple[WalkInLine, ...]
    waitlist: tuple[WaitlistLine, ...]


@dataclass(frozen=True, slots=True)
class SalonInfo:
    id: str
    name_ar: str
    name_en: str
    timezone: str
    digit_style: str


@dataclass(frozen=True, slots=True)
class ExistingBooking:
    """What the server kept in the way of a conflicting booking (the other side of an overlap)."""

    booking_id: str
    customer_name: str
    staff: Staff | None
    start_at: datetime | None
    end_at: datetime | None
    booked_at: datetime | None  # when that booking was created


@dataclass(frozen=True, slots=True)
class ConflictCard:
    """One open conflict card (specs/sync.md §3.9): what a desk tried and what the server has."""

    id: str
    kind: str  # overlap | move_refused | transition_refused | gone | forbidden | invalid | duplicate_merged
    reason_code: str  # an error code, translated with Localizer.message(reason_code, reason_params)
    reason_params: dict[str, object]
    booking_id: str | None
    customer_name: str
    customer_phone: str | None
    services: tuple[Service, ...]
    staff: tuple[Staff, ...]
    attempted_action: str  # the refused mutation's name, e.g. booking.create
    attempted_start: datetime | None  # the time the desk tried (for a move: the new time)
    attempted_end: datetime | None
    attempted_status: str | None  # the status a refused transition tried to reach
    attempted_by_device: str  # the desk's name as the server knows it
    attempted_here: bool  # True when this desk made the attempt
    booking_status: str | None  # the booking's status as the server has it (local replica)
    booking_start: datetime | None  # the booking's time as the server has it
    existing: ExistingBooking | None
    created_at: datetime
    minutes_to_start: int | None  # negative once the appointment has started
    urgent: bool  # unresolved and starting within two hours: the calendar header shows it to everyone


@dataclass(frozen=True, slots=True)
class ConflictFix:
    """One way out of a conflict, computed from current local data. `moves` carries (item_id, staff_id,
    start_at) for fixes that move the booking."""

    kind: str  # same_staff_slot | other_staff | waitlist | cancel | keep | walk_in
    start_at: datetime | None = None
    staff: Staff | None = None
    moves: tuple[tuple[str, str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class ResolveConflict:
    """The command that applies one fix to one conflict card (kept beside ConflictFix so the UI can build it
    without importing the use case module)."""

    conflict_id: str
    fix: ConflictFix
