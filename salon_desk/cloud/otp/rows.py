"""One row per verification code sent. Rate limits are counted from these rows, so they hold across
workers and hosts without any other shared state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, UuidText


class OtpRequestRow(Base):
    __tablename__ = "otp_request"
    __table_args__ = (
        Index("ix_otp_request_phone_e164_created_at", "phone_e164", "created_at"),
        Index("ix_otp_request_ip_created_at", "ip", "created_at"),
        Index("ix_otp_request_link_id_created_at", "link_id", "created_at"),
        Index("ix_otp_request_salon_id_created_at", "salon_id", "created_at"),
        Index("ix_otp_request_created_at", "created_at"),
        CheckConstraint("channel IN ('sms', 'whatsapp')", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts"),
        ForeignKeyConstraint(
            ["salon_id", "link_id"],
            ["customer_link.salon_id", "customer_link.id"],
            name="fk_otp_request_link_id_customer_link",
        ),
    )

    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    salon_id: Mapped[str | None] = mapped_column(UuidText, ForeignKey("salon.id"), index=True)
    phone_e164: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))  # scrypt(code, salt=id): never the code
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    provider: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    # A code the provider could not send does not hold the phone's cooldown or window.
    send_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Asked for on a booking page (its limits are the link's, apart from the public /v1/otp/request ones).
    link_id: Mapped[str | None] = mapped_column(UuidText)
    # Public request for a phone the cloud has no reason to message: stored and answered alike, never sent,
    # and never verifiable.
    withheld: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
