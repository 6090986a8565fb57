"""The salon's deposit policy applied (issue #12): a real desk pushes cancel / no-show / reschedule, or the customer
cancels from the booking page; the change records the outcome in its own transaction; the payments job refunds
through the fake Moyasar over loopback, exactly once; the page says what happened, in Arabic and English; the
refund reaches the desk through the online payment replica. SQLite and PostgreSQL (the cloud_server fixture)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.keys import new_master_key
from salon_desk.cloud.payments.rows import DepositRefundRow, PaymentAuditRow, PaymentRequestRow
from salon_desk.domain.errors import Conflict
from salon_desk.usecases.commands import CancelBooking, ItemMove, RescheduleBooking, TransitionBooking
from tests.cloud.deposit_world import owner_sets_deposit
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture

from .conftest import CloudServer, StartCloudServer
from .test_links import Customer, LinkCase, booked_link, cloud_status, latest_code

SECRET = "deposit-webhook-secret"
DEPOSIT = 5_000


@pytest.fixture
def fake() -> Iterator[FakeMoyasar]:
    moyasar = FakeMoyasar().start()
    moyasar.hold_webhooks()
    yield moyasar
    moyasar.stop()


@pytest.fixture
def cloud_server(start_cloud_server: StartCloudServer, fake: FakeMoyasar) -> CloudServer:
    return start_cloud_server(moyasar_base_url=fake.api_url, payments_key=new_master_key(),
                              payments_timeout_seconds=1.0)


def paid_deposit(world: SyncWorld, fake: FakeMoyasar) -> tuple[LinkCase, Customer, str]:
    """A desk's booking whose customer verified the code and paid the deposit: (case, customer, payment id)."""
    cloud = world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    cloud.app.state.payments.configure_account(
        world.salon_id, secret_key=account.secret_key, publishable_key=account.publishable_key,
        webhook_secret=SECRET, actor="test")
    owner_sets_deposit(world, DEPOSIT)  # the salon profile's "Deposit", from the owner's desk
    case = booked_link(world)
    customer = Customer(case, "en")
    customer.post("code")
    customer.post("verify", code=latest_code(cloud))
    ours = customer.http.get(f"{case.path}/pay?lang=en", follow_redirects=False)
    hosted = customer.http.get(ours.headers["location"], follow_redirects=False)
    invoice_id = hosted.headers["location"].split("/checkout/invoices/")[1].split("?")[0]
    payment = fake.pay_invoice(invoice_id)
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200]
    cloud.app.state.payments.apply_pending()
    assert cloud_status(case) == "confirmed"
    assert case.desk.sync.sync_once().error is None
    return case, customer, str(payment["id"])


def requests_of(case: LinkCase) -> list[DepositRefundRow]:
    """The refunds the salon's deposit policy decided (the deposit_refund table), oldest first."""
    with case.cloud.db.reader() as session:
        return list(session.scalars(select(DepositRefundRow).where(DepositRefundRow.salon_id == case.world.salon_id)
                                    .order_by(DepositRefundRow.created_at)))


def desk_requests_of(case: LinkCase) -> list[PaymentRequestRow]:
    """Refunds and voids desks asked for: the policy's refunds are never among them."""
    with case.cloud.db.reader() as session:
        return list(session.scalars(select(PaymentRequestRow).where(PaymentRequestRow.salon_id == case.world.salon_id)))


def deposit_audit(case: LinkCase) -> list[tuple[str, str, dict[str, Any]]]:
    with case.cloud.db.reader() as session:
        rows = session.scalars(select(PaymentAuditRow).where(
            PaymentAuditRow.salon_id == case.world.salon_id, PaymentAuditRow.entity == "deposit")
            .order_by(PaymentAuditRow.at)).all()
        return [(r.action, r.actor, dict(r.after or {})) for r in rows]


def refund_calls(fake: FakeMoyasar, payment_id: str) -> int:
    return fake.requests.count(("POST", f"/v1/payments/{payment_id}/refund"))


def desk_refunded(case: LinkCase) -> int:
    assert case.desk.sync.sync_once().error is None
    return int(case.desk.scalar("SELECT refunded_halalas FROM online_payment WHERE booking_id = :id",
                                id=case.booking_id))


def starts_at(case: LinkCase) -> datetime:
    with case.cloud.db.reader() as session:
        from salon_desk.cloud.sync.tables import REPLICATED_TABLES

        table = REPLICATED_TABLES["booking"]
        value: datetime = session.scalar(select(table.c.starts_at).where(table.c.id == case.booking_id))
    return value


