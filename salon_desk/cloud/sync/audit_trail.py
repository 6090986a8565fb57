"""The salon-wide audit trail (issue #10): every desk's own hash-chained audit events, uploaded after its push
(`POST /v1/sync/audit`) and read by the salon's other desks (`GET /v1/sync/audit`). See docs/audit-trail.md.

The cloud takes the salon and the uploading desk from the device token, never from the body, and re-links
every new event to the one before it (domain.audit_chain): each must follow the last event it holds for that
desk, carry the previous hash, hash to what it claims, and match any chain head the desk anchored at push
time. Anything else is refused whole with a code and nothing is stored; re-sending held events is a no-op.
Events are kept as the desk keeps them: their before/after hold ids, field names, statuses and amounts, never
a customer's phone or name (usecases keep personal data by reference), so the cloud copy adds no personal data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Index, String, and_, func, or_, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from salon_desk.domain.audit_chain import GENESIS, chain_fields, event_hash
from salon_desk.domain.errors import Conflict
from salon_desk.domain.i18n import N_
from salon_desk.sync.protocol import (
    UUID_PATTERN,
    AuditEventWire,
    SalonAuditEventWire,
    SalonAuditPage,
    parse_instant,
)

from ..db import Base, JsonValue, UtcDateTime, UuidText, lock_key
from ..devices.rows import DeviceRow
from ..devices.service import AuthenticatedDevice
from ..errors import BadRequest
from . import users

LOCAL_DEVICE = "local"  # the device id a desk writes under before it is enrolled (app.open_desk)
MAX_CURSORS = 200  # desks named in one `after`

MESSAGES = {
    "audit.salon_mismatch": N_("These audit events belong to another salon; nothing was stored."),
    "audit.foreign_device": N_("These audit events were written by another desk; nothing was stored."),
    "audit.not_contiguous": N_("The audit events are not in order (event {seq}); nothing was stored."),
    "audit.gap": N_("The audit trail must continue from event {expected}, not {seq}; nothing was stored."),
    "audit.unlinked": N_("Audit event {seq} does not follow the one before it; nothing was stored."),
    "audit.hash_mismatch": N_("Audit event {seq} was changed after it was written; nothing was stored."),
    "audit.anchor_mismatch": N_("Audit event {seq} differs from the one this desk reported earlier; nothing "
                                "was stored."),
    "audit.chain_diverged": N_("Audit event {seq} differs from the copy the server holds; nothing was stored."),
}


class SalonAuditEventRow(Base):
    """One audit event of one desk's chain, as that desk hashed it. `device_id` is the desk that uploaded it
    (from its token); `recorded_device_id` the device id hashed into the event ("local" before enrolment)."""

    __tablename__ = "salon_audit_event"
    __table_args__ = (Index("ix_salon_audit_event_salon_id_at", "salon_id", "at"),)

    salon_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    device_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[str] = mapped_column(UuidText)
    recorded_device_id: Mapped[str] = mapped_column(String(36))
    actor_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    at_text: Mapped[str] = mapped_column(String(27))  # exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ------------------------------------------------------------------ upload


def store_events(session: Session, device: AuthenticatedDevice, events: Sequence[AuditEventWire],
                 now: datetime) -> int:
    """Checks the batch whole and stores its new events; returns the last seq held for this desk."""
    salon_id, desk_id = device.salon_id, device.device_id
    lock_key(session, f"audit:{salon_id}:{desk_id}")
    stored = _last_seq(session, salon_id, desk_id)
    first = events[0].seq
    for offset, event in enumerate(events):
        if event.seq != first + offset:
            raise BadRequest("audit.not_contiguous", seq=event.seq)
    if first > stored + 1:
        raise Conflict("audit.gap", expected=stored + 1, seq=first)
    held = _held_hashes(session, salon_id, desk_id, first - 1, stored)
    for event in events:
        if event.seq <= stored and held.get(event.seq) != event.hash:
            raise Conflict("audit.chain_diverged", seq=event.seq)
    fresh = [e for e in events if e.seq > stored]
    if fresh:
        _check_links(session, device, fresh, held.get(stored, GENESIS) if stored else GENESIS)
        for event in fresh:
            session.add(_row(salon_id, desk_id, event, now))
        last = fresh[-1]
        users.anchor(session, salon_id, desk_id, last.seq, last.hash, now)  # checked above: never contradicts
        session.flush()
    return max(stored, events[-1].seq)


def _check_links(session: Session, device: AuthenticatedDevice, fresh: list[AuditEventWire], prev: str) -> None:
    own = {device.device_id, LOCAL_DEVICE} | _replaced(session, device)
    anchored = dict(users.anchors(session, device.salon_id, device.device_id))
    for event in fresh:
        if event.salon_id != device.salon_id:
            raise BadRequest("audit.salon_mismatch", seq=event.seq)
        if event.device_id not in own:
            raise BadRequest("audit.foreign_device", seq=event.seq)
        try:
            parse_instant(event.at)
        except ValueError:
            raise BadRequest("invalid_request", seq=event.seq) from None
        if event.prev_hash != prev:
            raise Conflict("audit.unlinked", seq=event.seq)
        if event_hash(prev, _fields(event)) != event.hash:
            raise Conflict("audit.hash_mismatch", seq=event.seq)
        if anchored.get(event.seq, event.hash) != event.hash:
            raise Conflict("audit.anchor_mismatch", seq=event.seq)
        prev = event.hash


def _fields(e: AuditEventWire) -> dict[str, Any]:
    return chain_fields(e.id, e.salon_id, e.actor_id, e.device_id, e.action, e.entity, e.entity_id, e.before,
                        e.after, e.at)


def _replaced(session: Session, device: AuthenticatedDevice) -> set[str]:
    """A desk enrolled in place of a revoked one keeps that desk's chain (and the id hashed into it)."""
    replaced = session.scalar(select(DeviceRow.replaces_device_id).where(
        DeviceRow.salon_id == device.salon_id, DeviceRow.id == device.device_id))
    return {replaced} if replaced else set()


