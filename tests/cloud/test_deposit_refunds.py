"""The deposit's remaining defects (issue #12), through a real desk, the real cloud and the fake Moyasar on
loopback, SQLite and PostgreSQL (the cloud_server fixture):

* the amount has one home, the salon profile: the owner changes it on a desk, the desk syncs, and the booking
  page (and the pay link it makes) asks the new amount; the payment account API knows no deposit;
* the policy's refunds live in `deposit_refund`: two jobs at once refund once;
* a refund Moyasar refuses tells the customer plainly, in Arabic and English, that the salon will contact
  them, and reaches every desk in the deposit link's replicated history.
"""

from __future__ import annotations

import json
import re
import threading
import time

from sqlalchemy import update

from salon_desk.cloud.payments.deposit_policy import CLAIM
from salon_desk.cloud.payments.rows import DepositRefundRow
from salon_desk.usecases.commands import CancelBooking
from tests.cloud.deposit_world import owner_sets_deposit
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture

from .test_deposit_policy_cloud import (  # noqa: F401 - fixtures
    DEPOSIT,
    SECRET,
    FakeMoyasar,
    cloud_server,
    deposit_audit,
    desk_requests_of,
    fake,
    paid_deposit,
    refund_calls,
    requests_of,
)
from .test_links import Customer, booked_link, latest_code

REFUSED = {
    "en": "could not be refunded to your card automatically. The salon will contact you to return it.",
    "ar": "تعذّر استرداد عربونك البالغ",
}
CONTACT_AR = "سيتواصل معك الصالون لإعادته إليك."


