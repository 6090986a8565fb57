"""`salon-cloud worker --once`: queues due reminders and sends due messages from the configured database."""

from __future__ import annotations

from pathlib import Path

from salon_desk.cloud.db import Database
from salon_desk.cloud.messaging.rows import SmsMessageLogRow
from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.outbox import enqueue
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.demo.cloud import _desk_salon_id
from tests.cloud.test_cli import cloud_env, run  # noqa: F401 - fixture and helper

BOOKINGS = REPLICATED_TABLES["booking"]


def test_worker_once_sends_what_is_due(cloud_env, capsys, demo_template: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from sqlalchemy import func, select

    from salon_desk.cloud.clock import SystemClock

    assert run(capsys, "migrate")[0] == 0
    db = Database.from_url(cloud_env)
    salon_id = _desk_salon_id(demo_template)
    import_desk(db, demo_template, salon_id)
    now = SystemClock().now()
    with db.session() as session:
        booking_id = session.scalars(
            select(BOOKINGS.c.id).where(
                BOOKINGS.c.status.in_(("requested", "confirmed")),
                BOOKINGS.c.customer_id.is_not(None),
            )
        ).first()
        enqueue(ChangeSet(session, salon_id), booking_id, Event.BOOKING_CONFIRMED, now)
        session.commit()

    status, _out, err = run(capsys, "worker", "--once")

    assert status == 0 and "messages handled" in err
    with db.reader() as session:
        assert (
            session.scalar(
                select(NotificationJobRow.status).where(NotificationJobRow.booking_id == booking_id)
            )
            == "sent"
        )
        assert session.scalar(select(func.count()).select_from(SmsMessageLogRow)) >= 1
    db.dispose()
