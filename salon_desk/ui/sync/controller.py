"""The background sync loop in Qt (specs/sync.md §3.12): a worker on its own QThread owns the sync session
(its own SQLite engine and httpx client) and talks to the GUI thread only through queued signals.

    controller = SyncController(ctx, lambda: open_sync_session(db_path, url, device_id, token))
    controller.start()            # first sync at once, then long-polls (wait=25) in a loop
    controller.sync_now()         # the "Sync now" action
    controller.stop()             # at exit: stop flag, end the request in flight, thread.quit()/wait()

Triggers: every local change (ctx.events.changes_applied, debounced 300 ms, ends a long-poll in flight so
the push goes out now), the worker's own QTimer (backoff after errors from report.next_delay: 1 s doubling
to 5 min ±20 %, Retry-After honoured) and "Sync now". Results: ctx.publish_sync_status(SyncStatusView),
ctx.events.changes_applied(Changes) after rows arrived, `progress_changed(SyncProgress)` while the desk
catches up and `blocked_changed(code)` when the cloud refuses this desk (the outbox is always kept).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from salon_desk.domain.model import Changes
from salon_desk.ui.context import ConnectionState, SyncStatusView, UiContext

if TYPE_CHECKING:
    from salon_desk.sync.engine import SyncHealth, SyncReport
    from salon_desk.sync.session import SyncProgress

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25.0
DEBOUNCE_MS = 300
STOP_WAIT_MS = 5000
ANY_ROW = frozenset({"*"})  # sync reports entities, not ids: every view of the entity refreshes
NOT_BLOCKING = frozenset({"epoch_changed"})  # the engine restarts the cursor; the next run continues
STOPS_SYNCING = frozenset({"auth", "device_revoked", "device_unknown", "token_invalid"})


class SyncSessionLike(Protocol):
    """What the worker needs (salon_desk.sync.session.SyncSession in the app)."""

    on_progress: Callable[[SyncProgress], None] | None

    def sync_once(self, wait: float = 0) -> SyncReport: ...
    def status(self) -> SyncHealth: ...
    def progress(self) -> SyncProgress: ...
    def interrupt(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class SyncWorker(QObject):
    """Lives in the sync thread. Every slot runs there; signals reach the GUI thread queued."""

    status_changed = Signal(object)  # SyncStatusView
    entities_changed = Signal(object)  # set[str]
    progress_changed = Signal(object)  # SyncProgress
    blocked_changed = Signal(str)  # the blocking code, "" when unblocked
    failed = Signal(str)  # an unexpected exception's type (logged with its traceback here)

    def __init__(self, open_session: Callable[[], SyncSessionLike], wait: float) -> None:
        super().__init__()
        self._open_session = open_session
        self._wait = wait
        self.session: SyncSessionLike | None = None
        self._timer: QTimer | None = None
        self.stopping = False
        self._state = ConnectionState.OFFLINE
        self._blocked = ""

    @Slot()
    def start(self) -> None:
        self.session = self._open_session()
        self.session.on_progress = self.progress_changed.emit
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._run_once)
        self._timer.start(0)

    @Slot()
    def trigger(self) -> None:
        if self._timer is not None and not self.stopping:
            self._timer.start(0)

    @Slot()
    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.session is not None:
            self.session.close()
            self.session = None

    def _run_once(self) -> None:
        session = self.session
        if self.stopping or session is None:
            return
        try:
            self._publish_before(session)
            report = session.sync_once(self._wait)
        except Exception as exc:  # a bug must not kill the loop: log it, retry on the timer
            log.exception("sync run failed")
            self.failed.emit(type(exc).__name__)
            self._schedule(60.0)
            return
        if self.stopping:
            return
        if report.entities_changed:
            self.entities_changed.emit(set(report.entities_changed))
        self._after(report, session)

    def _publish_before(self, session: SyncSessionLike) -> None:
        status = session.status()
        progress = session.progress()
        if status.pending or not progress.done:
            self._publish(ConnectionState.SYNCING, status)

    def _after(self, report: SyncReport, session: SyncSessionLike) -> None:
        code = report.blocked_code if report.blocked_code not in NOT_BLOCKING else None
        if code:
            state = ConnectionState.BLOCKED
        elif report.error in {"offline", "transient"}:
            state = ConnectionState.OFFLINE
        elif report.error == "interrupted":
            state = self._state if self._state is not ConnectionState.SYNCING else ConnectionState.ONLINE
        else:
            state = ConnectionState.ONLINE
        self._set_blocked(code or "")
        self._publish(state, session.status())
        if code in STOPS_SYNCING or report.error == "auth":
            return  # a revoked desk stops; "Sync now" or re-enrolment tries again
        self._schedule(report.next_delay or 0.0)

    def _schedule(self, seconds: float) -> None:
        if self._timer is not None and not self.stopping:
            self._timer.start(int(seconds * 1000))

    def _publish(self, state: ConnectionState, status: SyncHealth) -> None:
        self._state = state
        view = SyncStatusView(state, status.pending, status.last_sync_at, status.open_conflicts)
        self.status_changed.emit(view)

    def _set_blocked(self, code: str) -> None:
        if code != self._blocked:
            self._blocked = code
            self.blocked_changed.emit(code)


class SyncController(QObject):
    """GUI-thread side: owns the thread, debounces local changes, forwards the worker's reports."""

    progress_changed = Signal(object)  # SyncProgress (rows received / head seq)
    blocked_changed = Signal(str)  # "" or the code (device_revoked, update_required, ...)
    _trigger = Signal()
    _shutdown = Signal()

    def __init__(
        self,
        ctx: UiContext,
        open_session: Callable[[], SyncSessionLike],
        *,
        wait: float = LONG_POLL_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.blocked_code = ""
        self.progress: SyncProgress | None = None
        self._forwarding = False
        self._thread = QThread()
        self._thread.setObjectName("salon-desk-sync")
        self.worker = SyncWorker(open_session, wait)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.start)
        self._trigger.connect(self.worker.trigger)
        self._shutdown.connect(self.worker.shutdown, Qt.ConnectionType.BlockingQueuedConnection)
        self.worker.status_changed.connect(self._on_status)
        self.worker.entities_changed.connect(self._on_entities)
        self.worker.progress_changed.connect(self._on_progress)
        self.worker.blocked_changed.connect(self._on_blocked)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.sync_now)
        self._changes_handle: QMetaObject.Connection | None = ctx.events.changes_applied.connect(
            self._on_local_change
        )

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def start(self) -> None:
        self._thread.start()

    def sync_now(self) -> None:
        """Runs a sync at once: ends a long-poll in flight so pending changes go out now."""
        session = self.worker.session
        if session is not None:
            session.interrupt()
        self._trigger.emit()

    def stop(self) -> bool:
        """Stops the loop and the thread; True when the thread ended within STOP_WAIT_MS."""
        self._debounce.stop()
        if self._changes_handle is not None:
            self._ctx.events.changes_applied.disconnect(self._changes_handle)
            self._changes_handle = None
        if not self._thread.isRunning():
            return True
        self.worker.stopping = True
        session = self.worker.session
        if session is not None:
            session.abort()
        self._shutdown.emit()  # blocks until the worker closed its session in its own thread
        self._thread.quit()
        return self._thread.wait(STOP_WAIT_MS)

    # -- GUI thread -----------------------------------------------------------------------------------------
    def _on_local_change(self, _changes: Changes) -> None:
        if not self._forwarding:
            self._debounce.start()

    def _on_status(self, view: SyncStatusView) -> None:
        self._ctx.publish_sync_status(view)

    def _on_entities(self, entities: set[str]) -> None:
        self._forwarding = True  # pages refresh; this is not a local change to push
        try:
            self._ctx.events.changes_applied.emit(Changes({name: ANY_ROW for name in entities}))
        finally:
            self._forwarding = False

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress
        self.progress_changed.emit(progress)

    def _on_blocked(self, code: str) -> None:
        self.blocked_code = code
        self.blocked_changed.emit(code)
