"""What the console provider "sent": the development message panel and end-to-end tests read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, UuidText


class SmsMessageLogRow(Base):
    __tablename__ = "sms_message_log"
    __table_args__ = (
        CheckConstraint("kind IN ('otp', 'text')", name="kind"),
        CheckConstraint("channel IN ('sms', 'whatsapp')", name="channel"),
    )

    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    salon_id: Mapped[str | None] = mapped_column(UuidText, ForeignKey("salon.id"), index=True)
    phone_e164: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))  # otp | text
    body: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(12))  # development only: the console provider
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
