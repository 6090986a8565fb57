"""Two workers on one outbox never send a message twice (SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on
SQLite), counted at the fake Authentica over real HTTP."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from sqlalchemy import select

from salon_desk.cloud.clock import Clock
from salon_desk.cloud.db import Database
from salon_desk.cloud.links.tokens import redact_links
from salon_desk.cloud.messaging.authentica import AuthenticaSender
from salon_desk.cloud.notify.events import LIVE_STATUSES, Event
from salon_desk.cloud.notify.outbox import enqueue
from salon_desk.cloud.notify.providers import SenderNotifier
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.notify.worker import NotificationWorker
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from tests.fakes.authentica import FakeAuthentica
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

BOOKINGS = REPLICATED_TABLES["booking"]


def queue_confirmations(db: Database, salon_id: str, now: datetime, limit: int) -> int:
    """One "booking confirmed" job per upcoming live booking of the salon (through the real outbox API)."""
    with db.session() as session:
        booking_ids = session.scalars(
            select(BOOKINGS.c.id)
            .where(
                BOOKINGS.c.salon_id == salon_id,
                BOOKINGS.c.status.in_(LIVE_STATUSES),
                BOOKINGS.c.starts_at > now,
            )
            .order_by(BOOKINGS.c.starts_at)
            .limit(limit)
        ).all()
        changes = ChangeSet(session, salon_id)
        queued = sum(
            1 for b in booking_ids if enqueue(changes, b, Event.BOOKING_CONFIRMED, now, channel="sms")
        )
        session.commit()
    return queued


def run_workers(url: str, clock: Clock, fake: FakeAuthentica, count: int, settings: NotifySettings) -> None:
    """`count` workers, each with its own engine and HTTP client, draining the outbox at the same time."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def work() -> None:
        db = Database.from_url(url)
        sender = AuthenticaSender(fake.api_key, fake.base_url, max_attempts=1)
        worker = NotificationWorker(
            db, SenderNotifier(sender), clock, settings, public_base_url="https://s.example"
        )
        try:
            start.wait()
            worker.run_until_idle(max_rounds=10_000)
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            errors.append(error)
        finally:
            sender.close()
            db.dispose()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors


def test_two_workers_send_every_message_exactly_once(
    sync_world: SyncWorld,  # noqa: F811
    fake_authentica: FakeAuthentica,
) -> None:
    cloud = sync_world.cloud
    queued = queue_confirmations(cloud.db, sync_world.salon_id, cloud.clock.now(), limit=60)
    assert queued >= 30

    run_workers(
        str(cloud.db.engine.url.render_as_string(hide_password=False)),
        cloud.clock,
        fake_authentica,
        2,
        NotifySettings.isolated(batch_size=5),
    )

    with cloud.db.reader() as session:
        rows = session.execute(
            select(NotificationJobRow.status, NotificationJobRow.attempts, NotificationJobRow.body)
        ).all()
    assert len(rows) == queued
    assert Counter(status for status, _, _ in rows) == {"sent": queued}
    assert {attempts for _, attempts, _ in rows} == {1}
    sent = [r.body["message"] for r in fake_authentica.requests_to("/api/v2/send-sms")]
    # Stored bodies carry the link redacted (issue 8); what was sent carries the real one.
    assert len(sent) == queued and Counter(map(redact_links, sent)) == Counter(body for _, _, body in rows)
