"""One salon can never stop another salon's messages (issue 8, finding 1): a job whose data makes its
preparation raise is retried with backoff and dead-lettered on its own while the rest of the round goes on,
and claiming is fair across salons, so a salon's backlog never keeps another salon waiting beyond one round.

Bad rows are written straight into the database (the API refuses such input), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from salon_desk.cloud.links.rows import CustomerLinkRow
from salon_desk.cloud.links.service import LATEST_EXPIRY
from salon_desk.cloud.messaging.console import ConsoleSender
from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.outbox import enqueue, recipient_hash
from salon_desk.cloud.notify.providers import SenderNotifier
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.notify.worker import PREPARE_FAILED, NotificationWorker
from salon_desk.cloud.sync.changes import ChangeSet
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.ids import new_id
from tests.cloud.conftest import CloudServer

SETTINGS = NotifySettings.isolated(
    max_attempts=3, backoff_seconds=30, quiet_hours="", batch_size=20, per_salon=5
)
NOTIFICATIONS = REPLICATED_TABLES["notification"]


def console_worker(cloud: CloudServer, settings: NotifySettings = SETTINGS) -> NotificationWorker:
    notifier = SenderNotifier(ConsoleSender(cloud.db, cloud.clock))
    return NotificationWorker(cloud.db, notifier, cloud.clock, settings, public_base_url="https://s.example")


def seed_bookings(
    cloud: CloudServer,
    salon_id: str,
    starts: list[datetime],
    *,
    due: datetime | None = None,
    event: Event | None = Event.BOOKING_CONFIRMED,
    phone: str = "+966551234567",
) -> list[str]:
    """One customer with a confirmed one-item booking at each start (made two days ago), each with its
    `event` job queued (through the real outbox). Returns the job ids."""
    now = cloud.clock.now()
    jobs = []
    with cloud.db.session() as session:
        changes = ChangeSet(session, salon_id)
        customer_id = new_id()
        stamps = {"created_at": now - timedelta(days=2), "updated_at": now, "deleted_at": None}
        changes.upsert(
            "customer",
            {
                "id": customer_id,
                "name": "Noura",
                "phone": phone,
                "language": "en",
                "consent_reminders": True,
                "consent_marketing": False,
                **stamps,
            },
        )
        for start in starts:
            booking_id = new_id()
            changes.upsert(
                "booking",
                {
                    "id": booking_id,
                    "customer_id": customer_id,
                    "status": "confirmed",
                    "source": "desk",
                    "starts_at": start,
                    **stamps,
                },
            )
            end = start + timedelta(hours=1)
            changes.upsert(
                "booking_item",
                {
                    "id": new_id(),
                    "booking_id": booking_id,
                    "service_id": new_id(),
                    "staff_id": new_id(),
                    "start_at": start,
                    "end_at": end,
                    "busy_until": end,
                    "price_halalas": 10_000,
                    "phases": None,
                    "active": True,
                    **stamps,
                },
            )
            if event is not None:
                jobs.append(enqueue(changes, booking_id, event, now, due=due, channel="sms"))
        session.commit()
    assert all(jobs)
    return [job for job in jobs if job]


def poison_job(cloud: CloudServer, salon_id: str, event: str = "no_such_event") -> str:
    """A job row no code path can prepare (an event the worker does not know), written straight in."""
    [good] = seed_bookings(cloud, salon_id, [cloud.clock.now() + timedelta(days=2)])
    now = cloud.clock.now()
    with cloud.db.session() as session:
        template = session.get(NotificationJobRow, (salon_id, good))
        assert template is not None
        job_id = new_id()
        session.add(
            NotificationJobRow(
                id=job_id,
                salon_id=salon_id,
                booking_id=template.booking_id,
                customer_id=template.customer_id,
                recipient_hash=recipient_hash(salon_id, "+966551234567"),
                recipient_masked=template.recipient_masked,
                event=event,
                channel="sms",
                language="en",
                params={},
                body=None,
                status="pending",
                attempts=0,
                next_attempt_at=now - timedelta(hours=1),
                created_at=now,
                updated_at=now,
            )
        )
        session.delete(template)  # only the poison is left of this booking
        session.commit()
    return job_id


def job(cloud: CloudServer, job_id: str) -> NotificationJobRow:
    with cloud.db.reader() as session:
        found = session.scalar(select(NotificationJobRow).where(NotificationJobRow.id == job_id))
        assert found is not None
        return found


def statuses(cloud: CloudServer, salon_id: str) -> Counter[str]:
    with cloud.db.reader() as session:
        return Counter(
            session.scalars(select(NotificationJobRow.status).where(NotificationJobRow.salon_id == salon_id))
        )


def test_a_poison_job_in_one_salon_never_stops_another_salons_messages(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    salon_a, salon_b = cloud.create_salon(), cloud.create_salon("صالون ب", "Salon B")
    poison = poison_job(cloud, salon_a)
    # Bookings on the last day of year 9999: the link's expiry (end + 24 h) used to overflow on every
    # round; now it is capped. The later one cannot even be shown in Riyadh time (year 10000): it fails.
    [far] = seed_bookings(cloud, salon_a, [datetime(9999, 12, 31, 1, 0, tzinfo=UTC)])
    [beyond] = seed_bookings(cloud, salon_a, [datetime(9999, 12, 31, 21, 0, tzinfo=UTC)])
    [good_a] = seed_bookings(cloud, salon_a, [cloud.clock.now() + timedelta(days=1)])
    [good_b] = seed_bookings(cloud, salon_b, [cloud.clock.now() + timedelta(days=1)])
    worker = console_worker(cloud)

    assert worker.run_once() == 5

    assert job(cloud, good_b).status == "sent" and job(cloud, good_a).status == "sent"
    assert job(cloud, far).status == "sent"
    with cloud.db.reader() as session:
        expiries = sorted(session.scalars(select(CustomerLinkRow.expires_at)))
    assert len(expiries) == 3 and expiries[-1] == LATEST_EXPIRY  # the failed job's link was rolled back
    for bad in (poison, beyond):
        failed = job(cloud, bad)
        assert (failed.status, failed.attempts, failed.error) == ("failed", 1, PREPARE_FAILED)
        assert failed.next_attempt_at == cloud.clock.now() + timedelta(seconds=30)
    with cloud.db.reader() as session:  # desks see the failure too
        mirrored = session.execute(
            select(NOTIFICATIONS.c.status, NOTIFICATIONS.c.error).where(NOTIFICATIONS.c.id == poison)
        ).one()
    assert tuple(mirrored) == ("failed", PREPARE_FAILED)
    assert worker.run_once() == 0  # backing off: the poison is not retried at once


def test_a_failing_job_is_retried_with_backoff_then_dead_lettered_alone(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    salon_a, salon_b = cloud.create_salon(), cloud.create_salon("صالون ب", "Salon B")
    poison = poison_job(cloud, salon_a)
    worker = console_worker(cloud)
    delays = []
    for attempt in (1, 2, 3):
        [fresh_b] = seed_bookings(cloud, salon_b, [cloud.clock.now() + timedelta(days=attempt)])
        worker.run_once()
        assert job(cloud, fresh_b).status == "sent"  # every round still delivers salon B's message
        found = job(cloud, poison)
        assert (found.attempts, found.error) == (attempt, PREPARE_FAILED)
        if attempt < 3:
            assert found.status == "failed"
            delays.append(found.next_attempt_at - cloud.clock.now())
            cloud.clock.advance(delays[-1].total_seconds())
    assert delays == [timedelta(seconds=30), timedelta(seconds=60)]
    assert job(cloud, poison).status == "dead"
    cloud.clock.advance(3600)
    assert worker.run_until_idle() == 0  # a dead job is never picked again
    assert statuses(cloud, salon_b) == {"sent": 3}


def test_one_salons_backlog_does_not_delay_another_salons_message(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    salon_a, salon_b = cloud.create_salon(), cloud.create_salon("صالون ب", "Salon B")
    tomorrow = cloud.clock.now() + timedelta(days=1)
    earlier = cloud.clock.now() - timedelta(hours=1)  # A's backlog is older: first in line by due time
    seed_bookings(cloud, salon_a, [tomorrow + timedelta(minutes=i) for i in range(500)], due=earlier)
    [only_b] = seed_bookings(cloud, salon_b, [tomorrow])
    worker = console_worker(cloud)

    assert worker.run_once() == SETTINGS.per_salon + 1

    assert job(cloud, only_b).status == "sent"
    assert statuses(cloud, salon_a) == {"sent": SETTINGS.per_salon, "pending": 500 - SETTINGS.per_salon}


def test_rounds_go_round_robin_when_more_salons_wait_than_a_round_takes(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    settings = NotifySettings.isolated(quiet_hours="", batch_size=2, per_salon=1)
    salons = sorted(cloud.create_salon(f"صالون {i}", f"Salon {i}") for i in range(3))
    tomorrow = cloud.clock.now() + timedelta(days=1)
    for salon_id in salons:
        seed_bookings(cloud, salon_id, [tomorrow + timedelta(minutes=i) for i in range(3)])
    worker = console_worker(cloud, settings)

    served = []
    for _ in range(3):
        assert worker.run_once() == 2
        served.append([statuses(cloud, s)["sent"] for s in salons])
    assert served == [[1, 1, 0], [2, 1, 1], [2, 2, 2]]  # each salon in turn, none left behind


def test_one_salons_bad_rows_never_keep_another_salons_reminders_back(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    salon_a, salon_b = sorted([cloud.create_salon(), cloud.create_salon("صالون ب", "Salon B")])
    soon = cloud.clock.now() + timedelta(hours=23)  # the 24-hour reminder is due
    # A number longer than any column allows: PostgreSQL refuses the masked copy (varchar 32).
    seed_bookings(cloud, salon_a, [soon], event=None, phone="+9665" + "1" * 40)
    seed_bookings(cloud, salon_b, [soon], event=None)
    worker = console_worker(cloud, NotifySettings.isolated(quiet_hours="", reminders="24"))

    worker.schedule()

    with cloud.db.reader() as session:
        queued = Counter(session.scalars(select(NotificationJobRow.salon_id)))
    assert queued[salon_b] == 1
    assert queued[salon_a] == (0 if cloud.db.backend == "postgresql" else 1)


class BrokenForOneSalon:
    """A provider adapter with a bug that shows for one salon only (say, its sender name): it raises."""

    name = "console"

    def __init__(self, inner: SenderNotifier, broken_salon: str) -> None:
        self._inner, self._broken = inner, broken_salon

    def send(self, channel, phone, body, *, key, salon_id, sender_name=None):  # type: ignore[no-untyped-def]
        if salon_id == self._broken:
            raise RuntimeError("provider adapter bug")
        return self._inner.send(channel, phone, body, key=key, salon_id=salon_id, sender_name=sender_name)


def test_a_send_that_raises_loses_no_other_message(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    salon_a, salon_b = sorted([cloud.create_salon(), cloud.create_salon("صالون ب", "Salon B")])
    tomorrow = cloud.clock.now() + timedelta(days=1)
    [broken] = seed_bookings(cloud, salon_a, [tomorrow])
    [fine] = seed_bookings(cloud, salon_b, [tomorrow])
    notifier = BrokenForOneSalon(SenderNotifier(ConsoleSender(cloud.db, cloud.clock)), salon_a)
    worker = NotificationWorker(
        cloud.db, notifier, cloud.clock, SETTINGS, public_base_url="https://s.example"
    )

    assert worker.run_once() == 2

    assert job(cloud, fine).status == "sent"
    assert (job(cloud, broken).status, job(cloud, broken).error) == (
        "dead",
        "outcome_unknown",
    )  # never resent


def test_a_round_is_filled_when_many_salons_have_one_message_each(cloud_server: CloudServer) -> None:
    cloud = cloud_server
    settings = NotifySettings.isolated(quiet_hours="", batch_size=4, per_salon=2)
    salons = [cloud.create_salon(f"صالون {i}", f"Salon {i}") for i in range(5)]
    tomorrow = cloud.clock.now() + timedelta(days=1)
    for salon_id in salons:
        seed_bookings(cloud, salon_id, [tomorrow])
    worker = console_worker(cloud, settings)

    assert worker.run_once() == 4  # four salons served, none of the round's budget left unused
    assert worker.run_once() == 1
    assert all(statuses(cloud, s) == {"sent": 1} for s in salons)
