"""Enrolling a desk (specs/sync.md §3.11): a one-time code, bound to a salon and a role, buys a device token.

Codes are 8 digits, single use, valid 10 minutes and stored only as a digest. Failed attempts are
counted per IP address, so guessing codes stops long before it could succeed.

A code alone only ever enrols a NEW device. A desk that names its existing `device_id` keeps it only when it
proves it is that desk (it presents its current token, or the one before the last rotation) or when a
manager issued the code for exactly that desk (`rebind_device_id`); otherwise nothing changes and the answer
is 409 `enrolment.device_taken`. A revoked device is never revived: naming it enrols a new device
(`replaces_device_id` says which), and the desk carries its pending outbox over to the new id.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Conflict, NotFound, ValidationError
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id

from ..clock import Clock
from ..db import Database, canonical_uuid
from ..errors import BadRequest, Gone, RateLimited
from ..salons.service import require_salon, salon_epoch
from ..sync.audit_trail import release_unheld_anchors
from ..throttle import Limit, Throttle
from .rows import DeviceRow, EnrolmentCodeRow
from .tokens import (
    ENROLMENT_CODE_DIGITS,
    clean_enrolment_code,
    enrolment_code_digest,
    new_device_token,
    new_enrolment_code,
    token_digest,
)

log = logging.getLogger(__name__)

MESSAGES = {
    "enrolment.code_invalid": N_(
        "This enrolment code is not valid. Check the 8 digits or ask for a new code."
    ),
    "enrolment.code_expired": N_("This enrolment code has expired. A manager can create a new one."),
    "enrolment.code_used": N_("This enrolment code was already used. A manager can create a new one."),
    "enrolment.role_invalid": N_("A desk can be enrolled as a receptionist or manager desk only."),
    "device.not_found": N_("This desk was not found in the salon."),
    "enrolment.device_taken": N_(
        "This desk's identity belongs to an enrolled desk. Re-enrol from that desk itself, "
        "or ask a manager for a code that re-enrols this desk."
    ),
    "enrolment.rebind_mismatch": N_("This enrolment code was created to re-enrol a different desk."),
    "enrolment.rebind_revoked": N_(
        "That desk was removed from the salon and keeps no identity; enrol it with an ordinary code."
    ),
}

CODE_TTL = timedelta(minutes=10)
DEVICE_ROLES = frozenset({Role.RECEPTIONIST, Role.MANAGER})
FAILED_ENROLMENTS_PER_IP = Limit(count=10, window_seconds=600)
CODES_PER_DEVICE = Limit(count=20, window_seconds=3600)


@dataclass(frozen=True, slots=True)
class IssuedEnrolmentCode:
    code: str
    salon_id: str
    role: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class EnrolRequest:
    code: str
    device_name: str
    app_version: str
    schema_version: int
    device_id: str | None = None  # re-enrolment of an existing desk database: the id it had
    device_token: str | None = None  # its current (or last) token: the proof that it is that desk


@dataclass(frozen=True, slots=True)
class EnrolledDevice:
    device_id: str
    token: str
    salon_id: str
    role: str
    epoch: str
    replaces_device_id: str | None = None  # the revoked desk this new device stands in for


@dataclass(frozen=True, slots=True)
class ReboundDevice:
    device_id: str
    token: str
    last_device_seq: int  # the desk renumbers its pending mutations above this
    epoch: str


class EnrolmentService:
    def __init__(self, db: Database, clock: Clock, throttle: Throttle | None = None) -> None:
        self._db = db
        self._clock = clock
        self._throttle = throttle or Throttle(clock)

    def issue_code(
        self,
        salon_id: str,
        role: str,
        *,
        created_by_device_id: str | None = None,
        rebind_device_id: str | None = None,
    ) -> IssuedEnrolmentCode:
        """A one-time code; with `rebind_device_id` (a manager's approval) it re-enrols only that desk."""
        if role not in DEVICE_ROLES:
            raise ValidationError("enrolment.role_invalid", role=role)
        with self._db.session() as session:
            require_salon(session, salon_id)
            if rebind_device_id is not None:
                rebind_device_id = _live_device(session, salon_id, rebind_device_id).id
            if created_by_device_id is not None:
                self._throttle_issuer(session, created_by_device_id)
            now = self._clock.now()
            code = self._unused_code(session, now)
            session.add(
                EnrolmentCodeRow(
                    id=new_id(int(now.timestamp() * 1000)),
                    salon_id=salon_id,
                    code_sha256=enrolment_code_digest(code),
                    role=role,
                    created_by_device_id=created_by_device_id,
                    rebind_device_id=rebind_device_id,
                    created_at=now,
                    expires_at=now + CODE_TTL,
                )
            )
            session.commit()
        log.info("enrolment code issued", extra={"fields": {"salon_id": salon_id, "role": role}})
        return IssuedEnrolmentCode(code=code, salon_id=salon_id, role=role, expires_at=now + CODE_TTL)

    def enrol(self, request: EnrolRequest, *, ip: str | None) -> EnrolledDevice:
        with self._db.session() as session:
            if ip:
                wait = self._throttle.wait(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                if wait:
                    raise RateLimited("rate_limited", wait)
            try:
                code_row = self._usable_code(session, request.code)
            except (BadRequest, Gone, Conflict):
                if ip:
                    self._throttle.record(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                    session.commit()
                raise
            enrolled = self._bind_device(session, code_row, request)
            session.commit()
        log.info(
            "device enrolled",
            extra={
                "fields": {
                    "device_id": enrolled.device_id,
                    "salon_id": enrolled.salon_id,
                    "role": enrolled.role,
                }
            },
        )
        return enrolled

    def rebind(self, salon_id: str, device_id: str, typed_code: str, *, ip: str | None) -> ReboundDevice:
        """A desk restored from a backup (409 device_rewound, specs/sync.md §3.15) asks, with its token, to
        go on as the same device. A manager approves by issuing a code for exactly this desk
        (`rebind_device_id`); the code is used up, the token rotated, and the answer says the last
        device_seq the server has seen, above which the desk renumbers its pending mutations."""
        with self._db.session() as session:
            if ip:
                wait = self._throttle.wait(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                if wait:
                    raise RateLimited("rate_limited", wait)
            try:
                code_row = self._usable_code(session, typed_code)
                if code_row.salon_id != salon_id or code_row.rebind_device_id != device_id:
                    raise Conflict("enrolment.rebind_mismatch")
            except (BadRequest, Gone, Conflict):
                if ip:
                    self._throttle.record(session, "enrol.failed_ip", ip, FAILED_ENROLMENTS_PER_IP)
                    session.commit()
                raise
            device = _live_device(session, salon_id, device_id)
            now, token = self._clock.now(), new_device_token(salon_id)
            device.previous_token_sha256, device.token_sha256 = device.token_sha256, token_digest(token)
            code_row.consumed_at, code_row.consumed_by_device_id = now, device.id
            released = release_unheld_anchors(session, salon_id, device.id)  # the rewound chain's heads
            rebound = ReboundDevice(device.id, token, device.last_device_seq, salon_epoch(session, salon_id))
            session.commit()
        log.info("device rebound", extra={"fields": {"device_id": device_id, "salon_id": salon_id,
                                                     "audit_anchors_released": released}})
        return rebound

    def _usable_code(self, session: Session, typed: str) -> EnrolmentCodeRow:
        code = clean_enrolment_code(typed)
        if len(code) != ENROLMENT_CODE_DIGITS or not code.isdigit():
            raise BadRequest("enrolment.code_invalid")
        digest = enrolment_code_digest(code)
        row = session.scalars(
            select(EnrolmentCodeRow)
            .where(EnrolmentCodeRow.code_sha256 == digest)
            .order_by(EnrolmentCodeRow.created_at.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if row is None or not hmac.compare_digest(row.code_sha256, digest):
            raise BadRequest("enrolment.code_invalid")
        if row.consumed_at is not None:
            raise Conflict("enrolment.code_used")
        if row.expires_at <= self._clock.now():
            raise Gone("enrolment.code_expired")
        return row

    def _bind_device(
        self, session: Session, code_row: EnrolmentCodeRow, request: EnrolRequest
    ) -> EnrolledDevice:
        now = self._clock.now()
        token = new_device_token(code_row.salon_id)
        named = self._named_device(session, code_row, request)
        if named is None or named.revoked_at is not None:  # a revoked id is never revived
            device = DeviceRow(
                id=new_id(int(now.timestamp() * 1000)),
                salon_id=code_row.salon_id,
                last_device_seq=0,
                replaces_device_id=named.id if named is not None else None,
            )
            session.add(device)
        else:
            if not (code_row.rebind_device_id == named.id or _proves(named, request.device_token)):
                raise Conflict("enrolment.device_taken")
            device = named
            device.previous_token_sha256 = device.token_sha256
        device.name = request.device_name
        device.role = code_row.role
        device.app_version = request.app_version
        device.schema_version = request.schema_version
        device.token_sha256 = token_digest(token)
        device.enrolled_by = code_row.id
        device.enrolled_at = now
        session.flush()
        code_row.consumed_at = now
        code_row.consumed_by_device_id = device.id
        epoch = salon_epoch(session, code_row.salon_id)
        replaced = named.id if named is not None and device is not named else None
        return EnrolledDevice(device.id, token, code_row.salon_id, code_row.role, epoch, replaced)

    @staticmethod
    def _named_device(
        session: Session, code_row: EnrolmentCodeRow, request: EnrolRequest
    ) -> DeviceRow | None:
        """The salon's device the request names (None for a new desk); a rebind code names its own desk."""
        wanted = canonical_uuid(request.device_id) if request.device_id is not None else None
        if code_row.rebind_device_id is not None and wanted != code_row.rebind_device_id:
            raise Conflict("enrolment.rebind_mismatch")
        if request.device_id is None:
            return None
        device = session.scalars(
            select(DeviceRow)
            .where(DeviceRow.id == wanted, DeviceRow.salon_id == code_row.salon_id)
            .with_for_update()
        ).first()
        if device is None:
            raise NotFound("device.not_found")
        return device

    def _unused_code(self, session: Session, now: datetime) -> str:
        """A code no other live code shares (10^8 codes, a handful live at once: rarely more than one try)."""
        while True:
            code = new_enrolment_code()
            clash = session.scalar(
                select(EnrolmentCodeRow.id).where(
                    EnrolmentCodeRow.code_sha256 == enrolment_code_digest(code),
                    EnrolmentCodeRow.consumed_at.is_(None),
                    EnrolmentCodeRow.expires_at > now,
                )
            )
            if clash is None:
                return code

    def _throttle_issuer(self, session: Session, device_id: str) -> None:
        wait = self._throttle.wait(session, "enrol.codes_by_device", device_id, CODES_PER_DEVICE)
        if wait:
            raise RateLimited("rate_limited", wait)
        self._throttle.record(session, "enrol.codes_by_device", device_id, CODES_PER_DEVICE)


def _proves(device: DeviceRow, token: str | None) -> bool:
    """True when `token` is the device's current token or the one before its last rotation."""
    if not token:
        return False
    digest = token_digest(token)
    current = hmac.compare_digest(device.token_sha256, digest)
    previous = device.previous_token_sha256 is not None and hmac.compare_digest(
        device.previous_token_sha256, digest
    )
    return current or previous


def _live_device(session: Session, salon_id: str, device_id: str) -> DeviceRow:
    canonical_id = canonical_uuid(device_id)
    device = (
        session.scalars(
            select(DeviceRow).where(DeviceRow.id == canonical_id, DeviceRow.salon_id == salon_id)
        ).first()
        if canonical_id
        else None
    )
    if device is None:
        raise NotFound("device.not_found")
    if device.revoked_at is not None:
        raise Conflict("enrolment.rebind_revoked")
    return device
