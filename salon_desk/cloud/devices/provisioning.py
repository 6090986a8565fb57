"""Provisioning codes: IT prepares front-desk PCs days ahead and they enrol themselves (issue #13).

An enrolment code (enrolment.py) is 8 digits, single use and lives 10 minutes: right for a person at the
keyboard. A provisioning code is what IT puts in a provisioning file: a manager issues it for one salon and
one role, it lasts days (1-30), enrols up to N desks (1-100) and can be revoked at any time.

    issued = ProvisioningService(db, clock).issue(salon_id, "receptionist", max_desks=5, valid_days=7)
    issued.code              # "SDP-ABCD-EFGH-...": shown once, kept only as a salted digest
    service.enrol(ProvisionRequest(salon_id, code, "Desk 2", "1.0.0", 7), ip="10.0.0.9")
    service.revoke(salon_id, issued.id)

The code carries 120 random bits, so its SHA-256 (salted with the salon id) is all the server keeps; a
lookup is by (salon_id, digest), the row is locked while a use is counted, so N desks enrolling at once
never take N+1 seats. A provisioning code only enrols NEW desks: re-enrolling an existing desk keeps the
proof rules of the ordinary enrolment code. Failed attempts share the enrolment throttle per IP address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from salon_desk.domain.errors import Conflict, NotFound, ValidationError
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id

from ..clock import Clock
from ..db import Base, Database, UtcDateTime, UuidText, canonical_uuid
from ..errors import BadRequest, Gone, RateLimited
from ..salons.service import require_salon, salon_epoch
from ..throttle import Throttle
from .enrolment import DEVICE_ROLES, FAILED_ENROLMENTS_PER_IP, EnrolledDevice
from .rows import DEVICE_ROLE_CHECK, DeviceRow
from .tokens import new_device_token, token_digest

log = logging.getLogger(__name__)

CODE_PREFIX = "SDP"
CODE_BYTES = 15  # 120 bits: 24 base32 characters
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7
MIN_DESKS, MAX_DESKS, DEFAULT_DESKS = 1, 100, 1

MESSAGES = {
    "provisioning.code_invalid": N_(
        "This provisioning code is not valid for this salon. Check the salon and the code in the "
        "provisioning file."
    ),
    "provisioning.code_expired": N_("This provisioning code has expired. A manager can issue a new one."),
    "provisioning.code_revoked": N_("This provisioning code was revoked. A manager can issue a new one."),
    "provisioning.code_used_up": N_(
        "This provisioning code has already enrolled all the desks it allows. A manager can issue a new one."
    ),
    "provisioning.days_invalid": N_("A provisioning code lasts from {min} to {max} days."),
    "provisioning.desks_invalid": N_("A provisioning code enrols from {min} to {max} desks."),
    "provisioning.not_found": N_("This provisioning code was not found in the salon."),
}


class ProvisioningCodeRow(Base):
    """One code; salon first in the key and in the unique lookup, so one salon never sees another's."""

    __tablename__ = "provisioning_code"
    __table_args__ = (
        PrimaryKeyConstraint("salon_id", "id"),
        UniqueConstraint("salon_id", "code_sha256"),
        CheckConstraint(DEVICE_ROLE_CHECK, name="role"),
        CheckConstraint(f"max_desks BETWEEN {MIN_DESKS} AND {MAX_DESKS}", name="max_desks"),
        CheckConstraint("used_desks >= 0 AND used_desks <= max_desks", name="used_desks"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"))
    id: Mapped[str] = mapped_column(UuidText)
    code_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))
    max_desks: Mapped[int] = mapped_column(Integer)
    used_desks: Mapped[int] = mapped_column(Integer)
    created_by_device_id: Mapped[str | None] = mapped_column(UuidText)  # None: the IT command line
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


@dataclass(frozen=True, slots=True)
class IssuedProvisioningCode:
    id: str
    code: str  # the only time the code exists in clear
    salon_id: str
    role: str
    max_desks: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ProvisioningCodeSummary:
    id: str
    label: str
    role: str
    max_desks: int
    used_desks: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProvisionRequest:
    salon_id: str
    code: str
    device_name: str
    app_version: str
    schema_version: int


def new_provisioning_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
    return "-".join([CODE_PREFIX, *(raw[i : i + 4] for i in range(0, len(raw), 4))])


def clean_provisioning_code(typed: str) -> str:
    """Upper case, no spaces or dashes, no prefix: "sdp-abcd efgh…" and "SDP-ABCD-EFGH-…" are one code."""
    text = "".join(ch for ch in typed.upper() if ch not in " -\t")
    return text.removeprefix(CODE_PREFIX)


def provisioning_code_digest(salon_id: str, code: str) -> bytes:
    material = f"salon-desk-provisioning:{salon_id}:{clean_provisioning_code(code)}"
    return hashlib.sha256(material.encode("utf-8")).digest()


def summary_of(row: ProvisioningCodeRow) -> ProvisioningCodeSummary:
    return ProvisioningCodeSummary(
        row.id, row.label, row.role, row.max_desks, row.used_desks, row.created_at, row.expires_at, row.revoked_at
    )


