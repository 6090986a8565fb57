"""The maintenance purge: rows that served their purpose are deleted in small batches (issue #14).

    report = purge(db, clock, settings)        # `salon-cloud purge`, from cron or a timer, any time

What goes, and when:
- OTP requests once they can neither be verified nor count toward a limit: older than the longest window
  that counts them (the per-phone/per-address window, the salon's 24-hour budget);
- throttle events older than the longest throttle window (never more than a day);
- booking-page sessions no browser can still hold or renew (expired STALE_AFTER ago, as the page's own
  sweep of one link's sessions);
- push receipts (idempotency answers) older than SALON_RECEIPT_RETENTION_DAYS (>= 180, the longest a desk
  may stay offline and still push what it wrote);
- tombstones (deleted replicated rows) older than SALON_TOMBSTONE_RETENTION_DAYS that nothing points at,
  raising the salon's purge horizon with each batch (sync/tombstones.py: what stays and why).
Each batch is its own short transaction (SALON_PURGE_BATCH_SIZE rows), so a large backlog never holds locks
for long and the purge can stop and resume anywhere. Salon-owned tables are purged salon by salon (every
statement names its salon); the phone- and address-keyed tables (otp_request, throttle_event) have no salon.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute

from .clock import Clock
from .db import Database
from .links.rows import CustomerLinkSessionRow
from .links.sessions import STALE_AFTER
from .otp.rows import OtpRequestRow
from .salons.rows import SalonRow
from .settings import CloudSettings
from .sync.tables import MutationReceiptRow
from .sync.tombstones import purge_tombstones
from .throttle import ThrottleEventRow

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    otp_requests: int = 0
    throttle_events: int = 0
    link_sessions: int = 0
    receipts: int = 0
    tombstones: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def purge(db: Database, clock: Clock, settings: CloudSettings, *, batch_size: int | None = None) -> PurgeReport:
    size = batch_size or settings.purge_batch_size
    now = clock.now()
    counted_for = max(DAY, timedelta(seconds=settings.otp_window_seconds))  # the longest limit window
    otp_cutoff, receipt_cutoff = now - counted_for, now - timedelta(days=settings.receipt_retention_days)
    otp = _batches(
        db, size, OtpRequestRow.id, OtpRequestRow.created_at < otp_cutoff, OtpRequestRow.expires_at < now
    )
    throttle = _batches(db, size, ThrottleEventRow.id, ThrottleEventRow.created_at < otp_cutoff)
    tombstone_cutoff = now - timedelta(days=settings.tombstone_retention_days)
    sessions = receipts = tombstones = 0
    for salon_id in _salons(db):
        sessions += _batches(
            db,
            size,
            CustomerLinkSessionRow.id,
            CustomerLinkSessionRow.salon_id == salon_id,
            CustomerLinkSessionRow.expires_at < now - STALE_AFTER,
        )
        receipts += _batches(
            db,
            size,
            MutationReceiptRow.mutation_id,
            MutationReceiptRow.salon_id == salon_id,
            MutationReceiptRow.received_at < receipt_cutoff,
        )
        tombstones += purge_tombstones(db, salon_id, tombstone_cutoff, size)
    return PurgeReport(otp, throttle, sessions, receipts, tombstones)


def _salons(db: Database) -> list[str]:
    with db.reader() as session:
        return list(session.scalars(select(SalonRow.id).order_by(SalonRow.id)))


def _batches(db: Database, size: int, key: InstrumentedAttribute[str], *where: ColumnElement[bool]) -> int:
    """Deletes the rows matching `where`, `size` per transaction, until none is left. The delete repeats
    `where` (with the salon, on salon-owned tables) beside the keys it found."""
    total = 0
    while True:
        with db.session() as session:
            found = list(session.scalars(select(key).where(*where).limit(size)))
            if found:
                session.execute(delete(key.class_).where(*where, key.in_(found)))
                session.commit()
        total += len(found)
        if len(found) < size:
            return total
