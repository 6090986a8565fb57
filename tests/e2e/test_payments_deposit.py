"""End to end in Debian's Chromium (issue #12): the booking SMS link → code → "Pay deposit" → the fake
Moyasar's hosted checkout (card, 3-D Secure) → back to the salon's own return page → webhook → the booking is
confirmed and paid, and the desk sees it by pull. Arabic and English.

Screenshots of the booking page with the pay button go to tmp_path; with SALON_UPDATE_SCREENSHOTS=1 to
docs/screenshots/ (deposit-page-ar.png / deposit-page-en.png).
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
    "ar": {"pay": "دفع العربون", "paid": "تم الدفع", "deposit_paid": "تم استلام عربون"},
    "en": {"pay": "Pay deposit", "paid": "Payment received", "deposit_paid": "Deposit of"},
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_customer_pays_the_deposit_in_a_browser(
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
    assert page.is_visible("#deposit-policy") and not page.is_visible("#pay-deposit")
    page.click("#send-code")
    page.fill("#code", latest_code(cloud))
    page.click("#verify")
    assert page.is_visible("#pay-deposit")
    assert texts["pay"] in page.locator("#pay-deposit").inner_text()
    folder = DOCS_SCREENSHOTS if os.environ.get("SALON_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"deposit-page-{lang}.png"), full_page=True)

    page.click("#pay-deposit")
    assert page.url.startswith(fake.base_url + "/checkout/invoices/")  # via our /p/{token}, never sent
    page.fill("#card-number", "4201320111111010")
    page.click("#pay")
    page.click("#complete-3ds")
    assert page.url.startswith(cloud.base_url + "/p/")  # the salon's own return page
    assert page.locator("#outcome").get_attribute("data-outcome") == "paid"
    assert texts["paid"] in page.inner_text("#outcome")

    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200]
    payments.apply_pending()
    assert cloud_status(case) == "confirmed"
    report = case.desk.sync.sync_once()
    assert report.error is None
    assert case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id) == "confirmed"
    assert payments.deposit_state(sync_world.salon_id, case.booking_id) == (5_000, True)
    page.goto(f"{case.url}?lang={lang}")
    assert texts["deposit_paid"] in page.inner_text("#deposit-paid")