def reschedule_on_desk(case: LinkCase, around: datetime) -> datetime:
    """Moves the booking's one item to the first free quarter hour from `around`, with any qualified stylist."""
    [(item_id, service_id)] = case.desk.rows("SELECT id, service_id FROM booking_item WHERE booking_id = :id",
                                             id=case.booking_id)
    for step in range(4 * 24 * 7):
        start = around + timedelta(minutes=15 * step)
        for staff_id in case.desk.service.reference.qualified_staff(service_id):
            try:
                case.desk.service.bookings.reschedule(
                    RescheduleBooking(case.booking_id, (ItemMove(str(item_id), str(staff_id), start),)))
            except Conflict:
                continue
            return start
    raise AssertionError("no free time to move the booking to")


def move_clocks_to(case: LinkCase, when: datetime) -> None:
    """The cloud's and the desk's clocks both to `when` (the desk checks no-show against its own clock)."""
    cloud_now = case.cloud.clock.now()
    case.cloud.clock.advance((when - cloud_now).total_seconds())
    case.desk.clock.advance(seconds=(when - case.desk.clock.now).total_seconds())


def test_customer_cancels_before_the_cutoff_and_the_job_refunds_exactly_once(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    case, customer, payment_id = paid_deposit(sync_world, fake)
    page = customer.post("cancel", code="")
    assert page.status_code == 200 and cloud_status(case) == "cancelled", page.text[-1500:]
    [queued] = requests_of(case)
    assert (queued.state, queued.amount_halalas, queued.actor, queued.reason) == (
        "pending", DEPOSIT, "policy:customer_cancel", "cancel")
    assert 'id="deposit-outcome"' in page.text and "on its way" in page.text
    assert refund_calls(fake, payment_id) == 0  # never inside the cancel's transaction
    payments = case.cloud.app.state.payments
    assert payments.run_deposit_refunds() == 1
    assert payments.run_deposit_refunds() == 0  # a second pass finds nothing to do
    assert refund_calls(fake, payment_id) == 1
    assert fake.payment(payment_id)["refunded"] == DEPOSIT
    assert [(r.state, r.attempts) for r in requests_of(case)] == [("done", 1)]
    assert desk_requests_of(case) == []  # the policy's refunds have their own table
    assert [a for a, _, _ in deposit_audit(case)] == ["deposit.refund"]
    assert desk_refunded(case) == DEPOSIT  # the replica: the desk's credit note follows from it
    en = customer.open()
    assert "Your deposit of" in en.text and "was refunded to your card" in en.text
    ar = Customer(case, "ar").open()
    assert "تم استرداد عربونك" in ar.text


def test_a_late_cancellation_from_a_desk_keeps_the_deposit(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    move_clocks_to(case, starts_at(case) - timedelta(minutes=30))  # inside the demo salon's 120 minutes
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "customer called late"))
    assert case.desk.sync.sync_once().error is None
    assert cloud_status(case) == "cancelled"
    assert case.cloud.app.state.payments.run_deposit_refunds() == 0
    assert requests_of(case) == [] and refund_calls(fake, payment_id) == 0
    [(action, actor, facts)] = deposit_audit(case)
    assert (action, actor, facts["rule"], facts["late"]) == ("deposit.keep", "policy:desk_cancel",
                                                               "on_late_cancel", True)
    assert "is kept, as the salon" in customer.open().text
    assert "لا يُسترد عربونك" in Customer(case, "ar").open().text


def test_a_desk_cancellation_before_the_cutoff_refunds(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, _, payment_id = paid_deposit(sync_world, fake)
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "salon closed"))
    assert case.desk.sync.sync_once().error is None
    case.cloud.app.state.payments.run_deposit_refunds()
    assert refund_calls(fake, payment_id) == 1 and fake.payment(payment_id)["refunded"] == DEPOSIT
    assert deposit_audit(case)[0][1] == "policy:desk_cancel"


