"""End to end in Debian's Chromium (issue #12): the customer pays the deposit on the fake Moyasar's checkout, then
cancels from the booking page before the cutoff; the page says the refund is on its way; the payments job
refunds it; the page says it was refunded. Arabic and English.

Screenshots go to tmp_path; with SALON_UPDATE_SCREENSHOTS=1 to docs/screenshots/ (deposit-refund-{lang}.png).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from tests.cloud.deposit_world import owner_sets_deposit
from tests.cloud.test_links import booked_link, cloud_status, latest_code
from tests.e2e.moyasar_world import cloud_server, fake  # noqa: F401 - fixtures
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    start_cloud_server,
    sync_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SECRET = "browser-webhook-secret"
TEXTS = {
    "ar": {"on_its_way": "في طريقه إلى بطاقتك", "refunded": "تم استرداد عربونك"},
    "en": {"on_its_way": "is on its way to your card", "refunded": "was refunded to your card"},
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_customer_cancels_after_paying_and_reads_the_refund(
    lang: str, sync_world: SyncWorld, fake: FakeMoyasar, phone_page: Any, tmp_path: Path  # noqa: F811
) -> None:
    cloud = sync_world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    payments = cloud.app.state.payments
    payments.configure_account(sync_world.salon_id, secret_key=account.secret_key,
                               publishable_key=account.publishable_key, webhook_secret=SECRET, actor="test")
    owner_sets_deposit(sync_world, 5_000)  # the salon profile's "Deposit", from the owner's desk
    case = booked_link(sync_world)
    page, texts = phone_page, TEXTS[lang]
    page.goto(f"{case.url}?lang={lang}")
    page.click("#send-code")
    page.fill("#code", latest_code(cloud))
    page.click("#verify")
    page.click("#pay-deposit")
    page.fill("#card-number", "4201320111111010")
    page.click("#pay")
    page.click("#complete-3ds")
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200]
    payments.apply_pending()
    assert cloud_status(case) == "confirmed"

    page.goto(f"{case.url}?lang={lang}")
    page.click("#cancel")
    assert cloud_status(case) == "cancelled"
    assert texts["on_its_way"] in page.inner_text("#deposit-outcome")
    folder = DOCS_SCREENSHOTS if os.environ.get("SALON_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"deposit-refund-pending-{lang}.png"), full_page=True)

    assert payments.run_deposit_refunds() == 1
    assert payments.run_deposit_refunds() == 0
    page.goto(f"{case.url}?lang={lang}")
    assert texts["refunded"] in page.inner_text("#deposit-outcome")
    page.screenshot(path=str(folder / f"deposit-refund-{lang}.png"), full_page=True)
    assert case.desk.sync.sync_once().error is None
    assert case.desk.scalar("SELECT refunded_halalas FROM online_payment WHERE booking_id = :id",
                            id=case.booking_id) == 5_000


REFUSED = {
    "ar": ("تعذّر استرداد عربونك", "سيتواصل معك الصالون"),
    "en": ("could not be refunded to your card automatically", "The salon will contact you"),
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_refund_moyasar_refuses_reads_plainly_on_the_page(
    lang: str, sync_world: SyncWorld, fake: FakeMoyasar, phone_page: Any, tmp_path: Path  # noqa: F811
) -> None:
    """Moyasar refuses the policy's refund (audited, not retried): the page no longer says it is on its way,
    it says the salon will contact the customer (deposit-refund-refused-{lang}.png)."""
    cloud = sync_world.cloud
    account = fake.add_account(webhook_url=f"{cloud.base_url}/v1/webhooks/moyasar", webhook_secret=SECRET)
    payments = cloud.app.state.payments
    payments.configure_account(sync_world.salon_id, secret_key=account.secret_key,
                               publishable_key=account.publishable_key, webhook_secret=SECRET, actor="test")
    owner_sets_deposit(sync_world, 5_000)
    case = booked_link(sync_world)
    page = phone_page
    page.goto(f"{case.url}?lang={lang}")
    page.click("#send-code")
    page.fill("#code", latest_code(cloud))
    page.click("#verify")
    page.click("#pay-deposit")
    page.fill("#card-number", "4201320111111010")
    page.click("#pay")
    page.click("#complete-3ds")
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200]
    payments.apply_pending()
    page.goto(f"{case.url}?lang={lang}")
    page.click("#cancel")
    assert cloud_status(case) == "cancelled"

    [payment] = payments.payments_for_booking(sync_world.salon_id, case.booking_id)
    fake.fail_next(400, path=f"/v1/payments/{payment.id}/refund")
    assert payments.run_deposit_refunds() == 1
    assert payments.run_deposit_refunds() == 0
    page.goto(f"{case.url}?lang={lang}")
    outcome = page.inner_text("#deposit-outcome")
    assert all(part in outcome for part in REFUSED[lang]), outcome
    assert TEXTS[lang]["on_its_way"] not in outcome and TEXTS[lang]["refunded"] not in outcome
    folder = DOCS_SCREENSHOTS if os.environ.get("SALON_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"deposit-refund-refused-{lang}.png"), full_page=True)
