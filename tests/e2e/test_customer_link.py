"""End to end in a real browser: a desk books and pushes, the customer opens the SMS link on a phone-sized
Chromium, asks for a code, types it and confirms; the desk pulls and sees `confirmed`. Arabic and English.

Screenshots go to tmp_path; with SALON_UPDATE_SCREENSHOTS=1 they are written to docs/screenshots/
(customer-page-ar.png / customer-page-en.png) for the documentation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.test_links import LinkCase, booked_link, latest_code
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TEXTS = {
    "ar": {"sent": "تم إرسال رمز التحقق", "done": "تم تأكيد الموعد", "status": "مؤكد", "switch": "English"},
    "en": {
        "sent": "A verification code was sent",
        "done": "The appointment is confirmed",
        "status": "Confirmed",
        "switch": "العربية",
    },
}


def screenshot_path(tmp_path: Path, lang: str) -> Path:
    folder = DOCS_SCREENSHOTS if os.environ.get("SALON_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"customer-page-{lang}.png"


def assert_reading_order(page: Any, lang: str) -> None:
    """Measured in the browser: the masked phone reads left to right in both languages, and the start
    time comes first in the reading direction (right of the end time in Arabic)."""
    phone = page.evaluate(
        """() => { const t = document.querySelector('.notice bdi').firstChild, r = document.createRange();
        const x = i => { r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().x; };
        return [t.data, x(0), x(t.data.length - 1)]; }"""
    )
    assert phone[0].startswith("05") and phone[1] < phone[2], phone
    start, end = (box["x"] for box in (b.bounding_box() for b in page.locator("dd bdi").all()[:2]))
    assert (start > end) if lang == "ar" else (start < end)


def link_from_the_booking_sms(case: LinkCase) -> str:
    """The link as the customer gets it: the notification worker composes the booking-created SMS (calling
    issue_link) and the console provider logs it; read back from GET /v1/dev/messages."""
    from salon_desk.cloud.notify.runtime import build_worker
    from salon_desk.cloud.notify.settings import NotifySettings

    cloud = case.cloud
    settings = cloud.settings.model_copy(update={"public_base_url": cloud.base_url})
    worker = build_worker(cloud.db, cloud.services.sender, cloud.clock, settings, NotifySettings())
    worker.run_until_idle()
    messages = cloud.client().get("/v1/dev/messages").json()["messages"]
    links = [link for m in messages if m["kind"] == "text" for link in m["links"] if "/b/" in link]
    assert len(links) == 1, messages
    return links[0]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_customer_confirms_by_link_and_code(
    lang: str,
    sync_world: SyncWorld,  # noqa: F811
    phone_page: Any,
    tmp_path: Path,
) -> None:
    case = booked_link(sync_world, issue=lang == "en")
    if lang == "ar":  # Arabic: the link from the real booking SMS; English: issue_link called directly
        case.url = link_from_the_booking_sms(case)
    assert case.url.startswith(case.cloud.base_url + "/b/")
    page, texts = phone_page, TEXTS[lang]
    page.goto(case.url + "?lang=ar")  # the demo customer prefers Arabic; English is one tap away
    if lang == "en":
        page.click("header a")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("header a").inner_text() == texts["switch"]

    page.click("#send-code")
    assert texts["sent"] in page.locator(".notice").inner_text()
    assert page.is_visible("#code") and page.is_visible("#confirm") and page.is_visible("#cancel")
    assert page.url == f"{case.url}?lang={lang}&done=code_sent"  # nothing about the customer or the code
    page.screenshot(path=str(screenshot_path(tmp_path, lang)), full_page=True)
    assert_reading_order(page, lang)

    code = latest_code(case.cloud)
    page.fill("#code", code)
    page.click("#confirm")
    assert page.url == f"{case.url}?lang={lang}&done=confirmed"
    assert texts["done"] in page.locator(".notice").inner_text()
    assert page.locator(".status").inner_text() == texts["status"]
    assert not page.is_visible("#confirm")  # confirmed: only cancel is left

    report = case.desk.sync.sync_once()
    assert report.error is None
    assert case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id) == "confirmed"


def test_a_forged_link_shows_the_generic_page(sync_world: SyncWorld, phone_page: Any) -> None:  # noqa: F811
    case = booked_link(sync_world)
    phone_page.set_extra_http_headers({"Accept-Language": "ar-SA,ar;q=0.9"})  # the phone's language
    response = phone_page.goto(case.cloud.base_url + "/b/" + "A" * 43)
    assert response.status == 404
    assert "هذا الرابط غير صالح أو انتهت صلاحيته." in phone_page.inner_text("body")
    assert "لمسة الجمال" not in phone_page.inner_text("body")  # not even the salon's name
