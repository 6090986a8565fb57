"""A deposit from the booking page (issue #12): a booking made on a real desk and pushed; the customer opens the
SMS link, verifies the code, reads the policy, pays on the fake Moyasar; the webhook and the job confirm the
booking and the desk sees it by pull."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.keys import new_master_key
from tests.cloud.deposit_world import owner_sets_deposit
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture

from .conftest import CloudServer, StartCloudServer
from .test_links import Customer, booked_link, cloud_status, latest_code

SECRET = "deposit-webhook-secret"


@pytest.fixture
def fake() -> Iterator[FakeMoyasar]:
    moyasar = FakeMoyasar().start()
    moyasar.hold_webhooks()
    yield moyasar
    moyasar.stop()


@pytest.fixture
def cloud_server(start_cloud_server: StartCloudServer, fake: FakeMoyasar) -> CloudServer:
    return start_cloud_server(moyasar_base_url=fake.api_url, payments_key=new_master_key())


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_paid_deposit_confirms_the_booking_on_every_desk(
    sync_world: SyncWorld, fake: FakeMoyasar, lang: str  # noqa: F811
) -> None:
    cloud = sync_world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    payments = cloud.app.state.payments
    payments.configure_account(sync_world.salon_id, secret_key=account.secret_key,
                               publishable_key=account.publishable_key, webhook_secret=SECRET, actor="test")
    owner_sets_deposit(sync_world, 5_000)  # the salon profile's "Deposit", from the owner's desk
    case = booked_link(sync_world)
    customer = Customer(case, lang)
    page = customer.page
    assert 'id="deposit-policy"' in page.text and 'id="pay-deposit"' not in page.text
    assert 'id="confirm"' not in page.text  # the deposit confirms this booking, not the button
    customer.post("code")
    page = customer.post("verify", code=latest_code(cloud))
    assert page.status_code == 200 and 'id="pay-deposit"' in page.text, page.text[-2000:]
    href = re.search(r'id="pay-deposit" href="([^"]+)"', page.text)
    assert href is not None
    ours = customer.http.get(href.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert ours.status_code == 303 and ours.headers["location"].startswith("/p/")
    hosted = customer.http.get(ours.headers["location"], follow_redirects=False)
    assert hosted.headers["location"].startswith(fake.base_url + "/checkout/invoices/")
    invoice_id = hosted.headers["location"].split("/checkout/invoices/")[1].split("?")[0]
    assert fake.invoice(invoice_id)["amount"] == 5_000
    fake.pay_invoice(invoice_id)
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200]
    assert cloud_status(case) == "requested"  # stored, not yet applied: the webhook answered at once
    payments.apply_pending()
    assert cloud_status(case) == "confirmed"
    report = case.desk.sync.sync_once()
    assert report.error is None
    status = case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id)
    assert status == "confirmed"
    again = customer.open()
    assert 'id="deposit-paid"' in again.text
