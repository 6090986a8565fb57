"""Customer notifications end to end: a desk's booking change queues its message in the same transaction,
the worker sends it once (console provider, or the fake Authentica over real HTTP), and the delivery status
reaches the desk by pull. Runs on SQLite, and on PostgreSQL when SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from salon_desk.cloud.links.tokens import redact_links
from salon_desk.cloud.messaging.authentica import AuthenticaSender
from salon_desk.cloud.messaging.console import ConsoleSender
from salon_desk.cloud.notify import outbox
from salon_desk.cloud.notify.providers import SenderNotifier
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.notify.worker import NotificationWorker
from salon_desk.usecases.commands import CancelBooking, TransitionBooking
from tests.cloud.conftest import CloudServer
from tests.fakes.authentica import FakeAuthentica
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)

SETTINGS = NotifySettings.isolated(max_attempts=3, backoff_seconds=30, quiet_hours="21:00-09:00")


def console_worker(cloud: CloudServer, settings: NotifySettings = SETTINGS) -> NotificationWorker:
    notifier = SenderNotifier(ConsoleSender(cloud.db, cloud.clock))
    return NotificationWorker(
        cloud.db, notifier, cloud.clock, settings, public_base_url="https://salon.example"
    )


def jobs(cloud: CloudServer) -> list[NotificationJobRow]:
    with cloud.db.reader() as session:
        return list(session.scalars(select(NotificationJobRow).order_by(NotificationJobRow.created_at)))


def set_customer(cloud: CloudServer, customer_id: str, **values: Any) -> None:
    """A cloud-side fact for the test (e.g. consent), written as the server would store it."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    with cloud.db.session() as session:
        session.execute(
            text(f"UPDATE customer SET {assignments} WHERE id = :id"), {**values, "id": customer_id}
        )  # noqa: S608
        session.commit()


def booked(desk: Desk, **kwargs: Any) -> tuple[str, str]:
    """Creates a booking request on the desk and pushes it; returns (booking id, customer id)."""
    command = free_booking(desk, **kwargs)
    booking_id = desk.service.bookings.create(command).id
    report = desk.sync.sync_once()
    assert report.ok and report.applied == 1, report
    return booking_id, command.customer_id


@pytest.fixture
def desk(sync_world: SyncWorld) -> Iterator[Desk]:  # noqa: F811
    yield sync_world.desk("Desk 1")


def test_a_booking_request_queues_its_message_and_the_desk_sees_it_delivered(
    sync_world: SyncWorld,  # noqa: F811
    desk: Desk,
) -> None:
    cloud = sync_world.cloud
    booking_id, _ = booked(desk)

    [job] = jobs(cloud)
    assert (job.booking_id, job.event, job.status, job.channel) == (
        booking_id,
        "booking_created",
        "pending",
        "sms",
    )
    assert "*" in job.recipient_masked and job.body is None
    desk.sync.sync_once()  # the queued message is already visible on the desk
    assert desk.rows("SELECT status, event FROM notification WHERE booking_id = :b", b=booking_id) == [
        ("pending", "booking_created")
    ]

    assert console_worker(cloud).run_until_idle() == 1

    [job] = jobs(cloud)
    assert job.status == "sent" and job.attempts == 1 and job.provider == "console"
    with cloud.client() as http:
        [message] = http.get("/v1/dev/messages").json()["messages"]
    assert redact_links(message["text"]) == job.body  # stored without the link's token (issue 8)
    token = message["links"][0].rsplit("/b/", 1)[1]
    assert token not in job.body and "/b/••••" in job.body
    assert [link.split("/b/")[0] for link in message["links"]] == ["https://salon.example"]
    desk.sync.sync_once()
    [(status, body, recipient, attempts)] = desk.rows(
        "SELECT status, body, recipient, attempts FROM notification WHERE booking_id = :b", b=booking_id
    )
    assert (status, body, attempts) == ("sent", job.body, 1)
    assert recipient == job.recipient_masked and "*" in recipient  # never the full number on desks


def test_confirm_and_cancel_each_send_their_own_message_once(sync_world: SyncWorld, desk: Desk) -> None:  # noqa: F811
    cloud, worker = sync_world.cloud, console_worker(sync_world.cloud)
    booking_id, _ = booked(desk)
    desk.service.bookings.transition(TransitionBooking(booking_id, "confirmed"))
    desk.service.bookings.cancel(CancelBooking(booking_id, "customer called"))
    assert desk.sync.sync_once().applied == 2
    desk.sync.sync_once()  # nothing new: a re-run of the same mutations queues nothing twice

    worker.run_until_idle()

    by_event = {job.event: job for job in jobs(cloud)}
    assert set(by_event) == {"booking_created", "booking_confirmed", "booking_cancelled"}
    # The booking was cancelled before the worker ran: "please confirm" / "confirmed" are not sent.
    assert by_event["booking_created"].status == by_event["booking_confirmed"].status == "skipped"
    assert by_event["booking_created"].error == "booking_not_live"
    assert by_event["booking_cancelled"].status == "sent"
    assert worker.run_until_idle() == 0


