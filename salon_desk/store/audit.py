"""Append-only, hash-chained audit events. Personal data is kept by reference (ids, field names)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.audit_chain import GENESIS, chain_fields, event_hash
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, AuditEvent

from .rows import AuditEventRow
from .types import instant_text

__all__ = ["GENESIS", "AuditLog", "event_hash"]  # the hashing rule lives in domain.audit_chain


class AuditLog:
    def __init__(self, session: Session, clock: Callable[[], datetime], device_id: str):
        self._session = session
        self._clock = clock
        self._device_id = device_id

    def record(
        self,
        actor: Actor,
        salon_id: str,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        last = self._session.scalar(select(AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1))
        prev = last or GENESIS
        at = self._clock()
        event_id = new_id(int(at.timestamp() * 1000))
        fields = self._fields(event_id, salon_id, actor.user_id, actor.device_id, action, entity, entity_id,
                              before, after, at)
        self._session.add(
            AuditEventRow(id=event_id, salon_id=salon_id, actor_id=actor.user_id, device_id=actor.device_id,
                          action=action, entity=entity, entity_id=entity_id, before=before, after=after,
                          at=at, prev_hash=prev, hash=event_hash(prev, fields))
        )

    @staticmethod
    def _fields(
        event_id: str, salon_id: str, actor_id: str, device_id: str, action: str, entity: str, entity_id: str,
        before: dict[str, Any] | None, after: dict[str, Any] | None, at: datetime,
    ) -> dict[str, Any]:
        return chain_fields(event_id, salon_id, actor_id, device_id, action, entity, entity_id, before, after,
                            instant_text(at))

    def events_for(self, entity: str, entity_id: str) -> list[AuditEvent]:
        rows = self._session.scalars(
            select(AuditEventRow).where(AuditEventRow.entity == entity, AuditEventRow.entity_id == entity_id)
            .order_by(AuditEventRow.seq)
        )
        return [AuditEvent(r.id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id, r.before, r.after,
                           r.at, r.hash, r.prev_hash) for r in rows]

    def verify_chain(self) -> int | None:
        """Returns the seq of the first event whose hash does not match, or None when the chain is intact."""
        prev = GENESIS
        for r in self._session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
            fields = self._fields(r.id, r.salon_id, r.actor_id, r.device_id, r.action, r.entity, r.entity_id,
                                  r.before, r.after, r.at)
            if r.prev_hash != prev or r.hash != event_hash(prev, fields):
                return r.seq
            prev = r.hash
        return None
