"""Unit of work: one SQLite transaction per use case. `with uow:` rolls back unless `commit()` was called.

It carries the repositories, the outbox and the audit log, so a use case writes rows + audit event +
outbox mutation in one transaction and nothing else can half-happen. A use case records a change with ONE
call, `uow.record(...)`: the audit event (its action is the mutation's name), the validated outbox entry and
the touched entity, together; nothing outside `store/` calls the audit log or the outbox directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salon_desk.clock import Clock, utc_now
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Actor, Changes
from salon_desk.domain.pin import Peppers
from salon_desk.sync.schemas.names import MutationName

from .audit import AuditLog
from .outbox import Outbox
from .repositories import Repositories


class UnitOfWork(Repositories):
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock = utc_now,
        device_id: str = "local",
        pin_pepper: Callable[[str], bytes | Peppers] | None = None,
    ):
        self._session_factory = session_factory
        self.clock = clock
        self.device_id = device_id
        # salon id -> the salon's PIN pepper(s) from the OS keyring (domain.pin, secrets.SalonPinPepper);
        # app.py wires it. Without one (tests, tools) PINs are hashed with an empty pepper.
        self._pin_pepper = pin_pepper
        self._kept: list[Callable[[Session], None]] = []
        self._session: Session | None = None
        self._committed = False
        self._touched: dict[str, set[str]] = {}
        self._salon_id: str | None = None

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
        self._kept = []
        self._touched = {}
        self._salon_id = None
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
            self._write_kept()

    def keep_regardless(self, write: Callable[[Session], None]) -> None:
        """`write` runs in its own short transaction when this unit of work ends, committed or not: a refused
        action still keeps what must outlive it (a wrong PIN counted toward the lock-out)."""
        self._kept.append(write)

    def _write_kept(self) -> None:
        kept, self._kept = self._kept, []
        if kept:
            with self._session_factory() as side:
                for write in kept:
                    write(side)
                side.commit()

    def commit(self) -> Changes:
        self.session.commit()
        self._committed = True
        return Changes({k: frozenset(v) for k, v in self._touched.items()})

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """`with uow.savepoint():` a nested transaction; an error inside undoes only what it wrote (rows,
        audit events, outbox entries and the entities it marked touched) and is raised again."""
        touched = {entity: set(ids) for entity, ids in self._touched.items()}
        try:
            with self.session.begin_nested():
                yield
        except BaseException:
            self._touched = touched
            raise

    def touched(self, entity: str, entity_id: str) -> None:
        self._touched.setdefault(entity, set()).add(entity_id)

    def record(
        self,
        name: MutationName,
        entity: str,
        entity_id: str,
        args: dict[str, Any],
        actor: Actor,
        *,
        base_seq: int | None = None,
        audit_before: dict[str, Any] | None = None,
        audit_after: dict[str, Any] | None = None,
    ) -> None:
        """Records one change: its audit event (action = the mutation's wire name; `audit_before`/`audit_after`
        hold references and field names only, never personal data), its outbox mutation (validated against
        the shared schema first: invalid args raise `sync.invalid_args` and nothing is written) and the
        entity as touched. Entities other than the mutation's own are marked with `touched()`."""
        name = MutationName(name)
        self.outbox.append(name.value, entity, entity_id, args, actor, base_seq)
        self.audit.record(actor, self.salon_id(), name.value, entity, entity_id, audit_before, audit_after)
        self.touched(entity, entity_id)

    def pin_peppers(self) -> Peppers:
        """The salon's PIN pepper and this desk's earlier ones (inside `with`: the salon id is read in this
        transaction). New hashes use `.current`; verifying uses them all (domain.pin)."""
        return Peppers.of(self._pin_pepper(self.salon_id()) if self._pin_pepper is not None else b"")

    def pin_pepper(self) -> bytes:
        """The salon's current PIN pepper (every new hash)."""
        return self.pin_peppers().current

    def salon_id(self) -> str:
        """The id of the salon this database belongs to (read once per transaction)."""
        if self._salon_id is None:
            salon = self.reference.salon()
            if salon is None:
                raise ValidationError("salon.not_set_up")
            self._salon_id = salon.id
        return self._salon_id


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def make_uow_factory(
    engine: Engine,
    clock: Clock = utc_now,
    device_id: str = "local",
    pin_pepper: Callable[[str], bytes | Peppers] | None = None,
) -> Callable[[], UnitOfWork]:
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory, clock, device_id, pin_pepper)
