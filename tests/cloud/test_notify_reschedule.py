"""Every reschedule tells the customer again (issue #14): the occurrence number is part of the notification's
unique key, so a second and later reschedule each queue a message; one still waiting when the next reschedule
arrives is skipped as superseded, and the customer hears the latest time once. Real uvicorn, desks pushing;
SQLite, and PostgreSQL when SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from sqlalchemy import select

from salon_desk.cloud.notify.rows import NotificationJobRow
from tests.cloud.test_notify_outbox import booked, console_worker
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)
from tests.sync.test_pull_priority import free_move


def reschedule_jobs(world: SyncWorld, booking_id: str) -> list[tuple[int, str, str | None]]:
    with world.cloud.db.reader() as session:
        rows = session.execute(
            select(NotificationJobRow.occurrence, NotificationJobRow.status, NotificationJobRow.error)
            .where(NotificationJobRow.booking_id == booking_id, NotificationJobRow.event == "booking_rescheduled")
            .order_by(NotificationJobRow.occurrence)
        ).all()
    return [tuple(row) for row in rows]


def move(desk: Desk, booking_id: str, first_day: int) -> None:
    desk.service.bookings.reschedule(free_move(desk, booking_id, first_day))
    report = desk.sync.sync_once()
    assert report.ok and report.applied == 1, report


def test_each_reschedule_notifies_again_and_a_waiting_one_is_superseded(sync_world: SyncWorld) -> None:  # noqa: F811
    desk = sync_world.desk("Desk 1")
    worker = console_worker(sync_world.cloud)
    booking_id, _ = booked(desk, day_offset=3)
    assert worker.run_until_idle() == 1  # "please confirm"

    move(desk, booking_id, first_day=5)
    assert worker.run_until_idle() == 1
    move(desk, booking_id, first_day=7)  # the second reschedule is news too
    assert worker.run_until_idle() == 1
    assert reschedule_jobs(sync_world, booking_id) == [(1, "sent", None), (2, "sent", None)]

    move(desk, booking_id, first_day=9)
    move(desk, booking_id, first_day=11)  # before the worker ran: only the latest time goes out
    assert worker.run_until_idle() == 1
    assert reschedule_jobs(sync_world, booking_id) == [
        (1, "sent", None),
        (2, "sent", None),
        (3, "skipped", "superseded"),
        (4, "sent", None),
    ]
    with sync_world.cloud.client() as http:
        texts = [m["text"] for m in http.get("/v1/dev/messages").json()["messages"]]
    assert len(texts) == 4  # created + three reschedules sent; the superseded one never was
    desk.sync.sync_once()  # desks see the superseded message and why
    assert sorted(
        desk.rows(
            "SELECT status, error FROM notification WHERE booking_id = :b AND event = 'booking_rescheduled'",
            b=booking_id,
        )
    ) == [("sent", None), ("sent", None), ("sent", None), ("skipped", "superseded")]