def test_a_no_show_pushed_by_a_desk_keeps_the_deposit(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    move_clocks_to(case, starts_at(case) + timedelta(minutes=20))
    case.desk.service.bookings.transition(TransitionBooking(case.booking_id, "no_show"))
    assert case.desk.sync.sync_once().error is None
    assert cloud_status(case) == "no_show"
    case.cloud.app.state.payments.run_deposit_refunds()
    assert requests_of(case) == [] and refund_calls(fake, payment_id) == 0
    [(action, _, facts)] = deposit_audit(case)
    assert (action, facts["event"], facts["rule"]) == ("deposit.keep", "no_show", "on_no_show")
    assert "is kept" in customer.open().text


def test_a_reschedule_carries_the_deposit_over_to_the_new_time(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    new_start = reschedule_on_desk(case, starts_at(case) + timedelta(days=2))
    assert case.desk.sync.sync_once().error is None
    assert starts_at(case) == new_start  # the same booking, at its new time
    case.cloud.app.state.payments.run_deposit_refunds()
    assert requests_of(case) == [] and refund_calls(fake, payment_id) == 0
    assert [a for a, _, _ in deposit_audit(case)] == ["deposit.carry_over"]
    page = customer.open()
    assert "carries over to the new time" in page.text and 'id="pay-deposit"' not in page.text
    assert case.cloud.app.state.payments.deposit_state(case.world.salon_id, case.booking_id) == (DEPOSIT, True)
    assert "نُقل عربونك" in Customer(case, "ar").open().text
    # cancelled later, before the new time's cutoff: the carried deposit is refunded once
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "customer called"))
    assert case.desk.sync.sync_once().error is None
    case.cloud.app.state.payments.run_deposit_refunds()
    assert refund_calls(fake, payment_id) == 1


def test_moyasar_5xx_then_success_refunds_once(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    payments = case.cloud.app.state.payments
    fake.fail_next(503, path=f"/v1/payments/{payment_id}/refund")
    payments.run_deposit_refunds()
    assert [(r.state, r.last_error) for r in requests_of(case)] == [("pending", "payments.provider_unavailable")]
    assert fake.payment(payment_id)["refunded"] == 0
    payments.run_deposit_refunds()
    assert [r.state for r in requests_of(case)] == ["done"]
    assert fake.payment(payment_id)["refunded"] == DEPOSIT
    assert refund_calls(fake, payment_id) == 2  # the refused one and the one that worked


def test_a_timed_out_refund_that_moyasar_applied_is_not_asked_again(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    payments = case.cloud.app.state.payments
    fake.stall_next(0)  # the job's re-fetch answers at once ...
    fake.stall_next(1.5)  # ... the refund outlasts the 1 s timeout, and Moyasar applies it after
    payments.run_deposit_refunds()
    assert [r.state for r in requests_of(case)] == ["pending"]
    deadline = time.monotonic() + 5
    while fake.payment(payment_id)["refunded"] != DEPOSIT and time.monotonic() < deadline:
        time.sleep(0.05)
    payments.run_deposit_refunds()  # re-fetches first: the money is already back
    assert [r.state for r in requests_of(case)] == ["done"]
    assert fake.payment(payment_id)["refunded"] == DEPOSIT
    assert refund_calls(fake, payment_id) == 1


def test_a_refund_already_made_in_moyasar_is_not_made_again(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    fake.refund_now(payment_id)  # refunded meanwhile in Moyasar's dashboard
    case.cloud.app.state.payments.run_deposit_refunds()
    assert [r.state for r in requests_of(case)] == ["done"]  # the re-fetch saw the money already back
    assert refund_calls(fake, payment_id) == 0


def test_a_refund_moyasar_refuses_is_audited_and_not_retried(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    fake.fail_next(400, path=f"/v1/payments/{payment_id}/refund")
    payments = case.cloud.app.state.payments
    payments.run_deposit_refunds()
    assert payments.run_deposit_refunds() == 0
    assert [r.state for r in requests_of(case)] == ["refused"]
    assert refund_calls(fake, payment_id) == 1
    assert [a for a, _, _ in deposit_audit(case)] == ["deposit.refund", "deposit.refund_refused"]
    assert "was refunded" not in customer.open().text


def test_a_late_cancellation_by_the_salon_refunds_the_whole_deposit(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    """Under the default policy a late cancellation keeps the deposit; when the desk says the salon cancelled
    (staff unavailable), the customer did nothing wrong and gets all of it back, once."""
    case, customer, payment_id = paid_deposit(sync_world, fake)
    move_clocks_to(case, starts_at(case) - timedelta(minutes=30))  # inside the demo salon's 120 minutes
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "stylist ill", by_salon=True))
    assert case.desk.sync.sync_once().error is None
    assert cloud_status(case) == "cancelled"
    [(action, actor, facts)] = deposit_audit(case)
    assert (actor, facts["rule"], facts["late"]) == ("policy:salon_cancel", "salon_cancel", True)
    assert case.cloud.app.state.payments.run_deposit_refunds() == 1
    assert case.cloud.app.state.payments.run_deposit_refunds() == 0
    assert refund_calls(fake, payment_id) == 1 and fake.payment(payment_id)["refunded"] == DEPOSIT
    assert desk_refunded(case) == DEPOSIT
    assert "was refunded to your card" in customer.open().text
