"""Reference data: the salon, staff, services, who performs what, availability, desk users."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.domain.deposit_policy import DEFAULT_POLICY
from salon_desk.store.types import Day, Instant, Json, WallTime

from .base import Base, Replicated


def _deposit_action(default: str) -> Mapped[str]:
    """One choice of the salon's deposit policy (domain.deposit_policy), stored as the action's value."""
    return mapped_column(String(16), default=str(default), server_default=str(default))


class SalonRow(Replicated, Base):
    __tablename__ = "salon"
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Riyadh")
    vat_number: Mapped[str] = mapped_column(String(15), default="")
    commercial_registration: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[list[Any]] = mapped_column(Json, default=list)  # [{weekday, start, end}]
    closures: Mapped[list[Any]] = mapped_column(Json, default=list)  # ["2026-03-20", ...]
    cancel_cutoff_minutes: Mapped[int] = mapped_column(Integer, default=120)
    deposit_halalas: Mapped[int] = mapped_column(Integer, default=0)
    sms_sender: Mapped[str] = mapped_column(String(11), default="")
    digit_style: Mapped[str] = mapped_column(String(4), default="latn")
    # Issue #10 (salon profile and policies): edited by the owner at the desk, synced.
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    discount_limit_percent: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    link_expiry_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    zatca_phase: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Ramadan and other dated hours: [{name, first_day, last_day, hours: [{weekday, start, end}]}]
    dated_hours: Mapped[list[Any]] = mapped_column(Json, default=list, server_default="[]")
    # Issue #12: what happens to a paid deposit (domain.deposit_policy; the defaults are DepositPolicy's)
    deposit_on_cancel: Mapped[str] = _deposit_action(DEFAULT_POLICY.on_cancel)
    deposit_on_late_cancel: Mapped[str] = _deposit_action(DEFAULT_POLICY.on_late_cancel)
    deposit_on_no_show: Mapped[str] = _deposit_action(DEFAULT_POLICY.on_no_show)
    deposit_on_reschedule: Mapped[str] = _deposit_action(DEFAULT_POLICY.on_reschedule)


class StaffRow(Replicated, Base):
    __tablename__ = "staff"
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")  # legacy single title (English in demo data)
    title_ar: Mapped[str] = mapped_column(String(120), default="", server_default="")
    title_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    color: Mapped[str] = mapped_column(String(9), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceRow(Replicated, Base):
    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint("price_halalas >= 0", name="price_not_negative"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
    )
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    price_halalas: Mapped[int] = mapped_column(Integer)
    phases: Mapped[list[Any]] = mapped_column(Json, default=list)  # [{minutes, staff_busy}]
    color: Mapped[str] = mapped_column(String(9), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A customer may have it at the same time as another such service (a manicure beside a pedicure).
    can_run_alongside: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StaffServiceRow(Replicated, Base):
    __tablename__ = "staff_service"
    __table_args__ = (UniqueConstraint("staff_id", "service_id"),)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    duration_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    price_halalas: Mapped[int | None] = mapped_column(Integer, default=None)


class AvailabilityRuleRow(Replicated, Base):
    __tablename__ = "availability_rule"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        Index(None, "staff_id"),
    )
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday … 6 = Sunday
    start_time: Mapped[time] = mapped_column(WallTime)
    end_time: Mapped[time] = mapped_column(WallTime)
    valid_from: Mapped[date | None] = mapped_column(Day, default=None)
    valid_to: Mapped[date | None] = mapped_column(Day, default=None)


class AvailabilityExceptionRow(Replicated, Base):
    __tablename__ = "availability_exception"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        Index(None, "staff_id", "start_at"),
    )
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))  # time_off | break | extra_hours
    start_at: Mapped[datetime] = mapped_column(Instant)
    end_at: Mapped[datetime] = mapped_column(Instant)
    note: Mapped[str] = mapped_column(Text, default="")


class DeskUserRow(Replicated, Base):
    __tablename__ = "desk_user"
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # receptionist | manager | owner
    pin_hash: Mapped[str] = mapped_column(String(200), default="")  # domain.pin: peppered scrypt, never the PIN
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: access revoked on every desk


class PinAttemptRow(Base):
    """Local to this desk, never replicated: wrong PINs in a row for one subject (a user id signing in, or
    "elevate" for manager PINs asked at this desk), for the lock-out back-off in `domain.pin`."""

    __tablename__ = "pin_attempt"
    subject: Mapped[str] = mapped_column(String(60), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
