"""The desk's sync session, owned by a background worker (composition of engine, API and transport):

    session = open_sync_session(db_path, cloud_url, device_id, token)   # in the worker's own thread
    report = session.sync_once(wait=25)       # the engine's loop; progress through `on_progress`
    session.interrupt()                       # from any thread: ends a long-poll at once (a local change)
    session.rebind(code, secrets)             # 409 device_rewound: a manager's code re-links this desk
    relink_this_desk(db_path, link, token, code, secrets)   # the same, for the UI (loop stopped meanwhile)
    session.close()

The session owns its own SQLAlchemy engine and httpx client (specs/sync.md §3.12); `sync.transport` holds the
interruptible client and the enrol call. `enrol_this_desk` enrols an opened desk database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salon_desk import __version__
from salon_desk.secrets import SERVICE, SecretStore
from salon_desk.sync import state as keys
from salon_desk.sync.api import SyncApi, SyncHttpError
from salon_desk.sync.engine import DESK_SCHEMA_VERSION, SyncEngine, SyncHealth, SyncReport, make_sync_engine
from salon_desk.sync.protocol import PullResponse, parse_cursor
from salon_desk.sync.transport import USER_AGENT, interruptible_client, post_enrol
from salon_desk.usecases.enrolment import MESSAGES as ENROL_MESSAGES
from salon_desk.usecases.enrolment import CloudLink, EnrolmentError, clean_code, enrol_desk


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Rows received so far (the cursor's seq) against the salon's head seq."""

    received: int
    head: int

    @property
    def done(self) -> bool:
        return self.received >= self.head


class _ProgressApi(SyncApi):
    """Reports progress before each pull: by then the previous page has been applied (one txn per page)."""

    def __init__(self, *args: Any, on_pull: Callable[[float], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_pull = on_pull
        self.long_polling = False

    def pull(self, cursor: str, limit: int = 1000, wait: float = 0) -> PullResponse:
        self.long_polling = wait > 0  # set before the check in on_pull: interrupt() sets, then reads it
        try:
            self._on_pull(wait)
            return super().pull(cursor, limit, wait)
        finally:
            self.long_polling = False


class SyncSession:
    def __init__(
        self, db_path: Path, cloud_url: str, device_id: str, token: str, page_limit: int = 1000
    ) -> None:
        self._db = make_sync_engine(db_path)
        self._http, self._backend = interruptible_client(cloud_url)
        self._api = _ProgressApi(
            cloud_url, token, client=self._http, user_agent=USER_AGENT, on_pull=self._pulling
        )
        self.engine = SyncEngine(self._db, self._api, device_id=device_id, page_limit=page_limit)
        self.on_progress: Callable[[SyncProgress], None] | None = None
        self._interrupted = threading.Event()
        self._aborted = threading.Event()

    def sync_once(self, wait: float = 0) -> SyncReport:
        self._interrupted.clear()
        report = self.engine.sync_once(wait)
        if self._interrupted.is_set() and report.error == "offline":
            self.engine.backoff.reset()  # we cut the long-poll ourselves: not a network failure
            report.error, report.next_delay = "interrupted", 0.0
        self._emit_progress()
        return report

    def rebind(self, code: str, secrets: SecretStore) -> None:
        """After `device_rewound` (the desk's database was restored from a backup): a manager's code for
        this desk re-links it as the same device (SyncEngine.rebind); the rotated token goes to `secrets`
        before anything else is sent with it."""
        token = self.engine.rebind(code)
        secrets.set(SERVICE, self.engine.device_id, token)

    def interrupt(self) -> None:
        """Thread-safe: ends a long-poll in flight (or skips the next one) so the worker runs again now."""
        self._interrupted.set()
        if self._api.long_polling:
            self._backend.abort_all()

    def abort(self) -> None:
        """Thread-safe: ends whatever request is in flight and any further pull (shutdown)."""
        self._aborted.set()
        self._interrupted.set()
        self._backend.abort_all()

    def status(self) -> SyncHealth:
        return self.engine.status()

    def progress(self) -> SyncProgress:
        with self._db.connect() as conn:
            rows: dict[str, str] = dict(conn.exec_driver_sql("SELECT key, value FROM sync_state").all())
        cursor, head = rows.get(keys.CURSOR, ""), rows.get(keys.HEAD_SEQ, "")
        received = parse_cursor(cursor)[1] if cursor else 0
        return SyncProgress(received, int(head) if head else 0)

    def close(self) -> None:
        self._http.close()
        self._db.dispose()

    def _pulling(self, wait: float) -> None:
        if self._aborted.is_set() or (self._interrupted.is_set() and wait > 0):
            raise SyncHttpError("offline", code="interrupted")  # a local change arrived: skip this long-poll
        self._emit_progress()

    def _emit_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())


def open_sync_session(db_path: Path, cloud_url: str, device_id: str, token: str) -> SyncSession:
    return SyncSession(db_path, cloud_url, device_id, token)


def enrol_this_desk(
    db_engine: Any, secrets: SecretStore, cloud_url: str, code: str, device_name: str
) -> CloudLink:
    """Enrols the desk whose (already migrated) database `db_engine` opens; the token goes to `secrets`."""
    return enrol_desk(
        db_engine,
        secrets,
        post_enrol,
        cloud_url=cloud_url,
        code=code,
        device_name=device_name,
        app_version=__version__,
        schema_version=DESK_SCHEMA_VERSION,
    )


def relink_this_desk(db_path: Path, link: CloudLink, token: str, code: str, secrets: SecretStore) -> None:
    """A desk restored from a backup (409 device_rewound): a manager's re-link code for this very desk rotates
    its token and renumbers its unsent changes above what the cloud has seen (SyncSession.rebind). Call it
    with the sync loop stopped. Raises EnrolmentError (translated) for a bad code or no connection."""
    typed = clean_code(code)
    session = open_sync_session(db_path, link.cloud_url, link.device_id, token)
    try:
        session.rebind(typed, secrets)
    except SyncHttpError as error:
        if error.transient:
            raise EnrolmentError("enrol.unreachable") from None
        if error.code in ENROL_MESSAGES:
            raise EnrolmentError(error.code) from None
        raise EnrolmentError("enrol.refused", reason=error.code or str(error.status)) from None
    finally:
        session.close()


def run_until_caught_up(
    session: SyncSession, on_progress: Callable[[SyncProgress], None] | None = None, max_runs: int = 1000
) -> SyncReport:
    """Blocking catch-up for the CLI: sync until the cursor reaches the salon's head (or an error)."""
    session.on_progress = on_progress
    report = session.sync_once(0)
    runs = 1
    while report.ok and not session.progress().done and runs < max_runs:
        report, runs = session.sync_once(0), runs + 1
    return report
