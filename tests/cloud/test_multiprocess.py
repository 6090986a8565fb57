"""The cloud deployed as users run it (issue #14 items 1 and 5, "Bad input and faults"): two
`salon-cloud serve` processes on their own ports, one `salon-cloud worker`, PostgreSQL, and desks (the real
desk store and sync engine) attached to different processes.

PostgreSQL here is a PRIVATE cluster this module creates with `initdb` on a free port, so one test can
restart it under load; the machine's shared cluster is never touched. A desk that must move when its
server dies talks through a tiny TCP balancer (tests/cloud/cloud_processes.py says why), as a production
desk talks to the load balancer in front of the processes.

Covered: a save wakes a desk on the other process; a process killed under a long-poll (the desk moves);
PostgreSQL restarted under load (nothing lost, wake-ups resume); one salon's notification storm (another
salon's waiting desk is not woken by it); a write by the worker process wakes a desk on a server. No timed assertions: readiness is read from each process's /metrics (`salon_sync_longpolls_waiting`), and
"woken, not timed out" from `salon_sync_wakeups_total{source="remote"}` going up.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, select, text

from salon_desk.cloud.clock import SystemClock
from salon_desk.cloud.db import Database
from salon_desk.cloud.devices.enrolment import EnrolmentService
from salon_desk.cloud.migrate import upgrade
from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.outbox import enqueue
from salon_desk.cloud.salons.service import create_salon
from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.store.engine import make_engine
from salon_desk.store.rows import SalonRow
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.engine import SyncEngine, make_sync_engine
from salon_desk.usecases.commands import UpdateCustomer
from salon_desk.usecases.desk import DeskService
from tests.cloud.cloud_processes import Balancer, CloudProcess, PrivateCluster
from tests.conftest import DEMO_NOW, FixedClock

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PrivateCluster.available(), reason="initdb/pg_ctl not installed"),
]

ACTOR_ID = "00000000-0000-7000-8000-0000000000a1"
WAIT = 20.0  # the desks' long-poll; no test waits this long when wake-ups work
PATIENCE = 90.0  # a bound on loops that must end by themselves (a broken build fails, never hangs)


@dataclass
class ProcessDesk:
    name: str
    engine: Engine
    service: DeskService
    sync: SyncEngine
    http: httpx.Client
    closers: list[Callable[[], None]] = field(default_factory=list)

    def notes(self, customer_id: str) -> str | None:
        with self.engine.connect() as conn:
            value: str | None = conn.execute(
                text("SELECT notes FROM customer WHERE id = :c"), {"c": customer_id}
            ).scalar()
            return value

    def first_customer(self) -> str:
        with self.engine.connect() as conn:
            return str(
                conn.execute(text("SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1")).scalar()
            )

    def notification_status(self, job_id: str) -> str | None:
        with self.engine.connect() as conn:
            value: str | None = conn.execute(
                text("SELECT status FROM notification WHERE id = :j"), {"j": job_id}
            ).scalar()
            return value

    def save_notes(self, customer_id: str, notes: str) -> None:
        self.service.customers.update(UpdateCustomer(customer_id, {"notes": notes}))

    def push_until_sent(self) -> int:
        """Sync until the outbox is empty, riding out a server or database outage; returns the attempts."""
        deadline, attempts = time.monotonic() + PATIENCE, 0
        while True:
            attempts += 1
            report = self.sync.sync_once()
            if report.ok and self.sync.status().pending == 0:
                return attempts
            assert report.blocked_code is None, report
            assert time.monotonic() < deadline, f"{self.name} could not push: {report}"
            time.sleep(0.2)

    def close(self) -> None:
        self.http.close()
        for close in self.closers:
            close()


@dataclass
class Deployment:
    pg: PrivateCluster
    folder: Path
    template: Path
    salon_id: str
    servers: list[CloudProcess]
    worker: CloudProcess
    desks: list[ProcessDesk] = field(default_factory=list)

    def desk(self, name: str, base_url: str) -> ProcessDesk:
        db = Database.from_url(self.pg.url)
        try:
            code = EnrolmentService(db, SystemClock()).issue_code(self.salon_id, "receptionist").code
        finally:
            db.dispose()
        body = {"code": code, "device_name": name, "app_version": "1.0.0", "schema_version": 1}
        answer = httpx.post(f"{base_url}/v1/devices/enrol", json=body, timeout=15)
        assert answer.status_code == 201, answer.text
        device_id, token = answer.json()["device_id"], answer.json()["token"]
        path = self.folder / f"{name.replace(' ', '-').lower()}.db"
        shutil.copy(self.template, path)
        clock = FixedClock(DEMO_NOW)
        engine = make_engine(path)
        actor = Actor(user_id=ACTOR_ID, role=Role.RECEPTIONIST, device_id=device_id, name=name)
        service = DeskService(make_uow_factory(engine, clock, device_id=device_id), actor)
        http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(15, connect=5))
        sync_engine = make_sync_engine(path)
        sync = SyncEngine(sync_engine, SyncApi(base_url, token, client=http), device_id=device_id, clock=clock)
        desk = ProcessDesk(name, engine, service, sync, http, [engine.dispose, sync_engine.dispose])
        self.desks.append(desk)
        assert desk.sync.sync_once().ok
        return desk


@pytest.fixture(scope="module")
def deployment(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("multiprocess")
    pg = PrivateCluster.create()
    servers: list[CloudProcess] = []
    try:
        upgrade(pg.url)
        engine = make_engine(demo_template)
        with engine.connect() as conn:
            salon_id = str(conn.execute(select(SalonRow.id)).scalar_one())
        engine.dispose()
        db = Database.from_url(pg.url)
        import_desk(db, demo_template, salon_id)
        db.dispose()
        servers = [CloudProcess.serve(pg.url, folder), CloudProcess.serve(pg.url, folder)]
        worker = CloudProcess.worker(pg.url, folder)
        world = Deployment(pg, folder, demo_template, salon_id, servers, worker)
        yield world
        for desk in world.desks:
            desk.close()
    finally:
        for server in servers:
            server.stop()
        if "worker" in locals():
            worker.stop()
        pg.destroy()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def waiting_on(server: CloudProcess, at_least: int = 1) -> Callable[[], bool]:
    return lambda: server.metric("salon_sync_longpolls_waiting") >= at_least


class Watcher(threading.Thread):
    """Desk B long-polls (sync_once(wait=WAIT)) until `customer`'s notes read `expected`."""

    def __init__(self, desk: ProcessDesk, customer: str, expected: str) -> None:
        super().__init__(daemon=True)
        self.desk, self.customer, self.expected = desk, customer, expected
        self.seen = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            report = self.desk.sync.sync_once(wait=WAIT)
            if report.error is not None:
                self.errors.append(report.error)
                time.sleep(0.2)
            if self.desk.notes(self.customer) == self.expected:
                self.seen.set()
                return


