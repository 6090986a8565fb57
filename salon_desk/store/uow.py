"""Unit of work: one SQLite transaction per use case. `with uow:` rolls back unless `commit()` was called.

It carries the repositories, the outbox and the audit log, so a use case writes rows + audit event +
outbox mutation in one transaction and nothing else can half-happen.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salon_desk.clock import Clock, utc_now
from salon_desk.domain.model import Changes

from .audit import AuditLog
from .outbox import Outbox
from .repositories import Repositories


class UnitOfWork(Repositories):
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock = utc_now, device_id: str = "local"):
        self._session_factory = session_factory
        self.clock = clock
        self.device_id = device_id
        self._session: Session | None = None
        self._committed = False
        self._touched: dict[str, set[str]] = {}

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside `with`")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant")
        self._session = self._session_factory()
        self._committed = False
        self._touched = {}
        self._fresh()
        self.outbox = Outbox(self.session, self.clock, self.device_id)
        self.audit = AuditLog(self.session, self.clock, self.device_id)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
            self._session = None

    def commit(self) -> Changes:
        self.session.commit()
        self._committed = True
        return Changes({k: frozenset(v) for k, v in self._touched.items()})

    def touched(self, entity: str, entity_id: str) -> None:
        self._touched.setdefault(entity, set()).add(entity_id)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def make_uow_factory(engine: Engine, clock: Clock = utc_now, device_id: str = "local") -> Callable[[], UnitOfWork]:
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory, clock, device_id)
