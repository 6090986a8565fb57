"""The tenant: one row per salon, and its sync counter row (epoch + sequence, used by sync and enrolment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JsonValue, UtcDateTime, UuidText


class SalonRow(Base):
    __tablename__ = "salon"

    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Riyadh")
    sms_sender: Mapped[str | None] = mapped_column(String(11))  # registered sender names are <= 11 chars
    # What the customer pages may show (booking policy, address, contact); never secrets.
    public_settings: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SalonSyncRow(Base):
    """specs/sync.md §3.3: the per-salon counter whose row lock orders every server write of the salon."""

    __tablename__ = "salon_sync"

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32))  # changes when the database is restored or re-seeded
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    min_retained_seq: Mapped[int] = mapped_column(BigInteger, default=0)