def test_a_save_on_one_process_wakes_a_desk_long_polling_on_the_other(deployment: Deployment) -> None:
    one, two = deployment.servers
    desk_a, desk_b = deployment.desk("Desk A", one.base_url), deployment.desk("Desk B", two.base_url)
    customer = desk_a.first_customer()
    for n in range(3):
        remote_before = two.metric("salon_sync_wakeups_total")
        watcher = Watcher(desk_b, customer, f"across {n}")
        watcher.start()
        wait_until(waiting_on(two), "desk B waiting on process 2")
        desk_a.save_notes(customer, f"across {n}")
        desk_a.push_until_sent()  # on process 1
        watcher.join(PATIENCE)
        assert watcher.seen.is_set() and not watcher.errors
        assert two.metric("salon_sync_wakeups_total") > remote_before  # woken by process 1, not a timeout
    assert deployment.worker.alive()


def test_a_desk_moves_to_the_other_process_when_its_server_dies(deployment: Deployment) -> None:
    one, _ = deployment.servers
    doomed = CloudProcess.serve(deployment.pg.url, deployment.folder)
    balancer = Balancer([doomed.port or 0, one.port or 0]).start()  # prefers the doomed one while it lives
    try:
        desk_a = deployment.desk("Desk A2", one.base_url)
        desk_b = deployment.desk("Desk B2", balancer.base_url)
        assert balancer.routed[doomed.port or 0] >= 1
        customer = desk_a.first_customer()
        watcher = Watcher(desk_b, customer, "after the crash")
        watcher.start()
        wait_until(waiting_on(doomed), "desk B long-polling on the doomed process")
        doomed.kill()  # mid long-poll: B's connection drops
        wait_until(waiting_on(one), "desk B long-polling again, now on process 1")
        desk_a.save_notes(customer, "after the crash")
        desk_a.push_until_sent()
        watcher.join(PATIENCE)
        assert watcher.seen.is_set()
        assert watcher.errors == ["offline"]  # one dropped long-poll, then straight on to the other process
        assert balancer.routed[one.port or 0] >= 1
    finally:
        balancer.stop()
        doomed.stop()


