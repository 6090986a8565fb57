"""Wiring the desk to its cloud (composition, like app.py): the HTTP enrol call and the sync session a
background worker owns.

    session = open_sync_session(db_path, cloud_url, device_id, token)   # in the worker's own thread
    report = session.sync_once(wait=25)       # the engine's loop; progress through `on_progress`
    session.interrupt()                       # from any thread: ends a long-poll at once (a local change)
    session.close()

The session owns its own SQLAlchemy engine and httpx client (specs/sync.md §3.12). Its transport keeps the
sockets it opened so `interrupt()` can shut them down: a blocked long-poll read returns immediately instead
of holding shutdown or a fresh local change for up to `wait` seconds.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpcore
import httpx

from salon_desk import __version__
from salon_desk.secrets import SERVICE, SecretStore
from salon_desk.sync import state as keys
from salon_desk.sync.api import CONNECT_TIMEOUT, SyncApi, SyncHttpError
from salon_desk.sync.engine import DESK_SCHEMA_VERSION, SyncEngine, SyncReport, SyncStatus, make_sync_engine
from salon_desk.sync.protocol import PullResponse, parse_cursor
from salon_desk.usecases.enrolment import MESSAGES as ENROL_MESSAGES
from salon_desk.usecases.enrolment import CloudLink, EnrolmentError, enrol_desk

ENROL_TIMEOUT = 20.0
USER_AGENT = f"salon-desk/{__version__}"


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Rows received so far (the cursor's seq) against the salon's head seq."""

    received: int
    head: int

    @property
    def done(self) -> bool:
        return self.received >= self.head


def post_enrol(cloud_url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/devices/enrol; a refusal becomes EnrolmentError with the cloud's code when it sent one."""
    try:
        with httpx.Client(
            base_url=cloud_url, timeout=ENROL_TIMEOUT, headers={"User-Agent": USER_AGENT}
        ) as http:
            answer = http.post("/v1/devices/enrol", json=body)
    except httpx.TransportError:
        raise EnrolmentError("enrol.unreachable") from None
    if answer.status_code != 201:
        try:
            code = answer.json().get("code")
        except ValueError:
            code = None
        if code in ENROL_MESSAGES:
            raise EnrolmentError(code)
        raise EnrolmentError("enrol.refused", reason=code or str(answer.status_code))
    return answer.json()


# ---------------------------------------------------------------- an interruptible transport


class _TrackedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, owner: _TrackingBackend) -> None:
        self._inner, self._owner = inner, owner
        owner.track(self)

    def socket(self) -> socket.socket | None:
        return self._inner.get_extra_info("socket")

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._owner.untrack(self)
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        self._owner.untrack(self)
        return _TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._owner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _TrackingBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._streams: set[_TrackedStream] = set()
        self._lock = threading.Lock()

    def track(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.add(stream)

    def untrack(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _TrackedStream(stream, self)

    def abort_all(self) -> None:
        """Shuts every open socket down: a read blocked in another thread returns at once."""
        with self._lock:
            sockets = [s.socket() for s in self._streams]
        for sock in sockets:
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def interruptible_client(base_url: str) -> tuple[httpx.Client, _TrackingBackend]:
    backend = _TrackingBackend()
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(network_backend=backend, max_connections=4)  # noqa: SLF001
    client = httpx.Client(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(30.0, connect=CONNECT_TIMEOUT)
    )
    return client, backend


# ---------------------------------------------------------------- the worker's session


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

    def status(self) -> SyncStatus:
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


def enrol_command(data_dir: Path | None, cloud_url: str, code: str, name: str) -> int:
    """`salon-desk enrol`: enrol, then the first sync (a new desk pulls its salon). Never prints the token."""
    from salon_desk.app import open_desk, secret_store
    from salon_desk.config import default_data_dir
    from salon_desk.domain.errors import DomainError
    from salon_desk.l10n import get_localizer
    from salon_desk.secrets import KeyringSecretStore, SecretStoreError

    l10n = get_localizer("en")
    runtime = open_desk(data_dir or default_data_dir())
    try:
        secrets = secret_store() or KeyringSecretStore()
        link = enrol_this_desk(runtime.engine, secrets, cloud_url, code, name)
        print(f"enrolled: device {link.device_id}, salon {link.salon_id}")  # noqa: T201
        session = open_sync_session(
            runtime.paths.database, link.cloud_url, link.device_id, secrets.get(SERVICE, link.device_id) or ""
        )
        try:
            report = run_until_caught_up(session, lambda p: print(f"received {p.received} of {p.head}"))  # noqa: T201
        finally:
            session.close()
    except SecretStoreError as exc:
        print(exc.message(l10n), file=sys.stderr)  # noqa: T201
        return 2
    except DomainError as exc:
        print(exc.message(l10n) if isinstance(exc, EnrolmentError) else l10n.error(exc), file=sys.stderr)  # noqa: T201
        return 1
    finally:
        runtime.close()
    if not report.ok:
        print(f"first sync did not finish ({report.error}); the desk retries when it starts", file=sys.stderr)  # noqa: T201
        return 3
    print(f"first sync done: {report.pulled} rows")  # noqa: T201
    return 0
