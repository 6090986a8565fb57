"""Customers, walk-ins and the waitlist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant

from .base import Base, Replicated


class CustomerRow(Replicated, Base):
    __tablename__ = "customer"
    __table_args__ = (
        # The phone is the natural key: unique per salon among live customers (the server merges duplicates
        # created on two offline desks).
        Index(
            "uq_customer_salon_phone_live",
            "salon_id",
            "phone",
            unique=True,
            sqlite_where=text("phone IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(None, "phone"),
        Index(None, "search_name"),
    )
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), default="")  # folded for search (see domain.text)
    phone: Mapped[str | None] = mapped_column(String(16), default=None)  # E.164
    language: Mapped[str] = mapped_column(String(2), default="ar")
    notes: Mapped[str] = mapped_column(Text, default="")
    consent_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)


class WalkInRow(Replicated, Base):
    __tablename__ = "walk_in"
    __table_args__ = (Index(None, "state", "arrived_at"),)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"), default=None)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    preferred_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), default=None)
    arrived_at: Mapped[datetime] = mapped_column(Instant)
    state: Mapped[str] = mapped_column(String(10), default="waiting")  # waiting | seated | left
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("booking.id"), default=None)
    left_at: Mapped[datetime | None] = mapped_column(Instant, default=None)


class WaitlistEntryRow(Replicated, Base):
    __tablename__ = "waitlist_entry"
    __table_args__ = (Index(None, "state", "window_start"),)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"), default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), default=None)
    window_start: Mapped[datetime] = mapped_column(Instant)
    window_end: Mapped[datetime] = mapped_column(Instant)
    state: Mapped[str] = mapped_column(String(10), default="waiting")  # waiting | offered | booked | removed
    offered_start: Mapped[datetime | None] = mapped_column(Instant, default=None)
    offered_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
