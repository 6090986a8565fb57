"""Desk users with their PIN hashes, and this desk's wrong-PIN counters. Returns domain objects only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salon_desk.domain.booking import Role
from salon_desk.domain.model import DeskUser
from salon_desk.domain.pin import Attempts
from salon_desk.domain.users import Credential

from .rows import DeskUserRow, PinAttemptRow


def _credential(row: DeskUserRow) -> Credential:
    return Credential(row.id, row.name, Role(row.role), row.pin_hash, row.active, row.server_seq)


class UserRepository:
    def __init__(self, session: Session):
        self._s = session

    # -- reads

    def credentials(self, *, active_only: bool = True) -> list[Credential]:
        q = select(DeskUserRow).where(DeskUserRow.deleted_at.is_(None))
        if active_only:
            q = q.where(DeskUserRow.active.is_(True))
        return [_credential(r) for r in self._s.scalars(q.order_by(DeskUserRow.name, DeskUserRow.id))]

    def credential(self, user_id: str) -> Credential | None:
        row = self._s.get(DeskUserRow, user_id)
        return _credential(row) if row is not None and row.deleted_at is None else None

    def users(self, *, active_only: bool = True) -> list[DeskUser]:
        return [DeskUser(c.id, c.name, c.role, c.active) for c in self.credentials(active_only=active_only)]

    def count(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(DeskUserRow)
                                  .where(DeskUserRow.deleted_at.is_(None))) or 0)

    def name_taken(self, name: str, *, except_id: str | None = None) -> bool:
        q = select(DeskUserRow.id).where(DeskUserRow.deleted_at.is_(None), DeskUserRow.active.is_(True),
                                         func.lower(DeskUserRow.name) == name.lower())
        return any(i != except_id for i in self._s.scalars(q))

    # -- writes (the use case records the mutation with uow.record)

    def add(self, user_id: str, salon_id: str, name: str, role: Role, pin_hash: str, now: datetime) -> None:
        self._s.add(DeskUserRow(id=user_id, salon_id=salon_id, name=name, role=role.value, pin_hash=pin_hash,
                                active=True, created_at=now, updated_at=now, sync_status="pending"))

    def update(self, user_id: str, now: datetime, **fields: object) -> None:
        row = self._s.get(DeskUserRow, user_id)
        if row is None:
            raise KeyError(user_id)
        for key, value in fields.items():
            if key not in {"name", "role", "pin_hash", "active"}:
                raise KeyError(key)
            setattr(row, key, value)
        row.updated_at = now
        row.sync_status = "pending"

    # -- wrong-PIN counters (local to this desk)

    def attempts(self, subject: str) -> Attempts:
        row = self._s.get(PinAttemptRow, subject)
        return Attempts(row.failures, row.last_failure_at) if row else Attempts()

    def save_attempts(self, subject: str, attempts: Attempts) -> None:
        row = self._s.get(PinAttemptRow, subject)
        if attempts.failures == 0:
            if row is not None:
                self._s.delete(row)
            return
        if row is None:
            self._s.add(PinAttemptRow(subject=subject, failures=attempts.failures,
                                      last_failure_at=attempts.last_failure_at))
        else:
            row.failures, row.last_failure_at = attempts.failures, attempts.last_failure_at
