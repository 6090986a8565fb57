"""Creating tenants (the `salon-cloud create-salon` command) and reading a salon's sync epoch."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.errors import NotFound, ValidationError
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id
from salon_desk.domain.salon_profile import check_profile

from ..clock import Clock
from ..db import Database, canonical_uuid
from .rows import SalonRow, SalonSyncRow

MESSAGES = {
    "salon.not_found": N_("This salon was not found."),
    "salon.name_required": N_("The salon needs a name in Arabic and in English."),
    "salon.invalid_timezone": N_("{timezone} is not a known time zone."),
    "salon.invalid_sender": N_("The SMS sender name must be 1 to 11 letters or digits."),
}
SENDER_MAX_LENGTH = 11


def new_epoch() -> str:
    """An opaque epoch for sync cursors (`<epoch>.<seq>`), so it never contains a dot."""
    return "e" + secrets.token_hex(6)


def create_salon(
    db: Database,
    clock: Clock,
    *,
    name_ar: str,
    name_en: str,
    timezone: str = "Asia/Riyadh",
    sms_sender: str | None = None,
    vat_number: str | None = None,
    commercial_registration: str | None = None,
) -> str:
    """Creates the tenant and its sync counter row; returns the new salon id. A VAT number or commercial
    registration, checked by the rule the desk's salon profile uses (`domain.salon_profile.check_profile`),
    is written into the salon's replicated profile, which every desk of the salon pulls."""
    name_ar, name_en = name_ar.strip(), name_en.strip()
    if not name_ar or not name_en:
        raise ValidationError("salon.name_required")
    _check_timezone(timezone)
    if sms_sender is not None and not (0 < len(sms_sender) <= SENDER_MAX_LENGTH and sms_sender.isalnum()):
        raise ValidationError("salon.invalid_sender")
    given = {"vat_number": vat_number, "commercial_registration": commercial_registration}
    profile = check_profile({key: value for key, value in given.items() if value is not None})
    now = clock.now()
    salon_id = new_id(int(now.timestamp() * 1000))
    with db.session() as session:
        session.add(
            SalonRow(
                id=salon_id,
                name_ar=name_ar,
                name_en=name_en,
                timezone=timezone,
                sms_sender=sms_sender,
                public_settings={},
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()  # the counter row references the salon
        session.add(SalonSyncRow(salon_id=salon_id, epoch=new_epoch(), last_seq=0, min_retained_seq=0))
        if profile:
            session.flush()  # the profile's seq comes from the counter row
            _write_profile(session, salon_id, now, {"name_ar": name_ar, "name_en": name_en, "timezone": timezone,
                                                    "sms_sender": sms_sender or "", **profile})
        session.commit()
    return salon_id


def _write_profile(session: Session, salon_id: str, now: datetime, fields: dict[str, Any]) -> None:
    """The replicated salon row (`salon_profile`), through the sync write path, so desks pull it."""
    from ..sync.changes import ChangeSet  # cloud.sync imports this module

    row = {**fields, "id": salon_id, "created_at": now, "updated_at": now, "deleted_at": None}
    ChangeSet(session, salon_id).upsert("salon", row, field_meta={})


def salon_epoch(session: Session, salon_id: str) -> str:
    epoch = session.scalar(select(SalonSyncRow.epoch).where(SalonSyncRow.salon_id == salon_id))
    if epoch is None:
        raise NotFound("salon.not_found")
    return epoch


def require_salon(session: Session, salon_id: str) -> SalonRow:
    canonical_id = canonical_uuid(salon_id)
    salon = session.get(SalonRow, canonical_id) if canonical_id else None
    if salon is None:
        raise NotFound("salon.not_found")
    return salon


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("salon.invalid_timezone", timezone=timezone) from exc
