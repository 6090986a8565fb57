"""Runs blocking work off the GUI thread: one DB lane (a single worker, jobs in submission order) and one
network lane. Results and exceptions come back on the GUI thread through queued signals.

    runner.db(desk.calendar.day_view, day, on_done=self._on_day_loaded, on_error=self._on_failed)

Expected business refusals (DomainError) and unexpected exceptions both reach `on_error`; unexpected ones are
also logged with their traceback. A failure with no `on_error` is emitted as `task_failed` (the main window
shows it), never swallowed.
"""

from __future__ import annotations

import itertools
import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, Signal

from salon_desk.domain.errors import DomainError

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


@dataclass(slots=True)
class _Job:
    job_id: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    on_done: OnDone | None
    on_error: OnError | None
    owner: QObject | None
    lane: str
    result: Any = None
    error: BaseException | None = field(default=None)


class _Lane(QThread):
    """One worker thread draining a FIFO queue; `None` in the queue stops it after earlier jobs ran."""

    job_finished = Signal(object)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"salon-desk-{name}-lane")
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()

    def submit(self, job: _Job | None) -> None:
        self._queue.put(job)

    def run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                job.result = job.fn(*job.args, **job.kwargs)
            except Exception as exc:  # noqa: BLE001 - every failure is delivered to the GUI thread
                job.error = exc
                _log_failure(job, exc)
            self.job_finished.emit(job)


def _log_failure(job: _Job, exc: BaseException) -> None:
    name = getattr(job.fn, "__qualname__", repr(job.fn))
    if isinstance(exc, DomainError):
        log.info("%s lane: %s refused: %r", job.lane, name, exc)
    else:
        log.error("%s lane: %s failed unexpectedly", job.lane, name, exc_info=exc)


class TaskRunner(QObject):
    """Owns the DB and network lanes. Create it on the GUI thread; call `shutdown()` before exit."""

    task_failed = Signal(object)  # an exception no on_error handler was given for
    idle = Signal()  # no job is queued, running or waiting for delivery

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending = 0
        self._closed = False
        self._lanes = {name: _Lane(name) for name in ("db", "net")}
        for lane in self._lanes.values():
            lane.job_finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
            lane.start()

    # -- submission ---------------------------------------------------------------------------------------
    def db(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> int:
        """Runs `fn(*args, **kwargs)` on the single DB worker, after every job submitted before it.
        `owner`: when given and deleted before the result arrives, the callbacks are skipped."""
        return self._submit("db", fn, args, kwargs, on_done, on_error, owner)

    def net(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> int:
        """Like `db`, on the network lane, so a slow request never delays a database read."""
        return self._submit("net", fn, args, kwargs, on_done, on_error, owner)

    def _submit(
        self,
        lane: str,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_done: OnDone | None,
        on_error: OnError | None,
        owner: QObject | None,
    ) -> int:
        if self._closed:
            raise RuntimeError("TaskRunner is shut down")
        job = _Job(next(self._ids), fn, args, kwargs, on_done, on_error, owner, lane)
        self._pending += 1
        self._lanes[lane].submit(job)
        return job.job_id

    # -- delivery (GUI thread) --------------------------------------------------------------------------
    def _deliver(self, job: _Job) -> None:
        try:
            if job.owner is not None and not shiboken6.isValid(job.owner):
                log.debug("%s lane: job %d dropped, its owner was deleted", job.lane, job.job_id)
            elif job.error is not None:
                self._deliver_error(job, job.error)
            elif job.on_done is not None:
                self._call_safely(job, job.on_done, job.result)
        finally:
            self._pending -= 1
            if self._pending == 0:
                self.idle.emit()

    def _deliver_error(self, job: _Job, error: BaseException) -> None:
        if job.on_error is None:
            self.task_failed.emit(error)
        else:
            self._call_safely(job, job.on_error, error)

    def _call_safely(self, job: _Job, callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception as exc:  # noqa: BLE001 - a broken callback must not kill the event loop
            log.error("%s lane: callback %r of job %d raised", job.lane, callback, job.job_id, exc_info=exc)
            self.task_failed.emit(exc)

    # -- tests and shutdown -----------------------------------------------------------------------------
    @property
    def is_shut_down(self) -> bool:
        """True once the app is closing: debounced work (search as you type, live checks) stops quietly."""
        return self._closed

    @property
    def pending(self) -> int:
        return self._pending

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """Spins the GUI event loop until every submitted job ran and its callbacks were called (including
        jobs those callbacks submitted). Returns False on timeout."""
        if self._pending == 0:
            return True
        loop = QEventLoop()
        timer = QTimer(singleShot=True, interval=timeout_ms)
        timer.timeout.connect(loop.quit)
        # Disconnect by the connection handle: PySide6 6.12 leaks a reference to True on every
        # disconnect(slot) and aborts the process at exit after about a hundred of them.
        connection = self.idle.connect(loop.quit)
        timer.start()
        try:
            while self._pending and timer.isActive():
                loop.exec()
        finally:
            QObject.disconnect(connection)
            timer.stop()
        return self._pending == 0

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Lets queued jobs finish (a queued write is never dropped), stops both lanes and delivers what is
        left. Returns False when a lane did not stop in time."""
        if self._closed:
            return True
        self._closed = True
        stopped = True
        for lane in self._lanes.values():
            lane.submit(None)
        for lane in self._lanes.values():
            stopped = lane.wait(timeout_ms) and stopped
        QCoreApplication.sendPostedEvents(self)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        if not stopped:
            log.error("TaskRunner: a lane did not stop within %d ms", timeout_ms)
        return stopped
