"""Long-poll wake-ups across processes through PostgreSQL LISTEN/NOTIFY (issue #14 item 1).

Two `PgWakeups` stand for two server processes (each has its own listening connection, exactly as a
process does); writers call `notify` from worker threads, as push does. Ordering instead of sleeping:
PostgreSQL delivers notifications in commit order, so once a later "marker" notification has arrived,
every earlier one has too. The SQLite path (`SalonNotifier`) keeps the same interface.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import Awaitable, Callable

import psycopg
import pytest
from sqlalchemy import make_url

from salon_desk.cloud.db import Database
from salon_desk.cloud.metrics import CloudMetrics
from salon_desk.cloud.sync.notify import SalonNotifier, make_wakeups
from salon_desk.cloud.sync.wakeups_pg import PgWakeups
from salon_desk.sync.protocol import PullResponse
from tests.helpers import run_in_own_loop

PG_ENV = "SALON_TEST_DATABASE_URL"
LONG = 30.0  # an upper bound that is never reached when things work: no test waits for it


def _pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    return url


def _run(body: Callable[[PgWakeups, PgWakeups], Awaitable[None]]) -> None:
    url = _pg_url()
    gc.collect()  # wake-up objects of servers earlier tests left for the collector: only this test's two remain

    async def main() -> None:
        one, two = Database.from_url(url), Database.from_url(url)
        a, b = PgWakeups(one, CloudMetrics()), PgWakeups(two, CloudMetrics())
        await a.start()
        await b.start()
        try:
            await asyncio.wait_for(_listening(a, b), LONG)
            await body(a, b)
        finally:
            await a.stop()
            await b.stop()
            one.dispose()
            two.dispose()

    run_in_own_loop(main())


async def _listening(*wakeups: PgWakeups) -> None:
    for w in wakeups:
        await w.listening.wait()


async def _woken(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), LONG)


def _salon() -> str:
    return str(uuid.uuid4())


@pytest.mark.postgres
def test_a_write_on_one_process_wakes_the_pull_on_the_other() -> None:
    async def body(a: PgWakeups, b: PgWakeups) -> None:
        salon, other = _salon(), _salon()
        waiting, bystander = b.subscribe(salon), b.subscribe(other)
        await asyncio.to_thread(a.notify, salon)  # push calls it from a worker thread
        await _woken(waiting)
        assert not bystander.is_set()
        assert b.waiting_salons() == 1  # the woken salon's event was handed out; the next pull gets a new one
        assert b._metrics is not None and b._metrics.sync_wakeups.labels("remote")._value.get() == 1  # noqa: SLF001

    _run(body)


@pytest.mark.postgres
def test_a_process_ignores_its_own_echo() -> None:
    async def body(a: PgWakeups, b: PgWakeups) -> None:
        salon, marker = _salon(), _salon()
        first = a.subscribe(salon)
        await asyncio.to_thread(a.notify, salon)
        assert first.is_set()  # woken locally, at once
        second = a.subscribe(salon)  # the next pull of the same salon
        seen_marker = a.subscribe(marker)
        await asyncio.to_thread(b.notify, marker)  # committed after a's echo, so delivered after it
        await _woken(seen_marker)
        assert not second.is_set()  # the echo of a's own notification did not wake it a second time

    _run(body)


@pytest.mark.postgres
def test_the_listener_reconnects_and_wakes_every_waiting_pull() -> None:
    async def body(a: PgWakeups, b: PgWakeups) -> None:
        salon = _salon()
        waiting = b.subscribe(salon)
        pid = b.listener_pid
        assert pid is not None
        b.remember_quiet(salon, b.mark(salon), _empty_page())
        assert b.quiet_page(salon, "e1.5") is not None
        with psycopg.connect(_admin(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await _woken(waiting)  # whatever was missed meanwhile: the pull reads again
        assert b.quiet_page(salon, "e1.5") is None  # changes may have been missed: read the database
        await asyncio.wait_for(_listening(b), LONG)
        assert b.reconnects == 1 and b.listener_pid != pid
        again = b.subscribe(salon)
        await asyncio.to_thread(a.notify, salon)
        await _woken(again)  # wake-ups resume on the new connection

    _run(body)


@pytest.mark.postgres
def test_a_notification_storm_for_one_salon_leaves_the_others_alone() -> None:
    async def body(a: PgWakeups, b: PgWakeups) -> None:
        stormy, quiet, marker = _salon(), _salon(), _salon()
        quiet_pull = b.subscribe(quiet)
        stormy_wakes = 0

        async def stormy_pulls() -> None:  # a desk of the stormy salon long-polls again and again
            nonlocal stormy_wakes
            while True:
                await b.subscribe(stormy).wait()
                stormy_wakes += 1

        puller = asyncio.create_task(stormy_pulls())

        def storm() -> None:
            for _ in range(2000):
                a.notify(stormy)
            a.notify(marker)

        seen_marker = b.subscribe(marker)
        await asyncio.to_thread(storm)
        await _woken(seen_marker)  # every storm notification has been delivered before the marker
        assert not quiet_pull.is_set()
        assert stormy_wakes >= 1
        await asyncio.to_thread(a.notify, quiet)
        await _woken(quiet_pull)
        puller.cancel()

    _run(body)


def _admin() -> str:
    return make_url(_pg_url()).set(drivername="postgresql").render_as_string(hide_password=False)


def test_sqlite_keeps_the_in_memory_path_behind_the_same_interface(tmp_path: object) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/x.db")
    wakeups = make_wakeups(db, CloudMetrics())
    assert type(wakeups) is SalonNotifier

    async def main() -> None:
        await wakeups.start()
        salon = _salon()
        event = wakeups.subscribe(salon)
        assert not await wakeups.wait(wakeups.subscribe(_salon()), 0.01)  # nobody wrote: times out
        await asyncio.to_thread(wakeups.notify, salon)
        assert await wakeups.wait(event, LONG)
        await wakeups.stop()

    run_in_own_loop(main())
    db.dispose()


def _empty_page(seq: int = 5) -> PullResponse:
    return PullResponse(epoch="e1", changes=[], next_cursor=f"e1.{seq}", has_more=False, head_seq=seq)


def test_a_quiet_page_answers_the_same_cursor_until_the_salon_is_woken() -> None:
    wakeups, salon, other = SalonNotifier(CloudMetrics()), _salon(), _salon()
    mark = wakeups.mark(salon)
    wakeups.remember_quiet(salon, mark, _empty_page())
    assert wakeups.quiet_page(salon, "e1.5") is not None
    assert wakeups.quiet_page(salon, "e1.4") is None  # another cursor: read
    assert wakeups.quiet_page(salon, None) is None
    wakeups.notify(other)
    assert wakeups.quiet_page(salon, "e1.5") is not None  # another salon's write changes nothing here
    wakeups.notify(salon)
    assert wakeups.quiet_page(salon, "e1.5") is None  # a write since: read the database


def test_a_page_read_across_a_wake_up_is_not_remembered() -> None:
    wakeups, salon = SalonNotifier(), _salon()
    mark = wakeups.mark(salon)  # taken before the read
    wakeups.notify(salon)  # a write committed while the page was being read
    wakeups.remember_quiet(salon, mark, _empty_page())
    assert wakeups.quiet_page(salon, "e1.5") is None
    wakeups.remember_quiet(salon, wakeups.mark(salon), _empty_page().model_copy(update={"has_more": True}))
    assert wakeups.quiet_page(salon, "e1.5") is None  # only an empty page at the head is remembered
    wakeups.remember_quiet(salon, wakeups.mark(salon), _empty_page())
    wakeups.wake_all("reconnect")
    assert wakeups.quiet_page(salon, "e1.5") is None


def test_a_quiet_page_is_forgotten_after_its_age(monkeypatch: pytest.MonkeyPatch) -> None:
    from salon_desk.cloud.sync import notify

    wakeups, salon = SalonNotifier(), _salon()
    wakeups.remember_quiet(salon, wakeups.mark(salon), _empty_page())
    real = notify.time.monotonic
    monkeypatch.setattr(notify.time, "monotonic", lambda: real() + notify.QUIET_MAX_AGE + 1)
    assert wakeups.quiet_page(salon, "e1.5") is None  # what changed without a wake-up is read in time


def test_a_committed_write_wakes_this_process_and_a_rolled_back_one_does_not(tmp_path: object) -> None:
    """`announce` (called by ChangeSet inside every writing transaction) wakes after commit, never before
    and never after a rollback; on SQLite quiet pages are off (another process may write the file)."""
    from salon_desk.cloud.sync.notify import announce

    db = Database.from_url(f"sqlite:///{tmp_path}/w.db")
    wakeups = make_wakeups(db)
    salon = _salon()
    wakeups.remember_quiet(salon, wakeups.mark(salon), _empty_page())
    assert wakeups.quiet_page(salon, "e1.5") is None  # SQLite: every pull reads the database

    async def main() -> None:
        await wakeups.start()
        rolled_back = wakeups.subscribe(salon)
        with db.session() as session:
            announce(session, salon)
            assert not rolled_back.is_set()  # not before the commit
            session.rollback()
        assert not rolled_back.is_set()
        with db.session() as session:
            announce(session, salon)
            session.commit()
        assert await wakeups.wait(rolled_back, LONG)

    run_in_own_loop(main())
    db.dispose()