def test_a_stopping_server_answers_its_long_polls_at_once_and_the_desk_moves_on(deployment: Deployment) -> None:
    """SIGTERM (systemd, a rolling deploy): the process ends its long-polls with an ordinary answer instead of
    keeping the desk (and its own exit) waiting for the whole wait; the desk's next pull goes to the other."""
    one, _ = deployment.servers
    leaving = CloudProcess.serve(deployment.pg.url, deployment.folder)
    balancer = Balancer([leaving.port or 0, one.port or 0]).start()
    try:
        desk = deployment.desk("Desk D", balancer.base_url)
        answered: list[tuple[bool, str | None, float]] = []

        def long_poll() -> None:
            began = time.monotonic()
            report = desk.sync.sync_once(wait=WAIT)
            answered.append((report.ok, report.error, time.monotonic() - began))

        polling = threading.Thread(target=long_poll, daemon=True)
        polling.start()
        wait_until(waiting_on(leaving), "the desk long-polling on the leaving process")
        stop_began = time.monotonic()
        leaving.process.send_signal(signal.SIGTERM)
        polling.join(PATIENCE)
        leaving.process.wait(timeout=PATIENCE)
        stopped_after = time.monotonic() - stop_began
        [(ok, error, took)] = answered
        assert ok and error is None  # an answer, not a dropped connection: the desk never shows itself offline
        assert took < WAIT / 2 and stopped_after < WAIT / 2  # neither waited out the long-poll
        # A graceful exit: the app's shutdown ran (uvicorn then re-raises the signal it caught, hence -SIGTERM).
        assert leaving.process.returncode in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in leaving.log.read_text()
        assert desk.sync.sync_once().ok and balancer.routed[one.port or 0] >= 1  # on to the process that stays
        print(f"\nlong-poll answered {took:.2f} s after it began; the process exited {stopped_after:.2f} s after SIGTERM")
    finally:
        balancer.stop()
        leaving.stop()


def test_postgresql_restarted_under_load_loses_nothing_and_wake_ups_resume(deployment: Deployment) -> None:
    one, two = deployment.servers
    desk_a, desk_b = deployment.desk("Desk A3", one.base_url), deployment.desk("Desk B3", two.base_url)
    customers = [desk_a.first_customer()]
    final = "after the restart"
    watcher = Watcher(desk_b, customers[0], final)
    watcher.start()
    wait_until(waiting_on(two), "desk B waiting on process 2")
    restarted = threading.Thread(target=deployment.pg.restart)
    attempts = 0
    for n in range(30):  # saves and pushes keep coming while PostgreSQL goes down and comes back
        if n == 5:
            restarted.start()
        desk_a.save_notes(customers[0], f"under load {n}")
        attempts += desk_a.push_until_sent()
    restarted.join(PATIENCE)
    for server in (one, two):
        wait_until(lambda s=server: s.metric("salon_sync_listener_connects_total") >= 2, "listening again")
    wait_until(waiting_on(two), "desk B waiting again on process 2")
    remote_before = two.metric("salon_sync_wakeups_total")
    desk_a.save_notes(customers[0], final)
    desk_a.push_until_sent()
    watcher.join(PATIENCE)
    assert watcher.seen.is_set()
    assert two.metric("salon_sync_wakeups_total") > remote_before  # a wake-up, not a timeout
    assert desk_a.sync.status().pending == 0 and desk_b.notes(customers[0]) == final  # nothing lost
    assert all(server.alive() for server in deployment.servers) and deployment.worker.alive()
    print(f"\n30 saves pushed across a PostgreSQL restart in {attempts} sync attempts; B saw errors {watcher.errors}")