class ProvisioningService:
    def __init__(self, db: Database, clock: Clock, throttle: Throttle | None = None) -> None:
        self._db = db
        self._clock = clock
        self._throttle = throttle or Throttle(clock)

    def issue(
        self,
        salon_id: str,
        role: str,
        *,
        max_desks: int = DEFAULT_DESKS,
        valid_days: int = DEFAULT_DAYS,
        label: str = "",
        created_by_device_id: str | None = None,
    ) -> IssuedProvisioningCode:
        if role not in DEVICE_ROLES:
            raise ValidationError("enrolment.role_invalid", role=role)
        if not MIN_DAYS <= valid_days <= MAX_DAYS:
            raise ValidationError("provisioning.days_invalid", min=MIN_DAYS, max=MAX_DAYS)
        if not MIN_DESKS <= max_desks <= MAX_DESKS:
            raise ValidationError("provisioning.desks_invalid", min=MIN_DESKS, max=MAX_DESKS)
        now = self._clock.now()
        code = new_provisioning_code()
        with self._db.session() as session:
            require_salon(session, salon_id)
            row = ProvisioningCodeRow(
                salon_id=salon_id,
                id=new_id(int(now.timestamp() * 1000)),
                code_sha256=provisioning_code_digest(salon_id, code),
                role=role,
                label=label.strip()[:100],
                max_desks=max_desks,
                used_desks=0,
                created_by_device_id=created_by_device_id,
                created_at=now,
                expires_at=now + timedelta(days=valid_days),
            )
            session.add(row)
            session.commit()
            issued = IssuedProvisioningCode(row.id, code, salon_id, role, max_desks, row.expires_at)
        log.info(
            "provisioning code issued",
            extra={"fields": {"salon_id": salon_id, "role": role, "max_desks": max_desks, "days": valid_days}},
        )
        return issued

    def list_codes(self, salon_id: str) -> list[ProvisioningCodeSummary]:
        with self._db.reader() as session:
            rows = session.scalars(
                select(ProvisioningCodeRow)
                .where(ProvisioningCodeRow.salon_id == salon_id)
                .order_by(ProvisioningCodeRow.created_at.desc())
            ).all()
            return [summary_of(row) for row in rows]

    def revoke(self, salon_id: str, code_id: str) -> ProvisioningCodeSummary:
        wanted = canonical_uuid(code_id)
        with self._db.session() as session:
            row = (
                session.scalars(
                    select(ProvisioningCodeRow)
                    .where(ProvisioningCodeRow.salon_id == salon_id, ProvisioningCodeRow.id == wanted)
                    .with_for_update()
                ).first()
                if wanted
                else None
            )
            if row is None:
                raise NotFound("provisioning.not_found")
            if row.revoked_at is None:
                row.revoked_at = self._clock.now()
            summary = summary_of(row)
            session.commit()
        log.info("provisioning code revoked", extra={"fields": {"salon_id": salon_id, "code_id": summary.id}})
        return summary

    def enrol(self, request: ProvisionRequest, *, ip: str | None) -> EnrolledDevice:
        """A NEW device for the code's salon and role; counts one use of the code, in one transaction."""
        with self._db.session() as session:
            if ip:
                wait = self._throttle.wait(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                if wait:
                    raise RateLimited("rate_limited", wait)
            try:
                row = self._usable_code(session, request)
            except (BadRequest, Gone, Conflict):
                if ip:
                    self._throttle.record(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                    session.commit()
                raise
            now = self._clock.now()
            token = new_device_token(row.salon_id)
            device = DeviceRow(
                id=new_id(int(now.timestamp() * 1000)),
                salon_id=row.salon_id,
                name=request.device_name,
                role=row.role,
                app_version=request.app_version,
                schema_version=request.schema_version,
                token_sha256=token_digest(token),
                last_device_seq=0,
                enrolled_by=row.id,
                enrolled_at=now,
            )
            session.add(device)
            row.used_desks += 1
            row.last_used_at = now
            session.flush()
            enrolled = EnrolledDevice(device.id, token, row.salon_id, row.role, salon_epoch(session, row.salon_id))
            session.commit()
        log.info(
            "device provisioned",
            extra={"fields": {"device_id": enrolled.device_id, "salon_id": enrolled.salon_id, "role": enrolled.role}},
        )
        return enrolled

    def _usable_code(self, session: Session, request: ProvisionRequest) -> ProvisioningCodeRow:
        salon_id = canonical_uuid(request.salon_id)
        code = clean_provisioning_code(request.code)
        if salon_id is None or len(code) != 24 or not code.isalnum():
            raise BadRequest("provisioning.code_invalid")
        digest = provisioning_code_digest(salon_id, code)
        row = session.scalars(
            select(ProvisioningCodeRow)
            .where(ProvisioningCodeRow.salon_id == salon_id, ProvisioningCodeRow.code_sha256 == digest)
            .with_for_update()
        ).first()
        if row is None or not hmac.compare_digest(row.code_sha256, digest):
            raise BadRequest("provisioning.code_invalid")
        if row.revoked_at is not None:
            raise Gone("provisioning.code_revoked")
        if row.expires_at <= self._clock.now():
            raise Gone("provisioning.code_expired")
        if row.used_desks >= row.max_desks:
            raise Conflict("provisioning.code_used_up")
        return row
