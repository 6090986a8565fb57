"""Bookings and their items: the calendar's facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant, Json

from .base import Base, Replicated


class BookingRow(Replicated, Base):
    __tablename__ = "booking"
    __table_args__ = (Index(None, "customer_id"), Index(None, "status"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"), default=None)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="desk")
    notes: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(Instant)  # first item's start, for ordering and reminders


class BookingItemRow(Replicated, Base):
    __tablename__ = "booking_item"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("busy_until >= end_at", name="busy_covers_item"),
        CheckConstraint("price_halalas >= 0", name="price_not_negative"),
        Index(None, "staff_id", "start_at"),
        Index(None, "start_at"),
        Index(None, "booking_id"),
    )
    booking_id: Mapped[str] = mapped_column(ForeignKey("booking.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    start_at: Mapped[datetime] = mapped_column(Instant)
    end_at: Mapped[datetime] = mapped_column(Instant)
    busy_until: Mapped[datetime] = mapped_column(Instant)  # end_at + the service's buffer
    price_halalas: Mapped[int] = mapped_column(Integer)
    phases: Mapped[list[Any]] = mapped_column(Json, default=list)  # snapshot of the service's phases when booked
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # holds the stylist's time (status in ACTIVE)
    # As it really ran, apart from the booked interval (domain/scheduling/actual.py decides the busy time).
    actual_start_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    actual_end_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