def test_a_notification_storm_for_one_salon_leaves_another_salons_long_poll_alone(
    deployment: Deployment,
) -> None:
    one, two = deployment.servers
    desk_a, desk_b = deployment.desk("Storm A", one.base_url), deployment.desk("Storm B", two.base_url)
    quiet_salon, quiet_token, quiet_cursor = quiet_desk(deployment, two)
    answered: list[httpx.Response] = []
    quiet_poll = threading.Thread(
        target=lambda: answered.append(
            httpx.get(f"{two.base_url}/v1/sync/pull", params={"cursor": quiet_cursor, "wait": WAIT},
                      headers={"Authorization": f"Bearer {quiet_token}", "Salon-Sync-Protocol": "1"},
                      timeout=WAIT + 30)
        ),
        daemon=True,
    )
    quiet_poll.start()
    wait_until(waiting_on(two), "the quiet salon's desk waiting on process 2")
    customer = desk_a.first_customer()
    watcher = Watcher(desk_b, customer, "storm 39")
    watcher.start()
    for n in range(40):  # one salon's desk saves and pushes as fast as it can, each save its own push
        desk_a.save_notes(customer, f"storm {n}")
        desk_a.push_until_sent()
    watcher.join(PATIENCE)
    assert watcher.seen.is_set()  # the stormy salon's other desk kept up
    assert quiet_poll.is_alive() and not answered  # 40 wake-ups of another salon never woke this one
    with psycopg.connect(deployment.pg.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SELECT pg_notify('salon_sync', %s)", (f"{quiet_salon} test",))  # its own wake-up
    quiet_poll.join(PATIENCE)
    assert answered and answered[0].status_code == 200 and answered[0].json()["changes"] == []


def quiet_desk(world: Deployment, server: CloudProcess) -> tuple[str, str, str]:
    """A second salon with one enrolled desk, and that desk's cursor at the head."""
    db = Database.from_url(world.pg.url)
    try:
        salon_id = create_salon(db, SystemClock(), name_ar="صالون هادئ", name_en="Quiet Salon")
        code = EnrolmentService(db, SystemClock()).issue_code(salon_id, "receptionist").code
    finally:
        db.dispose()
    body = {"code": code, "device_name": "Quiet", "app_version": "1.0.0", "schema_version": 1}
    answer = httpx.post(f"{server.base_url}/v1/devices/enrol", json=body, timeout=15)
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Salon-Sync-Protocol": "1"}
    cursor, more = "", True
    while more:
        page = httpx.get(f"{server.base_url}/v1/sync/pull", params={"cursor": cursor} if cursor else {},
                         headers=headers, timeout=15).json()
        cursor, more = page["next_cursor"], page["has_more"]
    return salon_id, token, cursor


def test_a_write_by_the_worker_process_wakes_a_desk_long_polling_on_a_server(deployment: Deployment) -> None:
    """The notification worker writes through ChangeSet in its own process and calls no wake-up: the
    `pg_notify` its transaction carries must wake a desk long-polling on a server process (issue #14 item
    1; before, the desk saw the status only after its long-poll timed out and the remembered page aged)."""
    _, two = deployment.servers
    desk_b = deployment.desk("Worker B", two.base_url)
    job_id = queue_a_message(deployment)  # a write of the test process: another process for the servers
    assert desk_b.sync.sync_once().ok
    assert desk_b.notification_status(job_id) == "pending"
    deployment.worker.process.send_signal(signal.SIGSTOP)  # held until desk B waits (no race to win)
    try:
        watcher = StatusWatcher(desk_b, job_id)
        watcher.start()
        wait_until(waiting_on(two), "desk B waiting on process 2")
        remote_before = two.metric('salon_sync_wakeups_total{source="remote"}')
    finally:
        deployment.worker.process.send_signal(signal.SIGCONT)
    watcher.join(PATIENCE)
    assert watcher.seen is not None and watcher.seen != "pending" and not watcher.errors
    assert two.metric('salon_sync_wakeups_total{source="remote"}') > remote_before  # woken, not timed out
    assert deployment.worker.alive()


def queue_a_message(world: Deployment) -> str:
    """A pending notification job for a demo booking whose customer has a phone (the worker sends it)."""
    db = Database.from_url(world.pg.url)
    try:
        with db.session() as session:
            booking_id = session.execute(
                text(
                    "SELECT b.id FROM booking b JOIN customer c ON c.salon_id = b.salon_id AND c.id::text = b.customer_id::text"
                    " WHERE b.salon_id = :s AND c.phone <> '' AND c.deleted_at IS NULL ORDER BY b.id LIMIT 1"
                ),
                {"s": world.salon_id},
            ).scalar_one()
            job_id = enqueue(ChangeSet(session, world.salon_id), str(booking_id), Event.BOOKING_RESCHEDULED,
                             SystemClock().now())
            session.commit()
    finally:
        db.dispose()
    assert job_id is not None
    return job_id


class StatusWatcher(threading.Thread):
    """Desk B long-polls until the notification `job_id` is no longer pending on it."""

    def __init__(self, desk: ProcessDesk, job_id: str) -> None:
        super().__init__(daemon=True)
        self.desk, self.job_id = desk, job_id
        self.seen: str | None = None
        self.errors: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            report = self.desk.sync.sync_once(wait=WAIT)
            if report.error is not None:
                self.errors.append(report.error)
                time.sleep(0.2)
            status = self.desk.notification_status(self.job_id)
            if status != "pending":
                self.seen = status
                return