def test_a_failing_change_writes_no_message(
    sync_world: SyncWorld,  # noqa: F811
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail_after_the_job_is_written(*_args: Any) -> None:
        raise RuntimeError("the transaction fails after the outbox row was flushed")

    monkeypatch.setattr(outbox, "publish", fail_after_the_job_is_written)
    booking_id = desk.service.bookings.create(free_booking(desk)).id

    report = desk.sync.sync_once()

    # An unexpected server error is tried again, then refused as server_error (never retried for ever); the
    # booking and its message were one transaction, so neither exists.
    assert report.applied == 0 and report.refused == 1 and desk.sync.status().pending == 0
    assert jobs(sync_world.cloud) == []
    with sync_world.cloud.db.reader() as session:
        assert (
            session.execute(text("SELECT count(*) FROM booking WHERE id = :b"), {"b": booking_id}).scalar()
            == 0
        )
    monkeypatch.undo()
    second = desk.service.bookings.create(free_booking(desk)).id
    assert desk.sync.sync_once().applied == 1
    assert [job.booking_id for job in jobs(sync_world.cloud)] == [second]


def test_provider_outages_are_retried_with_backoff_then_dead_lettered(
    sync_world: SyncWorld,  # noqa: F811
    desk: Desk,
    fake_authentica: FakeAuthentica,
) -> None:
    cloud = sync_world.cloud
    sender = AuthenticaSender(fake_authentica.api_key, fake_authentica.base_url, max_attempts=1)
    worker = NotificationWorker(
        cloud.db, SenderNotifier(sender), cloud.clock, SETTINGS, public_base_url="https://s.example"
    )
    booked(desk)
    fake_authentica.fail_next(503, times=3)
    sends = lambda: len(fake_authentica.requests_to("/api/v2/send-sms"))  # noqa: E731

    assert worker.run_once() == 1
    [job] = jobs(cloud)
    assert (job.status, job.attempts, job.error) == ("failed", 1, "messaging.unavailable")
    assert job.next_attempt_at == cloud.clock.now() + timedelta(seconds=30)
    assert worker.run_once() == 0 and sends() == 1  # not before its time

    cloud.clock.advance(30)
    worker.run_once()
    [job] = jobs(cloud)
    assert (job.status, job.attempts) == ("failed", 2)
    assert job.next_attempt_at == cloud.clock.now() + timedelta(seconds=60)  # doubled

    cloud.clock.advance(60)
    worker.run_once()
    [job] = jobs(cloud)
    assert (job.status, job.attempts, sends()) == ("dead", 3, 3)
    cloud.clock.advance(3600)
    assert worker.run_until_idle() == 0 and sends() == 3
    desk.sync.sync_once()
    assert desk.rows("SELECT status, attempts, error FROM notification") == [
        ("dead", 3, "messaging.unavailable")
    ]
    sender.close()


def test_a_refusal_is_not_retried_and_a_recovered_provider_sends_once(
    sync_world: SyncWorld,  # noqa: F811
    desk: Desk,
    fake_authentica: FakeAuthentica,
) -> None:
    cloud = sync_world.cloud
    sender = AuthenticaSender(fake_authentica.api_key, fake_authentica.base_url, max_attempts=1)
    worker = NotificationWorker(
        cloud.db, SenderNotifier(sender), cloud.clock, SETTINGS, public_base_url="https://s.example"
    )
    first, _ = booked(desk)
    fake_authentica.fail_next(422)
    worker.run_once()
    assert [(j.status, j.error) for j in jobs(cloud)] == [("dead", "messaging.rejected")]

    second, _ = booked(desk, day_offset=2)
    fake_authentica.fail_next(503)
    worker.run_once()
    cloud.clock.advance(30)
    worker.run_once()

    job = next(j for j in jobs(cloud) if j.booking_id == second)
    assert (job.status, job.attempts) == ("sent", 2)
    bodies = [r.body["message"] for r in fake_authentica.requests_to("/api/v2/send-sms")]
    # The retry resends the same text, with a fresh link (the stored text has its link redacted).
    assert len(bodies) == 3 and redact_links(bodies[1]) == redact_links(bodies[2]) == job.body
    assert job.provider_id and fake_authentica.requests_to("/api/v2/send-sms")[-1].body["phone"].startswith(
        "+966"
    )
    sender.close()


def test_a_worker_that_died_mid_send_never_resends(sync_world: SyncWorld, desk: Desk) -> None:  # noqa: F811
    cloud = sync_world.cloud
    booked(desk)
    worker = console_worker(cloud)
    assert len(worker.claim()) == 1  # claimed, then the process "dies" before sending

    cloud.clock.advance(SETTINGS.lease_seconds + 1)
    assert worker.run_until_idle() == 0

    [job] = jobs(cloud)
    assert (job.status, job.error) == ("dead", "outcome_unknown")
    with cloud.client() as http:
        assert http.get("/v1/dev/messages").json()["messages"] == []


def test_the_booking_tooltip_line_shows_the_latest_message(sync_world: SyncWorld, desk: Desk) -> None:  # noqa: F811
    from zoneinfo import ZoneInfo

    from salon_desk.ui.i18n import set_ui_language
    from salon_desk.ui.messages.labels import message_line

    booking_id, _ = booked(desk)
    console_worker(sync_world.cloud).run_until_idle()
    desk.sync.sync_once()
    starts_at = desk.service.bookings.get(booking_id).items[0].start_at
    day = starts_at.astimezone(ZoneInfo("Asia/Riyadh")).date()

    [block] = [b for b in desk.service.calendar.day_view(day).blocks if b.booking_id == booking_id]

    assert block.message == ("booking_created", "sent")
    try:
        set_ui_language("en")
        assert message_line(*block.message) == "Customer message: Booking received, sent"
        set_ui_language("ar")
        assert message_line(*block.message) == "رسالة العميل: تم استلام الحجز، تم الإرسال"
    finally:
        set_ui_language("ar")
