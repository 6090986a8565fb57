"""Customer links (the booking page's SMS link) and the browser sessions that hold a verified code.

The token itself is never stored: only sha256(token), so a database leak gives no working link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, UuidText
from ..sync.tables import REPLICATED_TABLES

# /v1/otp/request finds the live link behind a phone across salons (otp.service): customer.phone alone.
Index("ix_customer_phone", REPLICATED_TABLES["customer"].c.phone)
Index(
    "ix_booking_salon_customer",
    REPLICATED_TABLES["booking"].c.salon_id,
    REPLICATED_TABLES["booking"].c.customer_id,
)


class CustomerLinkRow(Base):
    """Keyed by (salon_id, id); a link token names its salon (links/tokens.py), so resolving it is
    salon-scoped (issue #14)."""

    __tablename__ = "customer_link"
    __table_args__ = (
        Index("ix_customer_link_salon_id_booking_id", "salon_id", "booking_id"),
        UniqueConstraint("salon_id", "token_hash"),
        # Links sent before issue #14 name no salon: found by hash alone until they expire.
        Index("ix_customer_link_token_hash", "token_hash"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    booking_id: Mapped[str] = mapped_column(UuidText)  # replicated row: no foreign key (resync rewrites them)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)  # at issue; use re-checks the booking's end
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CustomerLinkSessionRow(Base):
    __tablename__ = "customer_link_session"
    __table_args__ = (
        UniqueConstraint("salon_id", "secret_hash"),
        ForeignKeyConstraint(
            ["salon_id", "link_id"],
            ["customer_link.salon_id", "customer_link.id"],
            name="fk_customer_link_session_link_id_customer_link",
        ),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    link_id: Mapped[str] = mapped_column(UuidText, index=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))  # sha256(cookie value)
    otp_request_id: Mapped[str | None] = mapped_column(UuidText)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
