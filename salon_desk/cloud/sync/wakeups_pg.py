"""Cross-process long-poll wake-ups through PostgreSQL `LISTEN/NOTIFY` (DESIGN §5b, issue #14).

Every server process keeps ONE listening connection (an asyncio task on the app's event loop), never one
per request, and ONE small autocommit connection to send with. A writer's `notify(salon_id)` wakes this
process's waiting pulls at once and sends `pg_notify('salon_sync', '<salon_id> <origin>')`; every other
process's listener wakes its own pulls for that salon (a process ignores its own echo).
Writes through `ChangeSet` need no call at all: `notify.announce` queues the same notification inside
the writing transaction (any process: the notification worker too), delivered on commit.

Faults: when the listening connection drops (PostgreSQL restarted, the connection killed), the listener
reconnects with a growing pause (50 ms to 2 s) and, once listening again, wakes every waiting pull so it
reads again: a notification sent while nobody listened costs at most that re-read, and a pull that was
waiting across the whole outage still ends at its own timeout (one poll interval). A silent dead peer is
found by a `SELECT 1` every `check_every` seconds without traffic. A failed send is logged and dropped:
the other processes' pulls then end at their timeout, never later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading

import psycopg

from ..db import Database
from ..metrics import CloudMetrics
from .notify import CHANNEL, PROCESS_ORIGIN, SalonNotifier

log = logging.getLogger(__name__)

FIRST_PAUSE = 0.05
LONGEST_PAUSE = 2.0


class PgWakeups(SalonNotifier):
    def __init__(
        self,
        db: Database,
        metrics: CloudMetrics | None = None,
        *,
        conninfo: str | None = None,
        check_every: float = 30.0,
    ) -> None:
        super().__init__(metrics)
        url = db.engine.url.set(drivername="postgresql")
        self._conninfo = conninfo or url.render_as_string(hide_password=False)
        self._check_every = check_every
        self.origin = secrets.token_hex(6)  # this process's own notifications come back: ignore them
        self._task: asyncio.Task[None] | None = None
        self._sender: psycopg.Connection[tuple[object, ...]] | None = None
        self._send_lock = threading.Lock()
        self.listening = asyncio.Event()  # set while the LISTEN connection is up (tests, /metrics)
        self.reconnects = 0
        self.listener_pid: int | None = None  # the listening backend (pg_stat_activity), for operators

    # ---------------------------------------------------------------- lifecycle (event loop)

    async def start(self) -> None:
        await super().start()
        self._ensure_listener()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with self._send_lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.close()
        await super().stop()

    @property
    def reliable(self) -> bool:
        """Only while listening: a notification sent while nobody listened is lost (quiet pages unusable)."""
        return self.listening.is_set()

    def subscribe(self, salon_id: str) -> asyncio.Event:
        event = super().subscribe(salon_id)
        self._ensure_listener()  # an app run without its lifespan still listens from its first pull
        return event

    def _ensure_listener(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="salon-sync-listen")

    # ---------------------------------------------------------------- sending (writer threads)

    def notify(self, salon_id: str) -> None:
        super().notify(salon_id)
        payload = f"{salon_id} {self.origin}"
        with self._send_lock:
            for attempt in (1, 2):  # a connection broken since the last send is replaced once
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = psycopg.connect(
                            self._conninfo, autocommit=True, connect_timeout=5, application_name="salon-sync-notify"
                        )
                    self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    return
                except psycopg.Error as exc:
                    if self._sender is not None:
                        self._sender.close()
                    self._sender = None
                    if attempt == 2:
                        log.warning(
                            "wake-up not sent to the other processes; their pulls end at their timeout",
                            extra={"fields": {"error": type(exc).__name__}},
                        )

    # ---------------------------------------------------------------- listening (event loop)

    async def _listen(self) -> None:
        pause = FIRST_PAUSE
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=5, application_name="salon-sync-listen"
                )
            except (psycopg.Error, OSError):
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            try:
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listener_pid = conn.info.backend_pid
                    pause = FIRST_PAUSE
                    self._up()
                    while True:
                        async for note in conn.notifies(timeout=self._check_every):
                            self._received(note.payload)
                        await conn.execute("SELECT 1")  # quiet for a while: is the server still there?
            except (psycopg.Error, OSError) as exc:
                log.warning(
                    "wake-up listener lost its connection; reconnecting",
                    extra={"fields": {"error": type(exc).__name__}},
                )
            finally:
                self._down()
            await asyncio.sleep(pause)

    def _received(self, payload: str) -> None:
        salon_id, _, origin = payload.partition(" ")
        if origin not in (self.origin, PROCESS_ORIGIN):  # this process's commits woke it already
            self.wake_local(salon_id, "remote")

    def _up(self) -> None:
        if self._metrics is not None:
            self._metrics.sync_listener_up.set(1)
            self._metrics.sync_listener_connects.inc()
        if self.listening.is_set():
            return
        self.listening.set()
        if self.reconnects:
            log.info("wake-up listener listening again", extra={"fields": {"reconnects": self.reconnects}})
        self.wake_all("reconnect")  # what was notified while nobody listened: every pull reads again

    def _down(self) -> None:
        if self._metrics is not None:
            self._metrics.sync_listener_up.set(0)
        if self.listening.is_set():
            self.reconnects += 1
        self.listening.clear()
        self.wake_all("listener_down")  # forget quiet pages now; waiting pulls read again (DB may be down)
