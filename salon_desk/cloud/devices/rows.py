"""Enrolled desks and the one-time codes that enrol them (specs/sync.md §3.3, §3.11)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, UuidText

DEVICE_ROLE_CHECK = "role IN ('receptionist', 'manager')"


class DeviceRow(Base):
    """Keyed by (salon_id, id); a token names its salon (devices/tokens.py), so even the lookup by token
    digest is salon-scoped (issue #14)."""

    __tablename__ = "device"
    __table_args__ = (
        CheckConstraint(DEVICE_ROLE_CHECK, name="role"),
        UniqueConstraint("salon_id", "token_sha256"),
        # Tokens issued before issue #14 name no salon: found by digest alone until they rotate.
        Index("ix_device_token_sha256", "token_sha256"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True, index=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # Role value the enrolment code carried
    token_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))  # only the digest is kept
    # The token before the last rotation or re-enrolment: it still proves "I am this desk" at re-enrolment.
    previous_token_sha256: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    replaces_device_id: Mapped[str | None] = mapped_column(UuidText)  # a revoked desk this one took over from
    app_version: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer)
    last_device_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    enrolled_by: Mapped[str] = mapped_column(UuidText)  # the enrolment code used (which names its issuer)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    token_rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrolmentCodeRow(Base):
    __tablename__ = "enrolment_code"
    __table_args__ = (
        Index("ix_enrolment_code_code_sha256", "code_sha256"),
        CheckConstraint(DEVICE_ROLE_CHECK, name="role"),
        ForeignKeyConstraint(
            ["salon_id", "created_by_device_id"],
            ["device.salon_id", "device.id"],
            name="fk_enrolment_code_created_by_device_id_device",
        ),
        ForeignKeyConstraint(
            ["salon_id", "consumed_by_device_id"],
            ["device.salon_id", "device.id"],
            name="fk_enrolment_code_consumed_by_device_id_device",
        ),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    code_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    role: Mapped[str] = mapped_column(String(20))
    created_by_device_id: Mapped[str | None] = mapped_column(UuidText)  # None: IT CLI
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consumed_by_device_id: Mapped[str | None] = mapped_column(UuidText)
    # A manager's approval to re-enrol exactly this desk (it keeps its id without presenting its token).
    rebind_device_id: Mapped[str | None] = mapped_column(UuidText)
