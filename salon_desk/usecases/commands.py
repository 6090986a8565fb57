"""Commands: what a person asked for, as plain data. Slots build one and hand it to the task runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from salon_desk.domain.model import ExceptionKind, Language


@dataclass(frozen=True)
class NewCustomer:
    """A customer created inline while booking or seating."""

    name: str
    phone: str  # as typed; normalised by the use case
    language: Language = Language.AR


@dataclass(frozen=True)
class ItemRequest:
    service_id: str
    staff_id: str
    start_at: datetime  # tz-aware


@dataclass(frozen=True)
class CreateBooking:
    items: tuple[ItemRequest, ...]
    customer_id: str | None = None
    new_customer: NewCustomer | None = None
    notes: str = ""
    confirmed: bool = False  # the customer confirmed in person / on the phone
    booking_id: str | None = None  # set by offline callers that already chose the id
    waitlist_entry_id: str | None = None  # booking an offered waitlist slot marks the entry booked


@dataclass(frozen=True)
class ItemMove:
    item_id: str
    staff_id: str
    start_at: datetime


@dataclass(frozen=True)
class RescheduleBooking:
    booking_id: str
    moves: tuple[ItemMove, ...]


@dataclass(frozen=True)
class TransitionBooking:
    booking_id: str
    to: str  # BookingStatus value
    reason: str = ""
    # When it happened, if not now: the actual start (in_service) or the actual end (completed) of the visit.
    happened_at: datetime | None = None


@dataclass(frozen=True)
class CancelBooking:
    booking_id: str
    reason: str
    by_salon: bool = False  # the salon cancels (not the customer): a paid deposit is refunded in full


@dataclass(frozen=True)
class UpdateBookingNotes:
    booking_id: str
    notes: str


@dataclass(frozen=True)
class AddCustomer:
    name: str
    phone: str
    language: Language = Language.AR
    notes: str = ""
    consent_reminders: bool = True
    consent_marketing: bool = False


@dataclass(frozen=True)
class UpdateCustomer:
    customer_id: str
    fields: dict[str, object] = field(default_factory=dict)  # name, phone, language, notes, consents


@dataclass(frozen=True)
class AddWalkIn:
    service_id: str
    name: str = ""
    phone: str = ""
    preferred_staff_id: str | None = None


@dataclass(frozen=True)
class SeatWalkIn:
    walkin_id: str
    staff_id: str | None = None  # None: whoever is free soonest


@dataclass(frozen=True)
class MarkWalkInLeft:
    walkin_id: str


@dataclass(frozen=True)
class AddWaitlistEntry:
    service_id: str
    window_start: datetime
    window_end: datetime
    customer_id: str | None = None
    new_customer: NewCustomer | None = None
    staff_id: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class RemoveWaitlistEntry:
    entry_id: str


@dataclass(frozen=True)
class FindSlots:
    """Next free slots for a visit of one or more services; staff_id None means "anyone"."""

    parts: tuple[tuple[str, str | None], ...]  # (service_id, staff_id or None)
    earliest: datetime
    days_ahead: int = 14
    limit: int = 10


@dataclass(frozen=True)
class AddAvailabilityException:
    staff_id: str
    kind: ExceptionKind
    start_at: datetime
    end_at: datetime
    note: str = ""