def _last_seq(session: Session, salon_id: str, desk_id: str) -> int:
    found = session.scalar(select(func.max(SalonAuditEventRow.seq)).where(
        SalonAuditEventRow.salon_id == salon_id, SalonAuditEventRow.device_id == desk_id))
    return int(found or 0)


def _held_hashes(session: Session, salon_id: str, desk_id: str, low: int, high: int) -> dict[int, str]:
    if high < max(low, 1):
        return {}
    rows = session.execute(select(SalonAuditEventRow.seq, SalonAuditEventRow.hash).where(
        SalonAuditEventRow.salon_id == salon_id, SalonAuditEventRow.device_id == desk_id,
        SalonAuditEventRow.seq >= low, SalonAuditEventRow.seq <= high)).all()
    return {int(seq): str(h) for seq, h in rows}


def _row(salon_id: str, desk_id: str, e: AuditEventWire, now: datetime) -> SalonAuditEventRow:
    return SalonAuditEventRow(
        salon_id=salon_id, device_id=desk_id, seq=e.seq, id=e.id, recorded_device_id=e.device_id,
        actor_id=e.actor_id, action=e.action, entity=e.entity, entity_id=e.entity_id, before=e.before,
        after=e.after, at=parse_instant(e.at), at_text=e.at, prev_hash=e.prev_hash, hash=e.hash, received_at=now,
    )


# ------------------------------------------------------------------ the other desks' events

_CURSOR = re.compile(r"^(" + UUID_PATTERN[1:-1] + r"):([0-9]{1,18})$")


def parse_after(values: Sequence[str]) -> dict[str, int]:
    """`<desk id>:<last seq held>` per desk; anything else is `sync.bad_cursor`."""
    if len(values) > MAX_CURSORS:
        raise BadRequest("sync.bad_cursor")
    after: dict[str, int] = {}
    for value in values:
        match = _CURSOR.match(value)
        if match is None:
            raise BadRequest("sync.bad_cursor")
        after[match.group(1)] = int(match.group(2))
    return after


def read_page(session: Session, device: AuthenticatedDevice, after: dict[str, int], limit: int) -> SalonAuditPage:
    """The salon's other desks' events after each cursor (a desk not named: from its first event), by desk
    then seq; never another salon's, never the asking desk's own."""
    table = SalonAuditEventRow
    known: list[ColumnElement[bool]] = [and_(table.device_id == d, table.seq > s) for d, s in after.items()]
    unknown = table.device_id.not_in(list(after)) if after else true()
    rows = session.scalars(
        select(table)
        .where(table.salon_id == device.salon_id, table.device_id != device.device_id, or_(unknown, *known))
        .order_by(table.device_id, table.seq)
        .limit(limit + 1)
    ).all()
    desks = session.execute(select(DeviceRow.id, DeviceRow.name).where(DeviceRow.salon_id == device.salon_id))
    return SalonAuditPage(
        events=[_wire(r) for r in rows[:limit]],
        desks={str(i): str(n) for i, n in desks},
        has_more=len(rows) > limit,
    )


def own_page(session: Session, device: AuthenticatedDevice, after: int, limit: int) -> SalonAuditPage:
    """The asking desk's own events after `after`, by seq (issue #14): a desk restored from a backup and
    re-linked fetches what it had uploaded before the restore, to re-chain its unsent events after them."""
    table = SalonAuditEventRow
    rows = session.scalars(
        select(table)
        .where(table.salon_id == device.salon_id, table.device_id == device.device_id, table.seq > after)
        .order_by(table.seq)
        .limit(limit + 1)
    ).all()
    return SalonAuditPage(events=[_wire(r) for r in rows[:limit]], desks={}, has_more=len(rows) > limit)


def release_unheld_anchors(session: Session, salon_id: str, device_id: str) -> int:
    """At a manager-approved re-link (issue #14): the chain heads this desk anchored that no event held here
    backs (above the last one held, or disagreeing with the one held) name events of a chain that was rewound
    and never uploaded; they go, so the desk's re-chained unsent events can be anchored and uploaded. Held
    events are never touched. Returns how many anchors went."""
    held_hash = {
        int(seq): str(h)
        for seq, h in session.execute(
            select(SalonAuditEventRow.seq, SalonAuditEventRow.hash).where(
                SalonAuditEventRow.salon_id == salon_id,
                SalonAuditEventRow.device_id == device_id,
                SalonAuditEventRow.seq.in_([seq for seq, _h in users.anchors(session, salon_id, device_id)]),
            )
        )
    }
    unheld = [seq for seq, h in users.anchors(session, salon_id, device_id) if held_hash.get(seq) != h]
    return users.drop_anchors(session, salon_id, device_id, unheld)


def _wire(r: SalonAuditEventRow) -> SalonAuditEventWire:
    return SalonAuditEventWire(
        seq=r.seq, id=str(r.id), salon_id=str(r.salon_id), device_id=r.recorded_device_id, actor_id=r.actor_id,
        action=r.action, entity=r.entity, entity_id=r.entity_id, before=r.before, after=r.after, at=r.at_text,
        prev_hash=r.prev_hash, hash=r.hash, desk_id=str(r.device_id),
    )
