"""Enrolled desks after enrolment: authenticating their token, rotating it, listing and revoking desks.

Every query is scoped by the salon of the authenticated device; a salon id never comes from a request.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.orm import Session

from salon_desk.domain.booking import Role
from salon_desk.domain.errors import NotFound

from ..clock import Clock
from ..db import Database, canonical_uuid
from ..errors import Unauthorized
from ..salons.rows import SalonSyncRow
from .rows import DeviceRow
from .tokens import has_device_token_form, new_device_token, token_digest, token_salon

log = logging.getLogger(__name__)

# last_seen_at is bookkeeping, not an audit trail: write it at most once a minute per device.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class AuthenticatedDevice:
    """The desk behind a request. `salon_id` scopes everything the request may read or write."""

    device_id: str
    salon_id: str
    role: str
    name: str
    last_device_seq: int
    salon_epoch: str | None = None  # the salon's sync epoch, read with the token (None: not read)

    @property
    def is_manager(self) -> bool:
        return self.role in {Role.MANAGER, Role.OWNER}


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    device_id: str
    name: str
    role: str
    app_version: str
    schema_version: int
    enrolled_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


_DEVICES = cast(Table, DeviceRow.__table__)
_SALON_SYNC = cast(Table, SalonSyncRow.__table__)
_AUTHENTICATING = select(  # built once, columns not the ORM entity: every request of a desk runs it (#14)
    _DEVICES.c.id,
    _DEVICES.c.salon_id,
    _DEVICES.c.role,
    _DEVICES.c.name,
    _DEVICES.c.last_device_seq,
    _DEVICES.c.token_sha256,
    _DEVICES.c.revoked_at,
    _DEVICES.c.last_seen_at,
    _SALON_SYNC.c.epoch,  # a push compares it with the desk's (issue #14: no statement of its own)
).select_from(_DEVICES.outerjoin(_SALON_SYNC, _SALON_SYNC.c.salon_id == _DEVICES.c.salon_id)).where(
    _DEVICES.c.token_sha256 == bindparam("digest")
)
_BY_TOKEN = _AUTHENTICATING.where(_DEVICES.c.salon_id == bindparam("salon"))
# A token issued before issue #14 names no salon: found by its digest alone (sql_scoping allows this
# statement by name until those tokens rotate).
_BY_LEGACY_TOKEN = _AUTHENTICATING.execution_options(cross_salon="legacy_device_token")


_TOUCH = (
    update(_DEVICES)
    .where(_DEVICES.c.salon_id == bindparam("salon"), _DEVICES.c.id == bindparam("device"))
    .values(last_seen_at=bindparam("now"))
)


def _device_by_token(token: str, digest: bytes) -> tuple[Select[Any], dict[str, Any]]:
    """Salon-scoped by the token's own salon part."""
    salon_id = token_salon(token)
    if salon_id is not None:
        return _BY_TOKEN, {"digest": digest, "salon": salon_id}
    return _BY_LEGACY_TOKEN, {"digest": digest}


class DeviceService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def authenticate(self, token: str) -> AuthenticatedDevice:
        """Unauthorized("token_invalid") for an unknown token, ("device_revoked") for a revoked desk."""
        if not has_device_token_form(token):
            raise Unauthorized("token_invalid")
        digest = token_digest(token)
        with self._db.lookup() as connection:
            device = connection.execute(*_device_by_token(token, digest)).first()
            if device is None or not hmac.compare_digest(device.token_sha256, digest):
                raise Unauthorized("token_invalid")
            if device.revoked_at is not None:
                raise Unauthorized("device_revoked")
            authenticated = AuthenticatedDevice(
                device.id, device.salon_id, device.role, device.name, device.last_device_seq, device.epoch
            )
            last_seen = device.last_seen_at
        self._touch(authenticated.salon_id, authenticated.device_id, last_seen)
        return authenticated

    def rotate(self, device: AuthenticatedDevice) -> str:
        """A new token for the same device; the old one stops working at once."""
        token = new_device_token(device.salon_id)
        with self._db.session() as session:
            row = self._device_row(session, device.salon_id, device.device_id)
            row.previous_token_sha256 = row.token_sha256  # still proves the desk at re-enrolment
            row.token_sha256 = token_digest(token)
            row.token_rotated_at = self._clock.now()
            session.commit()
        log.info("device token rotated", extra={"fields": {"device_id": device.device_id}})
        return token

    def revoke(self, salon_id: str, device_id: str) -> DeviceSummary:
        """Idempotent: revoking a revoked desk keeps its first revocation time."""
        with self._db.session() as session:
            row = self._device_row(session, salon_id, device_id)
            if row.revoked_at is None:
                row.revoked_at = self._clock.now()
            session.commit()
            summary = _summary(row)
        log.info("device revoked", extra={"fields": {"device_id": device_id, "salon_id": salon_id}})
        return summary

    def list_devices(self, salon_id: str) -> list[DeviceSummary]:
        with self._db.reader() as session:
            rows = session.scalars(
                select(DeviceRow)
                .where(DeviceRow.salon_id == salon_id)
                .order_by(DeviceRow.enrolled_at, DeviceRow.id)  # ids are time-ordered: ties keep enrolment order
            )
            return [_summary(row) for row in rows]

    def _touch(self, salon_id: str, device_id: str, last_seen: datetime | None) -> None:
        now = self._clock.now()
        if last_seen is not None and now - last_seen < LAST_SEEN_RESOLUTION:
            return
        with self._db.single_write() as session:  # a desk's first request in a minute: one round trip
            session.execute(_TOUCH, {"salon": salon_id, "device": device_id, "now": now})
            session.commit()

    @staticmethod
    def _device_row(session: Session, salon_id: str, device_id: str) -> DeviceRow:
        canonical_id = canonical_uuid(device_id)
        row = (
            session.scalars(
                select(DeviceRow)
                .where(DeviceRow.id == canonical_id, DeviceRow.salon_id == salon_id)
                .with_for_update()
            ).first()
            if canonical_id
            else None
        )
        if row is None:
            raise NotFound("device.not_found")
        return row


def _summary(row: DeviceRow) -> DeviceSummary:
    return DeviceSummary(
        device_id=row.id,
        name=row.name,
        role=row.role,
        app_version=row.app_version,
        schema_version=row.schema_version,
        enrolled_at=row.enrolled_at,
        last_seen_at=row.last_seen_at,
        revoked_at=row.revoked_at,
    )
