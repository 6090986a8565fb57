"""Reading the audit trail: filtered pages for the audit page and CSV, the chain head, the first broken link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.model import AuditEvent

from .audit import GENESIS, AuditLog, event_hash
from .rows import AuditEventRow


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The newest event of this desk's chain: what the cloud anchors."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    seq: int
    event_id: str
    reason: str  # "edited" (its hash no longer matches) | "unlinked" (prev_hash is not the previous hash)


def _event(r: AuditEventRow) -> AuditEvent:
    return AuditEvent(r.id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id, r.before, r.after, r.at,
                      r.hash, r.prev_hash)


class AuditRepository:
    def __init__(self, session: Session):
        self._s = session

    def search(
        self,
        *,
        actor_id: str | None = None,
        entity: str | None = None,
        entity_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEvent]:
        """Newest first."""
        q = select(AuditEventRow)
        if actor_id:
            q = q.where(AuditEventRow.actor_id == actor_id)
        if entity:
            q = q.where(AuditEventRow.entity == entity)
        if entity_id:
            q = q.where(AuditEventRow.entity_id == entity_id)
        if since is not None:
            q = q.where(AuditEventRow.at >= since)
        if until is not None:
            q = q.where(AuditEventRow.at < until)
        return [_event(r) for r in self._s.scalars(q.order_by(AuditEventRow.seq.desc()).limit(limit))]

    def actor_ids(self) -> list[str]:
        return list(self._s.scalars(select(AuditEventRow.actor_id).distinct()))

    def head(self) -> ChainHead | None:
        row = self._s.execute(
            select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
        ).first()
        return ChainHead(int(row[0]), str(row[1])) if row else None

    def hash_at(self, seq: int) -> str | None:
        return self._s.scalar(select(AuditEventRow.hash).where(AuditEventRow.seq == seq))

    def first_broken(self) -> BrokenLink | None:
        """Walks the chain from the start; the first event that was edited or unlinked, or None."""
        prev = GENESIS
        for r in self._s.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
            fields = AuditLog._fields(r.id, r.salon_id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id,
                                      r.before, r.after, r.at)
            if r.prev_hash != prev:
                return BrokenLink(r.seq, r.id, "unlinked")
            if r.hash != event_hash(prev, fields):
                return BrokenLink(r.seq, r.id, "edited")
            prev = r.hash
        return None
