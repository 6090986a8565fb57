"""The desk's read-only replica of the cloud's Moyasar pay links (issue #12): written only by pulls
(sync/apply.py), never by a desk use case, never pushed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant, Json

from .base import Base, Replicated


class OnlinePaymentRow(Replicated, Base):
    """A pay link and what became of its money, as the cloud last said (cloud-owned)."""

    __tablename__ = "online_payment"
    __table_args__ = (Index(None, "booking_id"), Index(None, "checkout_id"))
    booking_id: Mapped[str | None] = mapped_column(String(36), default=None)
    checkout_id: Mapped[str | None] = mapped_column(String(36), default=None)
    purpose: Mapped[str] = mapped_column(String(16), default="balance")
    amount_halalas: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="creating")
    paid_halalas: Mapped[int] = mapped_column(Integer, default=0)
    refunded_halalas: Mapped[int] = mapped_column(Integer, default=0)
    payment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    payment_status: Mapped[str | None] = mapped_column(String(16), default=None)
    company: Mapped[str | None] = mapped_column(String(20), default=None)
    language: Mapped[str] = mapped_column(String(2), default="ar")
    expires_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    history: Mapped[list[Any]] = mapped_column(Json, default=list)
