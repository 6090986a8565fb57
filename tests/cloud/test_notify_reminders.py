"""Reminders: queued by the scheduler when due, only with consent, held back in quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.quiet import quiet_until
from salon_desk.cloud.notify.scheduler import due_reminder
from salon_desk.cloud.notify.settings import parse_quiet_hours
from salon_desk.cloud.salons.rows import SalonRow
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from tests.cloud.test_notify_outbox import SETTINGS, booked, console_worker, desk, jobs, set_customer  # noqa: F401
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

LEADS = SETTINGS.reminder_events
T = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # Thursday 10:00 in Riyadh


def test_the_shortest_due_reminder_is_the_one_queued() -> None:
    made = T - timedelta(days=3)
    assert due_reminder(T, made, T - timedelta(hours=25), LEADS) is None
    assert due_reminder(T, made, T - timedelta(hours=24), LEADS) is Event.REMINDER_24H
    assert (
        due_reminder(T, made, T - timedelta(hours=1), LEADS) is Event.REMINDER_2H
    )  # late worker: one, not two
    assert due_reminder(T, made, T, LEADS) is None  # the appointment has started
    assert due_reminder(T, T - timedelta(hours=3), T - timedelta(hours=2), LEADS) is Event.REMINDER_2H
    assert due_reminder(T, T - timedelta(hours=3), T - timedelta(hours=2, minutes=30), LEADS) is None


def test_quiet_hours_run_past_midnight_in_the_salons_zone() -> None:
    quiet = parse_quiet_hours("21:00-09:00")
    riyadh = "Asia/Riyadh"
    at_8 = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # 08:00 Riyadh
    assert quiet_until(at_8, quiet, riyadh) == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    at_22 = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # 22:00 Riyadh
    assert quiet_until(at_22, quiet, riyadh) == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 11, 26, 6, 0, tzinfo=UTC), quiet, riyadh) is None  # 09:00 sharp
    assert quiet_until(at_8, None, riyadh) is None


def test_a_reminder_in_quiet_hours_waits_until_they_end(sync_world: SyncWorld, desk: Desk) -> None:  # noqa: F811
    cloud, worker = sync_world.cloud, console_worker(sync_world.cloud)
    booking_id, customer_id = booked(desk)  # made today for tomorrow
    set_customer(cloud, customer_id, consent_reminders=True)
    worker.run_until_idle()  # the "booking received" message
    due = _starts_at(cloud, booking_id) - timedelta(hours=2)
    # This salon's own quiet hours (e.g. a Ramadan schedule) cover the reminder's due time by an hour.
    local = due.astimezone(ZoneInfo("Asia/Riyadh"))
    _salon_quiet_hours(
        cloud,
        sync_world.salon_id,
        f"{local.hour - 1:02d}:{local.minute:02d}-{local.hour + 1:02d}:{local.minute:02d}",
    )
    cloud.clock.advance((due - cloud.clock.now()).total_seconds())

    assert worker.schedule() >= 1  # the demo salon has other bookings tomorrow too
    worker.run_until_idle()

    reminder = _reminder(cloud, booking_id)
    assert (reminder.status, reminder.attempts, reminder.next_attempt_at) == (
        "pending",
        0,
        due + timedelta(hours=1),
    )
    with cloud.client() as http:
        texts = [m["text"] for m in http.get("/v1/dev/messages").json()["messages"]]
    assert len(texts) == 1  # only the booking message; every reminder waits
    cloud.clock.advance(3600)
    assert worker.run_until_idle() >= 1
    reminder = _reminder(cloud, booking_id)
    assert reminder.status == "sent" and "/b/" in (reminder.body or "")
    worker.schedule()  # other demo bookings' reminders fall due; this one is never queued twice
    assert [j.event for j in jobs(cloud) if j.booking_id == booking_id] == ["booking_created", "reminder_2h"]


def test_a_reminder_whose_quiet_hours_end_after_the_appointment_is_skipped(
    sync_world: SyncWorld,  # noqa: F811
    desk: Desk,  # noqa: F811
) -> None:
    cloud, worker = sync_world.cloud, console_worker(sync_world.cloud)
    booking_id, customer_id = booked(desk)
    set_customer(cloud, customer_id, consent_reminders=True)
    _salon_quiet_hours(cloud, sync_world.salon_id, "00:00-23:59")
    cloud.clock.advance(
        (_starts_at(cloud, booking_id) - timedelta(hours=2) - cloud.clock.now()).total_seconds()
    )

    worker.schedule()
    worker.run_until_idle()

    assert (_reminder(cloud, booking_id).status, _reminder(cloud, booking_id).error) == (
        "skipped",
        "quiet_hours",
    )


def test_no_consent_no_reminder(sync_world: SyncWorld, desk: Desk) -> None:  # noqa: F811
    cloud, worker = sync_world.cloud, console_worker(sync_world.cloud)
    booking_id, customer_id = booked(desk)
    set_customer(cloud, customer_id, consent_reminders=False)
    cloud.clock.advance(
        (_starts_at(cloud, booking_id) - timedelta(hours=1) - cloud.clock.now()).total_seconds()
    )

    worker.schedule()
    assert [j.event for j in jobs(cloud) if j.booking_id == booking_id] == ["booking_created"]


def _salon_quiet_hours(cloud, salon_id: str, window: str) -> None:  # type: ignore[no-untyped-def]
    with cloud.db.session() as session:
        salon = session.get(SalonRow, salon_id)
        salon.public_settings = {**(salon.public_settings or {}), "quiet_hours": window}
        session.commit()


def _reminder(cloud, booking_id: str):  # type: ignore[no-untyped-def]
    return next(j for j in jobs(cloud) if j.booking_id == booking_id and j.event == "reminder_2h")


def _starts_at(cloud, booking_id: str) -> datetime:  # type: ignore[no-untyped-def]
    table = REPLICATED_TABLES["booking"]
    with cloud.db.reader() as session:
        return session.execute(select(table.c.starts_at).where(table.c.id == booking_id)).scalar_one()