def deposit_section(page_text: str) -> str:
    found = re.search(r'<div id="deposit">(.*?)</div>', page_text, re.S)
    assert found, page_text[-2000:]
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_the_owner_changes_the_deposit_on_the_desk_and_the_booking_page_asks_it(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    cloud = sync_world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    payments = cloud.app.state.payments
    payments.configure_account(sync_world.salon_id, secret_key=account.secret_key,
                               publishable_key=account.publishable_key, webhook_secret=SECRET, actor="test")
    case = booked_link(sync_world)
    assert 'id="deposit"' not in Customer(case, "en").open().text  # the profile asks none yet
    owner_sets_deposit(sync_world, 5_000)
    assert "50.00" in deposit_section(Customer(case, "en").open().text)

    owner_sets_deposit(sync_world, 7_500)  # the manager changes it on the desk; the desk syncs
    assert payments.deposit_for(sync_world.salon_id) == 7_500
    customer = Customer(case, "en")
    asked = deposit_section(customer.page.text)
    assert "75.00" in asked and "50.00" not in asked
    customer.post("code")
    customer.post("verify", code=latest_code(cloud))
    ours = customer.http.get(f"{case.path}/pay?lang=en", follow_redirects=False)
    hosted = customer.http.get(ours.headers["location"], follow_redirects=False)
    invoice_id = hosted.headers["location"].split("/checkout/invoices/")[1].split("?")[0]
    [invoice] = [i for i in fake.invoices(account.secret_key) if i["id"] == invoice_id]
    assert invoice["amount"] == 7_500  # Moyasar is asked the profile's amount
    ar = deposit_section(Customer(case, "ar").open().text)
    assert "75.00" in ar or "٧٥٫٠٠" in ar


def test_the_payment_account_api_knows_no_deposit(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    cloud = sync_world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    _, manager = cloud.enrolled_desk("manager", salon_id=sync_world.salon_id)
    desk = cloud.client(headers={"Authorization": f"Bearer {manager}"})
    keys = {"secret_key": account.secret_key, "publishable_key": account.publishable_key, "webhook_secret": SECRET}
    refused = desk.put("/v1/payments/account", json={**keys, "deposit_halalas": 5_000})
    assert refused.status_code == 422  # unknown field: the amount is the salon profile's
    assert desk.put("/v1/payments/account", json=keys).status_code == 204
    assert "deposit_halalas" not in desk.get("/v1/payments/account").json()


def test_two_jobs_at_once_refund_once(sync_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: F811
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    payments = case.cloud.app.state.payments
    fake.stall_next(0)  # the first job's re-fetch answers at once ...
    fake.stall_next(0.5)  # ... its refund takes a while: the second job runs meanwhile
    counts: list[int] = []
    jobs = [threading.Thread(target=lambda: counts.append(payments.run_deposit_refunds())) for _ in range(2)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert sorted(counts) == [0, 1]  # one claimed it, the other found nothing it could take
    assert refund_calls(fake, payment_id) == 1 and fake.payment(payment_id)["refunded"] == DEPOSIT
    assert [(r.state, r.attempts) for r in requests_of(case)] == [("done", 1)]
    assert desk_requests_of(case) == []


def test_a_crashed_claim_is_taken_over_and_not_refunded_twice(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    """A job that died after Moyasar refunded (its claim left behind) is taken over once the claim expires;
    the new owner re-fetches, sees the money back, and does not ask again."""
    case, customer, payment_id = paid_deposit(sync_world, fake)
    customer.post("cancel", code="")
    payments = case.cloud.app.state.payments
    fake.stall_next(0)
    fake.stall_next(1.5)  # the refund outlasts the 1 s timeout; Moyasar applies it after
    payments.run_deposit_refunds()
    [row] = requests_of(case)
    assert row.state == "pending" and row.refunded_before == 0
    deadline = time.monotonic() + 5
    while fake.payment(payment_id)["refunded"] != DEPOSIT and time.monotonic() < deadline:
        time.sleep(0.05)
    with case.cloud.db.session() as session:  # as if a job had claimed it again and died before answering
        session.execute(update(DepositRefundRow).where(DepositRefundRow.salon_id == row.salon_id,
                                                       DepositRefundRow.id == row.id)
                        .values(state="claimed", claimed_at=case.cloud.clock.now()))
        session.commit()
    assert payments.run_deposit_refunds() == 0  # a live claim is never taken over
    case.cloud.clock.advance(CLAIM.total_seconds() + 1)
    assert payments.run_deposit_refunds() == 1
    assert [(r.state, r.attempts) for r in requests_of(case)] == [("done", 2)]
    assert refund_calls(fake, payment_id) == 1


def test_a_refused_refund_says_the_salon_will_contact_the_customer_and_every_desk_sees_it(
    sync_world: SyncWorld, fake: FakeMoyasar  # noqa: F811
) -> None:
    case, customer, payment_id = paid_deposit(sync_world, fake)
    case.desk.service.bookings.cancel(CancelBooking(case.booking_id, "customer called"))  # days ahead: refund
    assert case.desk.sync.sync_once().error is None
    assert "on its way" in customer.open().text
    fake.fail_next(400, path=f"/v1/payments/{payment_id}/refund")
    payments = case.cloud.app.state.payments
    assert payments.run_deposit_refunds() == 1
    assert payments.run_deposit_refunds() == 0  # refused: never retried
    [row] = requests_of(case)
    assert (row.state, row.last_error) == ("refused", "payments.provider_refused")
    assert [a for a, _, _ in deposit_audit(case)] == ["deposit.refund", "deposit.refund_refused"]
    en = deposit_section(customer.open().text)
    assert REFUSED["en"] in en and "on its way" not in en and "was refunded" not in en
    ar = deposit_section(Customer(case, "ar").open().text)
    assert REFUSED["ar"] in ar and CONTACT_AR in ar and "في طريقه" not in ar
    # every desk: the deposit link's replicated row carries the refusal in its history
    other = sync_world.desk("Desk 2")
    for desk in (case.desk, other):
        assert desk.sync.sync_once().error is None
        [history] = desk.rows("SELECT history FROM online_payment WHERE booking_id = :id", id=case.booking_id)
        entries = history[0] if isinstance(history[0], list) else json.loads(history[0])
        assert [e["actor"] for e in entries if e["action"] == "deposit.refund_refused"] == ["policy:desk_cancel"]
