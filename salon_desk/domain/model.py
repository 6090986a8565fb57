"""Frozen value objects for the salon's entities, as the store returns them and the UI shows them.

Instants are timezone-aware UTC datetimes; wall-clock times (working hours) are naive `time`s in the
salon's time zone; money is integer halalas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from .booking import BookingSource, BookingStatus, Role
from .deposit_policy import DEFAULT_POLICY


class Language(StrEnum):
    AR = "ar"
    EN = "en"


class ExceptionKind(StrEnum):
    TIME_OFF = "time_off"
    BREAK = "break"
    EXTRA_HOURS = "extra_hours"
    # The time of a booking a manager kept when hours changed (issue #10, "keep it as an exception"): like an
    # extra shift, but it also wins over the salon's hours and closures (a booking kept on Eid stays on Eid).
    KEPT = "kept"


class WalkInState(StrEnum):
    WAITING = "waiting"
    SEATED = "seated"
    LEFT = "left"


class WaitlistState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    REMOVED = "removed"


class SyncStatus(StrEnum):
    SYNCED = "synced"
    PENDING = "pending"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One weekly opening span. weekday: 0 = Monday … 6 = Sunday (Python's date.weekday()).
    `end <= start` means the span runs past midnight into the next calendar day."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DatedHours:
    """Salon hours for a named date range (Ramadan): on the business days first_day..last_day (inclusive)
    these weekly hours replace the usual ones; closures still win. No hours on a weekday = closed then."""

    name: str
    first_day: date
    last_day: date
    hours: tuple[OpeningHours, ...]


@dataclass(frozen=True, slots=True)
class Salon:
    id: str
    name_ar: str
    name_en: str
    timezone: str
    vat_number: str
    commercial_registration: str
    address: str
    opening_hours: tuple[OpeningHours, ...]
    closures: tuple[date, ...]  # business days the salon is closed (Eid, National Day)
    cancel_cutoff_minutes: int
    deposit_halalas: int
    sms_sender: str
    digit_style: str  # "latn" | "arab"
    idle_lock_minutes: int = 5  # issue #10: salon policies
    discount_limit_percent: int = 20
    link_expiry_hours: int = 48
    zatca_phase: int = 1
    dated_hours: tuple[DatedHours, ...] = ()  # issue #10: Ramadan hours and other dated salon hours
    # issue #12: the salon's deposit policy, domain.deposit_policy's actions (defaults: DepositPolicy's)
    deposit_on_cancel: str = DEFAULT_POLICY.on_cancel.value
    deposit_on_late_cancel: str = DEFAULT_POLICY.on_late_cancel.value
    deposit_on_no_show: str = DEFAULT_POLICY.on_no_show.value
    deposit_on_reschedule: str = DEFAULT_POLICY.on_reschedule.value


@dataclass(frozen=True, slots=True)
class Phase:
    """One part of a service. A colour: apply 30 (busy), process 40 (stylist free), finish 20 (busy)."""

    minutes: int
    staff_busy: bool = True


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name_ar: str
    name_en: str
    category: str
    duration_minutes: int
    buffer_minutes: int
    price_halalas: int  # VAT-inclusive
    phases: tuple[Phase, ...] = ()
    active: bool = True
    color: str = ""
    can_run_alongside: bool = False  # a customer may have it at the same time as another such service


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name_ar: str
    name_en: str
    title: str
    color: str
    sort_order: int
    active: bool = True
    title_ar: str = ""  # issue #10: the job title in each UI language (`title` is the legacy single one)
    title_en: str = ""
    phone: str | None = None

    def title_in(self, language: str) -> str:
        """The job title in the UI language, falling back to the other language, then the legacy title."""
        first, second = (self.title_ar, self.title_en) if language == "ar" else (self.title_en, self.title_ar)
        return first or second or self.title


@dataclass(frozen=True, slots=True)
class StaffService:
    staff_id: str
    service_id: str
    duration_minutes: int | None = None
    price_halalas: int | None = None


@dataclass(frozen=True, slots=True)
class AvailabilityRule:
    id: str
    staff_id: str
    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class AvailabilityException:
    id: str
    staff_id: str
    kind: ExceptionKind
    start_at: datetime
    end_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    phone: str | None  # E.164
    language: Language
    notes: str = ""
    consent_reminders: bool = True
    consent_marketing: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingItem:
    id: str
    booking_id: str
    service_id: str
    staff_id: str
    start_at: datetime
    end_at: datetime
    busy_until: datetime  # end_at + the service's buffer
    price_halalas: int
    phases: tuple[Phase, ...] = ()
    # As it really ran (recorded at start and completion), kept apart from the booked interval.
    actual_start_at: datetime | None = None
    actual_end_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    id: str
    customer_id: str | None
    status: BookingStatus
    source: BookingSource
    notes: str
    items: tuple[BookingItem, ...]
    created_at: datetime
    updated_at: datetime
    sync_status: SyncStatus = SyncStatus.SYNCED
    cancel_reason: str = ""

    @property
    def start_at(self) -> datetime:
        return min(i.start_at for i in self.items)

    @property
    def end_at(self) -> datetime:
        return max(i.end_at for i in self.items)

    @property
    def total_halalas(self) -> int:
        return sum(i.price_halalas for i in self.items)


@dataclass(frozen=True, slots=True)
class WalkIn:
    id: str
    name: str
    phone: str | None
    service_id: str
    preferred_staff_id: str | None
    arrived_at: datetime
    state: WalkInState
    booking_id: str | None = None
    customer_id: str | None = None
    left_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WaitlistEntry:
    id: str
    customer_id: str | None
    name: str
    phone: str | None
    service_id: str
    staff_id: str | None
    window_start: datetime
    window_end: datetime
    state: WaitlistState
    offered_start: datetime | None = None
    offered_staff_id: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class DeskUser:
    id: str
    name: str
    role: Role
    active: bool = True


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, on which desk. Every use case takes one; permissions are checked against it."""

    user_id: str
    role: Role
    device_id: str = "local"
    name: str = ""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: str
    actor_id: str
    device_id: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    hash: str = ""
    prev_hash: str = ""


@dataclass(frozen=True)
class Changes:
    """What a use case changed: entity name -> ids. One signal refreshes every view from this."""

    entities: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.entities.values())

    def touches(self, entity: str) -> bool:
        return bool(self.entities.get(entity))

    def merged(self, other: Changes) -> Changes:
        keys = set(self.entities) | set(other.entities)
        return Changes({k: self.entities.get(k, frozenset()) | other.entities.get(k, frozenset()) for k in keys})
