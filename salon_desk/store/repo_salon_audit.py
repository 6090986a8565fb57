"""The salon-wide audit trail on the desk (issue #10): this desk's chain as it uploads it, the other desks'
events as pulled from the cloud (read-only here), their cursors, and the salon's desk names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from salon_desk.domain.model import AuditEvent
from salon_desk.sync.protocol import AuditEventWire, SalonAuditPage, parse_instant

from .rows import AuditDeskRow, AuditEventRow, SalonAuditEventRow
from .types import instant_text


@dataclass(frozen=True, slots=True)
class DeskEvent:
    """An audit event and the desk whose chain holds it."""

    event: AuditEvent
    desk_id: str


class SalonAuditRepository:
    def __init__(self, session: Session):
        self._s = session

    # -- reading (the audit page)

    def search(
        self,
        *,
        actor_id: str | None = None,
        entity: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[DeskEvent]:
        """The other desks' events, newest first."""
        t = SalonAuditEventRow
        q = select(t)
        if actor_id:
            q = q.where(t.actor_id == actor_id)
        if entity:
            q = q.where(t.entity == entity)
        if since is not None:
            q = q.where(t.at >= since)
        if until is not None:
            q = q.where(t.at < until)
        rows = self._s.scalars(q.order_by(t.at.desc(), t.desk_id, t.seq.desc()).limit(limit))
        return [DeskEvent(AuditEvent(r.id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id, r.before,
                                     r.after, r.at, r.hash, r.prev_hash), r.desk_id) for r in rows]

    def actor_ids(self) -> list[str]:
        return list(self._s.scalars(select(SalonAuditEventRow.actor_id).distinct()))

    def desk_names(self) -> dict[str, str]:
        return {d: n for d, n in self._s.execute(select(AuditDeskRow.desk_id, AuditDeskRow.name))}

    # -- syncing (sync.audit_trail)

    def own_events_after(self, seq: int, limit: int) -> list[AuditEventWire]:
        """This desk's own chain after `seq`, as it was hashed: what it uploads next."""
        rows = self._s.scalars(
            select(AuditEventRow).where(AuditEventRow.seq > seq).order_by(AuditEventRow.seq).limit(limit)
        )
        return [AuditEventWire(seq=r.seq, id=r.id, salon_id=r.salon_id, device_id=r.device_id, actor_id=r.actor_id,
                               action=r.action, entity=r.entity, entity_id=r.entity_id, before=r.before,
                               after=r.after, at=instant_text(r.at), prev_hash=r.prev_hash, hash=r.hash)
                for r in rows]

    def cursors(self) -> dict[str, int]:
        """The last event held of each other desk: where the next pull continues."""
        t = SalonAuditEventRow
        return {d: int(s) for d, s in self._s.execute(select(t.desk_id, func.max(t.seq)).group_by(t.desk_id))}

    def install(self, page: SalonAuditPage) -> int:
        """Keeps a pulled page (events already held are left as they are) and the desk names; returns how
        many events were new."""
        added = 0
        for e in page.events:
            result = self._s.execute(
                insert(SalonAuditEventRow).values(
                    desk_id=e.desk_id, seq=e.seq, id=e.id, salon_id=e.salon_id, device_id=e.device_id,
                    actor_id=e.actor_id, action=e.action, entity=e.entity, entity_id=e.entity_id, before=e.before,
                    after=e.after, at=parse_instant(e.at), prev_hash=e.prev_hash, hash=e.hash,
                ).on_conflict_do_nothing()
            )
            added += result.rowcount or 0  # type: ignore[attr-defined]  # a CursorResult
        if page.desks:
            self._s.execute(delete(AuditDeskRow))
            self._s.add_all(AuditDeskRow(desk_id=d, name=n[:100]) for d, n in page.desks.items())
        return added
