"""Row -> domain object conversions. The only place that knows both shapes."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from salon_desk.domain.booking import BookingSource, BookingStatus, Role
from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingItem,
    Customer,
    DeskUser,
    ExceptionKind,
    Language,
    OpeningHours,
    Phase,
    Salon,
    Service,
    Staff,
    StaffService,
    SyncStatus,
    WaitlistEntry,
    WaitlistState,
    WalkIn,
    WalkInState,
)
from salon_desk.domain.scheduling.dated_hours import dated_hours_of

from . import rows as r


def phases_from_json(data: list[dict[str, Any]] | None) -> tuple[Phase, ...]:
    return tuple(Phase(int(p["minutes"]), bool(p.get("staff_busy", True))) for p in data or ())


def phases_to_json(phases: tuple[Phase, ...]) -> list[dict[str, Any]]:
    return [{"minutes": p.minutes, "staff_busy": p.staff_busy} for p in phases]


def opening_hours_from_json(data: list[dict[str, Any]]) -> tuple[OpeningHours, ...]:
    return tuple(OpeningHours(int(h["weekday"]), time.fromisoformat(h["start"]), time.fromisoformat(h["end"]))
                 for h in data)


def salon(row: r.SalonRow) -> Salon:
    return Salon(row.id, row.name_ar, row.name_en, row.timezone, row.vat_number, row.commercial_registration,
                 row.address, opening_hours_from_json(row.opening_hours),
                 tuple(date.fromisoformat(d) for d in row.closures), row.cancel_cutoff_minutes,
                 row.deposit_halalas, row.sms_sender, row.digit_style, row.idle_lock_minutes,
                 row.discount_limit_percent, row.link_expiry_hours, row.zatca_phase,
                 dated_hours_of(row.dated_hours or ()), row.deposit_on_cancel, row.deposit_on_late_cancel,
                 row.deposit_on_no_show, row.deposit_on_reschedule)


def staff(row: r.StaffRow) -> Staff:
    return Staff(row.id, row.name_ar, row.name_en, row.title, row.color, row.sort_order, row.active,
                 row.title_ar or "", row.title_en or "", row.phone)


def service(row: r.ServiceRow) -> Service:
    return Service(row.id, row.name_ar, row.name_en, row.category, row.duration_minutes, row.buffer_minutes,
                   row.price_halalas, phases_from_json(row.phases), row.active, row.color,
                   bool(row.can_run_alongside))


def staff_service(row: r.StaffServiceRow) -> StaffService:
    return StaffService(row.staff_id, row.service_id, row.duration_minutes, row.price_halalas)


def availability_rule(row: r.AvailabilityRuleRow) -> AvailabilityRule:
    return AvailabilityRule(row.id, row.staff_id, row.weekday, row.start_time, row.end_time, row.valid_from,
                            row.valid_to)


def availability_exception(row: r.AvailabilityExceptionRow) -> AvailabilityException:
    return AvailabilityException(row.id, row.staff_id, ExceptionKind(row.kind), row.start_at, row.end_at, row.note)


def customer(row: r.CustomerRow) -> Customer:
    return Customer(row.id, row.name, row.phone, Language(row.language), row.notes, row.consent_reminders,
                    row.consent_marketing, row.created_at)


def booking_item(row: r.BookingItemRow) -> BookingItem:
    return BookingItem(row.id, row.booking_id, row.service_id, row.staff_id, row.start_at, row.end_at,
                       row.busy_until, row.price_halalas, phases_from_json(row.phases), row.actual_start_at,
                       row.actual_end_at)


def booking(row: r.BookingRow, items: list[r.BookingItemRow]) -> Booking:
    return Booking(row.id, row.customer_id, BookingStatus(row.status), BookingSource(row.source), row.notes,
                   tuple(booking_item(i) for i in sorted(items, key=lambda i: i.start_at)), row.created_at,
                   row.updated_at, SyncStatus(row.sync_status), row.cancel_reason)


def walk_in(row: r.WalkInRow) -> WalkIn:
    return WalkIn(row.id, row.name, row.phone, row.service_id, row.preferred_staff_id, row.arrived_at,
                  WalkInState(row.state), row.booking_id, row.customer_id, row.left_at)


def waitlist_entry(row: r.WaitlistEntryRow) -> WaitlistEntry:
    return WaitlistEntry(row.id, row.customer_id, row.name, row.phone, row.service_id, row.staff_id,
                         row.window_start, row.window_end, WaitlistState(row.state), row.offered_start,
                         row.offered_staff_id, row.notes)


def desk_user(row: r.DeskUserRow) -> DeskUser:
    return DeskUser(row.id, row.name, Role(row.role), row.active)
