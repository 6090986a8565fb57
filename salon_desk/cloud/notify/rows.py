"""The notification outbox (cloud-only): one row per message we owe a customer.

Written in the same transaction as the change that causes it (booking commands, the reminder scheduler),
claimed by workers with `FOR UPDATE SKIP LOCKED`. The phone number is not copied here: the job points at the
customer, keeps a salted hash (the uniqueness key, and a check that the number has not changed since) and a
masked copy for people to read. The desk-visible `notification` entity mirrors it (same id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JsonValue, UtcDateTime, UuidText

STATUSES = "'pending', 'sending', 'sent', 'failed', 'dead', 'skipped'"


class NotificationJobRow(Base):
    __tablename__ = "notification_job"
    __table_args__ = (
        # At most one message per (booking, recipient, event, channel, occurrence), ever; within the salon
        # (issue #14). Occurrence is 1 except for repeatable events (a second reschedule notifies again).
        UniqueConstraint(
            "salon_id",
            "booking_id",
            "recipient_hash",
            "event",
            "channel",
            "occurrence",
            name="uq_notification_job_salon_booking_recipient_event_occ",  # <= 63 characters
        ),
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        CheckConstraint("channel IN ('sms', 'whatsapp')", name="channel"),
        Index("ix_notification_job_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notification_job_salon_id_status_next_attempt_at", "salon_id", "status", "next_attempt_at"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True, index=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    booking_id: Mapped[str] = mapped_column(UuidText)
    customer_id: Mapped[str] = mapped_column(UuidText)
    recipient_hash: Mapped[str] = mapped_column(String(64))
    recipient_masked: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
    occurrence: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    language: Mapped[str] = mapped_column(String(2))
    params: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)  # payment link, amount...
    body: Mapped[str | None] = mapped_column(Text)  # rendered when first claimed; retries resend it
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    sent_channel: Mapped[str | None] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
