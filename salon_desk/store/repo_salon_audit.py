"""The salon-wide audit trail on the desk (issue #10): this desk's chain as it uploads it, the other desks'
events as pulled from the cloud (read-only here), their cursors, and the salon's desk names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from salon_desk.domain.audit_chain import chain_fields, event_hash
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

    def rechain_after_relink(self, held: list[AuditEventWire]) -> int:
        """A restored, re-linked desk (issue #14): `held` is this desk's own chain as the cloud holds it from
        the first event it did not know this desk had uploaded. Events here that agree with it stay; the
        cloud's events this desk lost are stored as they were hashed; this desk's events that the cloud never
        received (written after the restore) are renumbered after them and re-linked, their content, ids
        and instants unchanged: never anchored, so re-hashing them rewrites nothing uploaded. Returns how
        many were re-chained. The caller commits."""
        if not held:
            return 0
        t = AuditEventRow
        local = list(self._s.scalars(select(t).where(t.seq >= held[0].seq).order_by(t.seq)))
        agreed = 0
        while agreed < min(len(local), len(held)) and local[agreed].hash == held[agreed].hash:
            agreed += 1
        missing, unsent = held[agreed:], local[agreed:]
        if not missing:
            return 0  # nothing lost here: the chain continues as it is
        moved = [(r.id, r.salon_id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id, r.before, r.after,
                  r.at) for r in unsent]
        if unsent:
            self._s.execute(delete(t).where(t.seq >= unsent[0].seq))
            self._s.flush()
        for e in missing:
            self._s.add(t(seq=e.seq, id=e.id, salon_id=e.salon_id, actor_id=e.actor_id, device_id=e.device_id,
                          action=e.action, entity=e.entity, entity_id=e.entity_id, before=e.before, after=e.after,
                          at=parse_instant(e.at), prev_hash=e.prev_hash, hash=e.hash))
        prev, seq = missing[-1].hash, missing[-1].seq
        for event_id, salon_id, actor_id, device_id, action, entity, entity_id, before, after, at in moved:
            seq += 1
            fields = chain_fields(event_id, salon_id, actor_id, device_id, action, entity, entity_id, before, after,
                                  instant_text(at))
            digest = event_hash(prev, fields)
            self._s.add(t(seq=seq, id=event_id, salon_id=salon_id, actor_id=actor_id, device_id=device_id,
                          action=action, entity=entity, entity_id=entity_id, before=before, after=after, at=at,
                          prev_hash=prev, hash=digest))
            prev = digest
        self._s.flush()
        self._s.execute(  # AUTOINCREMENT: the next event numbers after the re-chained ones
            text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :table"),
            {"seq": seq, "table": t.__tablename__},
        )
        return len(moved)

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
