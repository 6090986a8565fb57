"""Long-poll wake-ups (specs/sync.md §3.7, DESIGN §5b): one asyncio event per salon with a waiting pull.

A pull subscribes *before* it reads, so a push committing in between still wakes it; then it awaits the
event, holding neither a thread nor a database connection. `notify(salon_id)` is called by a writer (push,
a customer's booking page) after its commit, from a worker thread, and hands the wake-up to the event loop
thread-safely.

`SalonNotifier` is the single-process path (SQLite, the default). On PostgreSQL the same interface is
`wakeups_pg.PgWakeups`, which also tells the other server processes through `LISTEN/NOTIFY`.
`make_wakeups(db, metrics)` picks one by the database.

Every committed write wakes, whoever wrote it (issue #14): the one server write path (`changes.ChangeSet`,
and the bulk import that allocates seqs itself) calls `announce(session, salon_id)` inside its transaction.
On PostgreSQL that queues `pg_notify('salon_sync', '<salon_id> <PROCESS_ORIGIN>')` in the same transaction,
so PostgreSQL delivers it only if and when the transaction commits (and drops it on rollback): the
notification worker and scheduler, a customer's action on the booking page, an admin command, a second
server process, all wake every process's waiting pulls without calling anything after their commit. After
the commit, on both backends, every wake-up object of this process is told directly (`_after_commit`), so
the writer's own process never waits for its echo (which every listener of this process ignores).

Quiet pages (cheap idle long-polls): most pulls of an idle desk find nothing new. After a pull read an
empty page at the head, the page is remembered for its salon together with the salon's wake-up generation
(bumped by every notification for it, and for all salons when the listener reconnects). A later pull with
exactly that cursor is answered from memory, without touching the database, while no wake-up has been seen
since that read, the wake-ups are reliable (PostgreSQL: the listener is up) and the page is younger than
QUIET_MAX_AGE. The age bound is shorter than a desk's long-poll (25 s), so the read after a wait that timed
out still goes to the database: a change written outside the one write path, without `announce` (an
epoch restore, a hand-made fix in psql), is still seen within one poll interval; what memory saves is the
read at the start of the desk's next poll. A pull always subscribes before it consults the page, so a write whose
notification is still on its way wakes it.

Quiet pages are OFF on SQLite (`make_wakeups`): another process may write the same file (a
`salon-cloud worker`, an admin command) and nothing can tell this process, so a remembered page could hide
that write for QUIET_MAX_AGE. A "cheap head check" instead would itself be a read on a thread, i.e. the
same cost as the head page it would replace (an index probe that finds nothing), so it would save nothing:
on SQLite every pull reads the database, as before. PostgreSQL keeps them, guarded by the listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from ..session_hooks import add_hook, has_hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, SessionTransaction

    from salon_desk.sync.protocol import PullResponse

    from ..db import Database
    from ..metrics import CloudMetrics

QUIET_MAX_AGE = 20.0  # seconds a remembered empty page may answer pulls (< the desks' 25 s long-poll)
CHANNEL = "salon_sync"
PROCESS_ORIGIN = secrets.token_hex(6)  # in the payload of `announce`: this process's listeners ignore it
_PENDING = "salon_sync_woken"  # session.info key: salons announced in the open transaction
_live: weakref.WeakSet[SalonNotifier] = weakref.WeakSet()  # every wake-up object of this process
_live_lock = threading.Lock()


_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
_NOTIFIED = "salon_sync_notified"  # session.info key: salons whose pg_notify is already in the open transaction


def notify_params(salon_id: str) -> dict[str, str]:
    """The parameters of `pg_notify(:channel, :payload)` for this salon."""
    return {"channel": CHANNEL, "payload": f"{salon_id} {PROCESS_ORIGIN}"}


def notified_by_statement(session: Session, salon_id: str) -> None:
    """A statement of the open transaction (not a savepoint's) already ran `pg_notify(:channel, :payload)`
    with `notify_params(salon_id)`: `announce` then adds none of its own (the push's seq allocation carries
    it, a round trip less per push; issue #14)."""
    _pending(session)
    session.info.setdefault(_NOTIFIED, set()).add(salon_id)


def announce(session: Session, salon_id: str) -> None:
    """Call inside the transaction that writes replicated rows of `salon_id`: once it commits, the salon's
    waiting pulls wake and its remembered quiet page is forgotten, in this process and (PostgreSQL) in
    every other one. Nothing is announced if the transaction rolls back."""
    pending = _pending(session)
    if session.get_bind().dialect.name == "postgresql" and salon_id not in session.info.get(_NOTIFIED, ()):
        session.execute(_NOTIFY, notify_params(salon_id))
    pending.add(salon_id)


def _pending(session: Session) -> set[str]:
    pending: set[str] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()
        if not has_hook(session, "after_commit", _after_commit):
            add_hook(session, "after_commit", _after_commit)
            add_hook(session, "after_soft_rollback", _after_rollback)
    return pending


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction is still open
    session.info.pop(_NOTIFIED, None)
    pending: set[str] | None = session.info.pop(_PENDING, None)
    if pending:
        wake_committed(pending)


def _after_rollback(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_NOTIFIED, None)


def wake_committed(salon_ids: set[str] | list[str]) -> None:
    """These salons' changes committed: wake every wake-up object of this process (writer thread)."""
    with _live_lock:
        live = list(_live)
    for notifier in live:
        for salon_id in salon_ids:
            notifier.wake_local(salon_id, "local")


@dataclass(frozen=True)
class _Quiet:
    cursor: str
    page: PullResponse
    mark: tuple[int, int]
    at: float


class SalonNotifier:
    def __init__(self, metrics: CloudMetrics | None = None, *, quiet_pages: bool = True) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._metrics = metrics
        self._generation: dict[str, int] = {}  # per salon: wake-ups seen
        self._all_generation = 0  # bumped when every salon may have changed unseen
        self._quiet: dict[str, _Quiet] = {}
        self._quiet_pages = quiet_pages
        self.draining = False  # the process is shutting down: long-polls answer at once (drain())
        with _live_lock:
            _live.add(self)

    @property
    def reliable(self) -> bool:
        """True while every change of every salon reaches `wake_local` (always, in one process)."""
        return True

    def mark(self, salon_id: str) -> tuple[int, int]:
        """Take before reading: the page read may be remembered only if no wake-up came since."""
        with self._lock:
            return self._mark(salon_id)

    def _mark(self, salon_id: str) -> tuple[int, int]:
        return self._all_generation, self._generation.get(salon_id, 0)

    def remember_quiet(self, salon_id: str, mark: tuple[int, int], page: PullResponse) -> None:
        """`page` was read after `mark` and is empty at the head: remember it for that exact cursor."""
        if page.changes or page.has_more or not self._quiet_pages or not self.reliable:
            return
        with self._lock:
            if mark == self._mark(salon_id):
                self._quiet[salon_id] = _Quiet(page.next_cursor, page, mark, time.monotonic())

    def quiet_page(self, salon_id: str, cursor: str | None) -> PullResponse | None:
        """The remembered empty page when it still answers `cursor`; None means: read the database."""
        if not cursor or not self.reliable:
            return None
        with self._lock:
            quiet = self._quiet.get(salon_id)
            if quiet is None or quiet.cursor != cursor:
                return None
            if quiet.mark != self._mark(salon_id) or time.monotonic() - quiet.at > QUIET_MAX_AGE:
                del self._quiet[salon_id]
                return None
        if self._metrics is not None:
            self._metrics.sync_quiet_pages.inc()
        return quiet.page

    async def start(self) -> None:
        """Called by the app's lifespan on its event loop; nothing to do in one process."""
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self.wake_all("stop")

    def drain(self) -> None:
        """Thread-safe. The process is shutting down: every waiting long-poll answers now and later ones do
        not wait, so the server stops at once instead of after the longest wait, and its desks reconnect
        (behind the proxy, to another process) rather than hold a connection to a process that is leaving."""
        self.draining = True
        self.wake_all("drain")

    def subscribe(self, salon_id: str) -> asyncio.Event:
        """Call from the event loop; the event is set by the salon's next change."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            event = self._events.get(salon_id)
            if event is None:
                event = self._events[salon_id] = asyncio.Event()
            return event

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait for the event, at most `timeout` seconds; True when it was set (a change or a reconnect)."""
        if self.draining:
            return False
        gauge = self._metrics.sync_longpolls_waiting if self._metrics is not None else None
        if gauge is not None:
            gauge.inc()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            if gauge is not None:
                gauge.dec()
        return event.is_set()

    def notify(self, salon_id: str) -> None:
        """The salon changed (its transaction committed): wake its waiting pulls."""
        self.wake_local(salon_id, "local")

    def wake_local(self, salon_id: str, source: str) -> None:
        with self._lock:
            self._generation[salon_id] = self._generation.get(salon_id, 0) + 1
            self._quiet.pop(salon_id, None)
            event = self._events.pop(salon_id, None)  # later subscribers get a fresh event
        if event is None:
            return
        if self._metrics is not None:
            self._metrics.sync_wakeups.labels(source).inc()
        self._set(event)

    def wake_all(self, source: str) -> None:
        """Wake every waiting pull (they read again): used when changes may have been missed."""
        with self._lock:
            self._all_generation += 1
            self._quiet.clear()
            events, self._events = list(self._events.values()), {}
        if events and self._metrics is not None:
            self._metrics.sync_wakeups.labels(source).inc(len(events))
        for event in events:
            self._set(event)

    def waiting_salons(self) -> int:
        with self._lock:
            return len(self._events)

    def _set(self, event: asyncio.Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            event.set()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)


def make_wakeups(db: Database, metrics: CloudMetrics | None = None) -> SalonNotifier:
    """In-memory wake-ups on SQLite (one process by construction); LISTEN/NOTIFY on PostgreSQL."""
    if db.backend == "postgresql":
        from .wakeups_pg import PgWakeups

        return PgWakeups(db, metrics)
    return SalonNotifier(metrics, quiet_pages=False)  # another process may write the file unannounced
