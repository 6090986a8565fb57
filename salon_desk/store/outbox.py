"""The outbox: every local change becomes a mutation for the cloud, in the change's own transaction.

Each mutation is checked against its schema (salon_desk/sync/schemas, the same the cloud applies) before
it is written: a mutation the cloud would refuse never enters the outbox; the use case fails with the
schema's typed error (`sync.invalid_args`) and its transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salon_desk.domain.hlc import Hlc
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor
from salon_desk.sync import schemas

from .rows import OutboxRow, SyncStateRow

HLC_KEY = "hlc_last"


class Outbox:
    def __init__(self, session: Session, clock: Callable[[], datetime], device_id: str):
        self._session = session
        self._clock = clock
        self._device_id = device_id

    def append(
        self,
        name: str,
        entity: str,
        entity_id: str,
        args: dict[str, Any],
        actor: Actor,
        base_seq: int | None = None,
        v: int | None = None,  # the rules version it is written under: the current one unless a test says
    ) -> OutboxRow:
        v = schemas.CURRENT_VERSION if v is None else v
        schemas.validate_target(name, v, entity, entity_id)
        schemas.validate_args(name, v, args)
        now = self._clock()
        row = OutboxRow(
            mutation_id=new_id(int(now.timestamp() * 1000)),
            name=name,
            v=v,
            entity=entity,
            entity_id=entity_id,
            base_seq=base_seq,
            hlc=str(self._next_hlc(now)),
            args=args,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            created_at=now,
            status="pending",
        )
        self._session.add(row)
        return row

    def _next_hlc(self, now: datetime) -> Hlc:
        state = self._session.get(SyncStateRow, HLC_KEY)
        last = Hlc.parse(state.value) if state else Hlc(0, 0)
        hlc = last.tick(int(now.timestamp() * 1000))
        if state is None:
            self._session.add(SyncStateRow(key=HLC_KEY, value=str(hlc)))
        else:
            state.value = str(hlc)
        return hlc

    def pending_count(self) -> int:
        return self._session.scalar(select(func.count()).where(OutboxRow.status == "pending")) or 0
