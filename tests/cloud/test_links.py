"""Customer links over a real uvicorn: token lifecycle, the OTP flow, the cancellation cutoff and refusals.

The cloud holds the demo salon (bootstrapped with import_desk); bookings are made on a desk with its real
use cases and pushed with its SyncEngine (tests/sync/conftest.py). The customer is an httpx client with
a cookie jar, reading codes from the console provider's `GET /v1/dev/messages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, text

from salon_desk.cloud.links.rows import CustomerLinkRow
from salon_desk.cloud.links.service import LINK_GRACE, issue_link
from salon_desk.cloud.links.sessions import COOKIE_NAME, SESSION_LIFETIME
from salon_desk.cloud.links.tokens import csrf_token, token_hash
from salon_desk.usecases.commands import TransitionBooking
from tests.sync.conftest import Desk, SyncWorld, free_booking, sync_world  # noqa: F401 - fixture

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class LinkCase:
    world: SyncWorld
    desk: Desk
    booking_id: str
    url: str

    @property
    def path(self) -> str:
        return "/b/" + self.url.rsplit("/b/", 1)[1]

    @property
    def cloud(self) -> Any:
        return self.world.cloud


def booked_link(world: SyncWorld, *, confirmed: bool = False, issue: bool = True) -> LinkCase:
    """A booking made on a desk, pushed to the cloud, and (issue=True) a link issued for it."""
    desk = world.desks[0] if world.desks else world.desk("Desk 1")
    cmd = free_booking(desk)
    booking_id = desk.service.bookings.create(
        type(cmd)(cmd.items, customer_id=cmd.customer_id, confirmed=confirmed)
    ).id
    report = desk.sync.sync_once()
    assert report.error is None, report
    url = new_link(world, booking_id) if issue else ""
    return LinkCase(world, desk, str(booking_id), url)


def new_link(world: SyncWorld, booking_id: str) -> str:
    cloud = world.cloud
    with cloud.db.session() as session:
        url = issue_link(session, world.salon_id, booking_id, cloud.clock.now(), base_url=cloud.base_url)
        session.commit()
    return url


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def latest_code(cloud: Any) -> str:
    messages = cloud.client().get("/v1/dev/messages").json()["messages"]
    codes = [m["code"] for m in messages if m["kind"] == "otp"]
    assert codes, messages
    return codes[0]


def server_state(case: LinkCase) -> tuple[Any, ...]:
    """The booking row, its items and the salon's change index: everything a refusal must leave alone."""
    with case.cloud.db.reader() as session:
        booking = session.execute(
            text("SELECT status, server_seq, updated_at FROM booking WHERE id = :id"), {"id": case.booking_id}
        ).one()
        items = session.execute(
            text("SELECT id, active, server_seq FROM booking_item WHERE booking_id = :id ORDER BY id"),
            {"id": case.booking_id},
        ).all()
        index = session.execute(text("SELECT entity, entity_id, seq FROM change_index ORDER BY seq")).all()
        counter = session.execute(text("SELECT last_seq FROM salon_sync")).scalar_one()
    return tuple(booking), tuple(items), tuple(index), counter


def cloud_status(case: LinkCase) -> str:
    with case.cloud.db.reader() as session:
        return session.execute(
            text("SELECT status FROM booking WHERE id = :id"), {"id": case.booking_id}
        ).scalar_one()


class Customer:
    """A phone browser: cookie jar, reads the form's CSRF token, posts like the page's forms do."""

    def __init__(self, case: LinkCase, lang: str = "en") -> None:
        self.case, self.lang = case, lang
        self.http = case.cloud.client(follow_redirects=True)
        self.page = self.open()

    def open(self, **params: str) -> httpx.Response:
        self.page = self.http.get(self.case.path, params={"lang": self.lang, **params})
        return self.page

    @property
    def csrf(self) -> str:
        """What the page's forms carry (computed, for pages that show no form, e.g. a checked-in booking)."""
        return csrf_token(self.http.cookies[COOKIE_NAME], self.case.path.rsplit("/", 1)[1])

    def post(self, action: str, **fields: str) -> httpx.Response:
        body = {"csrf": self.csrf, "lang": self.lang, **fields}
        self.page = self.http.post(f"{self.case.path}/{action}", data=body)
        return self.page

    def verified(self, action: str) -> httpx.Response:
        assert self.post("code").status_code == 200, self.page.text
        return self.post(action, code=latest_code(self.case.cloud))


@pytest.fixture
def case(sync_world: SyncWorld) -> LinkCase:  # noqa: F811
    return booked_link(sync_world)


# ---------------------------------------------------------------- tokens


def test_link_is_on_the_public_domain_and_only_the_hash_is_stored(case: LinkCase) -> None:
    assert case.url.startswith(case.cloud.base_url + "/b/")
    token = case.url.rsplit("/", 1)[1]
    assert len(token) == 65  # the salon (22 characters, issue #14), then the 43-character secret
    with case.cloud.db.reader() as session:
        rows = session.scalars(select(CustomerLinkRow)).all()
    assert [r.token_hash for r in rows] == [token_hash(token)]
    assert token.encode() not in b"".join(r.token_hash for r in rows)


def test_reissuing_gives_a_new_link_and_the_old_one_keeps_working(case: LinkCase) -> None:
    second = new_link(case.world, case.booking_id)
    assert second != case.url
    http = case.cloud.client()
    for url in (case.url, second):
        page = http.get("/b/" + url.rsplit("/b/", 1)[1], params={"lang": "en"})
        assert page.status_code == 200 and "Booking details" in page.text, (url, page.text[:300])


def test_unknown_forged_and_expired_links_get_one_generic_404(case: LinkCase) -> None:
    http = case.cloud.client()
    real = http.get(case.path, params={"lang": "en"})
    salon_name = "Lamsat Al-Jamal Salon"
    assert salon_name in real.text
    forged = case.path[:-4] + ("AAAA" if not case.path.endswith("AAAA") else "BBBB")
    answers = [http.get(p, params={"lang": "en"}) for p in (forged, "/b/short", "/b/" + "x" * 43)]
    case.cloud.clock.advance(LINK_GRACE.total_seconds() + 2 * 86400)  # past the appointment + grace
    answers.append(http.get(case.path, params={"lang": "en"}))
    bodies = {a.text for a in answers}
    assert {a.status_code for a in answers} == {404}
    assert len(bodies) == 1  # the same page whatever the reason
    assert salon_name not in answers[0].text and "This link is not valid or has expired." in answers[0].text
    assert answers[0].headers["cache-control"] == "no-store"


def test_issue_link_refuses_an_unknown_booking(sync_world: SyncWorld) -> None:  # noqa: F811
    with sync_world.cloud.db.session() as session, pytest.raises(LookupError):
        issue_link(
            session, sync_world.salon_id, "00000000-0000-7000-8000-000000000000", sync_world.cloud.clock.now()
        )


# ---------------------------------------------------------------- the page


def test_page_shows_the_booking_in_the_salon_time_zone_in_both_languages(case: LinkCase) -> None:
    english = Customer(case, "en").page
    arabic = Customer(case, "ar").page
    assert english.status_code == arabic.status_code == 200
    assert 'lang="en" dir="ltr"' in english.text and 'lang="ar" dir="rtl"' in arabic.text
    start = datetime.fromisoformat(
        case.desk.scalar("SELECT starts_at FROM booking WHERE id = :id", id=case.booking_id)
    ).replace(tzinfo=UTC)
    local = start.astimezone(ZoneInfo("Asia/Riyadh"))  # UTC+3: the page shows the salon's wall clock
    assert local.hour != start.hour
    assert (
        f"{local.hour % 12 or 12}:{local.minute:02d} {'PM' if local.hour >= 12 else 'AM'}"
        in english.text.replace("\u202f", " ")
    )
    assert "Thursday, November 26, 2026" in english.text and "الخميس، 26 نوفمبر 2026" in arabic.text
    assert "16 Jumada al-Akhirah 1448 AH" in english.text and "16 جمادى الآخرة 1448 هـ" in arabic.text
    assert "Requested" in english.text and "بانتظار التأكيد" in arabic.text
    assert "صالون لمسة الجمال" in arabic.text and "تأكيد الموعد" not in arabic.text  # no code yet
    assert "<link" not in english.text and "<script" not in english.text  # no external assets
    phone = case.desk.scalar(
        "SELECT phone FROM customer WHERE id = (SELECT customer_id FROM booking WHERE id = :id)",
        id=case.booking_id,
    )
    national = "0" + phone[4:]
    assert national not in english.text.replace(" ", "") and phone not in english.text
    assert national[-2:] in english.text and "•" in english.text  # masked


def test_a_crafted_done_parameter_claims_nothing(case: LinkCase) -> None:
    http = case.cloud.client()
    for done in ("confirmed", "cancelled", "code_sent"):
        page = http.get(case.path, params={"lang": "en", "done": done})
        assert page.status_code == 200 and 'class="notice' not in page.text


# ---------------------------------------------------------------- OTP flow


def test_code_then_confirm_reaches_the_desk(case: LinkCase) -> None:
    customer = Customer(case)
    sent = customer.post("code")
    assert sent.status_code == 200 and "A verification code was sent to" in sent.text
    assert 'name="code"' in sent.text and "Confirm appointment" in sent.text
    assert str(sent.url) == f"{case.url}?lang=en&done=code_sent"  # Post/Redirect/Get: a reload never re-posts
    done = customer.post("confirm", code=latest_code(case.cloud))
    assert done.status_code == 200, done.text
    assert "The appointment is confirmed." in done.text and done.history[0].status_code == 303
    assert cloud_status(case) == "confirmed"
    report = case.desk.sync.sync_once()
    assert report.error is None
    assert case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id) == "confirmed"


def test_wrong_code_is_refused_with_attempts_left_and_nothing_changes(case: LinkCase) -> None:
    customer = Customer(case)
    customer.post("code")
    before = server_state(case)
    real = latest_code(case.cloud)
    wrong = "000000" if real != "000000" else "111111"
    answer = customer.post("confirm", code=wrong)
    assert answer.status_code == 400 and "Attempts left" in answer.text
    assert server_state(case) == before


def test_brute_force_locks_the_code_and_code_requests_are_rate_limited(case: LinkCase) -> None:
    customer = Customer(case)
    customer.post("code")
    real = latest_code(case.cloud)
    wrong = "000000" if real != "000000" else "111111"
    answers = [customer.post("confirm", code=wrong).status_code for _ in range(5)]
    assert answers[-1] == 403 and "Too many wrong codes" in customer.page.text
    assert customer.post("confirm", code=real).status_code == 403  # the right code no longer helps
    again = customer.post("code")  # inside the cooldown
    assert again.status_code == 429 and int(again.headers["retry-after"]) > 0
    assert cloud_status(case) == "requested"


def test_a_used_code_cannot_be_replayed_from_another_browser(case: LinkCase) -> None:
    first = Customer(case)
    first.verified("confirm")
    assert cloud_status(case) == "confirmed"
    second = Customer(case)
    answer = second.post("cancel", code=latest_code(case.cloud))
    assert answer.status_code == 400 and "Please ask for a verification code first." in answer.text
    assert cloud_status(case) == "confirmed"


def test_an_expired_code_is_refused(case: LinkCase) -> None:
    customer = Customer(case)
    customer.post("code")
    case.cloud.clock.advance(case.cloud.settings.otp_ttl_seconds + 1)
    answer = customer.post("confirm", code=latest_code(case.cloud))
    assert answer.status_code == 410 and "expired" in answer.text
    assert cloud_status(case) == "requested"


def test_a_browser_whose_session_expired_can_ask_for_a_new_code(case: LinkCase) -> None:
    customer = Customer(case)
    customer.post("code")
    case.cloud.clock.advance(SESSION_LIFETIME.total_seconds() + 1)  # the cookie outlives the server session
    assert 'id="send-code"' in customer.open().text
    again = customer.post("code")
    assert again.status_code == 200 and "A verification code was sent" in again.text
    assert customer.post("confirm", code=latest_code(case.cloud)).status_code == 200
    assert cloud_status(case) == "confirmed"


def test_forms_need_the_page_csrf_token(case: LinkCase) -> None:
    customer = Customer(case)
    before = server_state(case)
    forged = customer.http.post(f"{case.path}/code", data={"csrf": "0" * 64, "lang": "en"})
    assert forged.status_code == 403 and "This page has expired" in forged.text
    cookieless = case.cloud.client().post(f"{case.path}/confirm", data={"csrf": csrf_of(customer.page)})
    assert cookieless.status_code == 403
    assert server_state(case) == before
    assert case.cloud.client().get("/v1/dev/messages").json()["messages"] == []  # no code was sent


# ---------------------------------------------------------------- cancel, cutoff, refusals


def test_cancel_before_the_cutoff_reaches_the_desk(case: LinkCase) -> None:
    customer = Customer(case)
    answer = customer.verified("cancel")
    assert answer.status_code == 200 and "The booking is cancelled." in answer.text
    assert cloud_status(case) == "cancelled"
    case.desk.sync.sync_once()
    assert case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id) == "cancelled"


def test_cancel_after_the_cutoff_is_refused_with_guidance(case: LinkCase) -> None:
    start = datetime.fromisoformat(
        case.desk.scalar("SELECT starts_at FROM booking WHERE id = :id", id=case.booking_id)
    ).replace(tzinfo=UTC)
    customer = Customer(case)
    customer.post("code")
    code = latest_code(case.cloud)
    # The demo salon's cutoff is 120 minutes: 90 minutes before the start is too late to cancel online.
    case.cloud.clock.advance((start - timedelta(minutes=90) - case.cloud.clock.now()).total_seconds())
    customer = Customer(case)  # a fresh page and code, inside the cutoff
    customer.post("code")
    code = latest_code(case.cloud)
    before = server_state(case)
    answer = customer.post("cancel", code=code)
    assert answer.status_code == 409
    assert "Online cancellation is no longer possible" in answer.text and "2 hours" in answer.text
    assert "contact the salon" in answer.text
    assert server_state(case) == before
    page = customer.open().text
    assert "Online cancellation is closed" in page and 'id="cancel"' not in page and 'id="confirm"' in page


def test_confirm_after_cancel_and_cancel_after_check_in_are_refused(case: LinkCase) -> None:
    customer = Customer(case)
    assert customer.csrf == csrf_of(customer.page)
    csrf = customer.csrf
    customer.verified("cancel")
    assert 'id="send-code"' not in customer.page.text and "contact the salon" not in customer.page.text
    before = server_state(case)
    refused = customer.http.post(f"{case.path}/confirm", data={"csrf": csrf, "lang": "en"})  # still verified
    assert refused.status_code == 409 and "cannot be confirmed" in refused.text
    assert server_state(case) == before

    case.cloud.clock.advance(case.cloud.settings.otp_cooldown_seconds)  # the demo customer asks again
    other = booked_link(case.world, confirmed=True)
    shopper = Customer(other)
    shopper.post("code")
    code = latest_code(other.cloud)
    other.desk.service.bookings.transition(TransitionBooking(other.booking_id, "checked_in"))
    other.desk.sync.sync_once()  # the customer arrived while the page was open
    before = server_state(other)
    answer = shopper.post("cancel", code=code)
    assert answer.status_code == 409 and "cannot be cancelled here" in answer.text
    assert server_state(other) == before
    assert 'id="send-code"' not in shopper.open().text  # nothing left to do on a checked-in booking
    sent = len(other.cloud.client().get("/v1/dev/messages").json()["messages"])
    assert shopper.post("code").status_code == 409
    assert len(other.cloud.client().get("/v1/dev/messages").json()["messages"]) == sent  # no SMS spent


def test_customer_cancel_races_a_desk_offline_check_in(case: LinkCase) -> None:
    """specs/sync.md §3.16: the desk's later check-in becomes a transition_refused card, not an overwrite."""
    case.desk.service.bookings.transition(TransitionBooking(case.booking_id, "confirmed"))
    case.desk.sync.sync_once()
    case.desk.service.bookings.transition(TransitionBooking(case.booking_id, "checked_in"))  # offline
    Customer(case).verified("cancel")
    report = case.desk.sync.sync_once()
    assert report.error is None
    assert cloud_status(case) == "cancelled"
    assert case.desk.scalar("SELECT status FROM booking WHERE id = :id", id=case.booking_id) == "cancelled"
    kinds = case.desk.rows("SELECT kind FROM sync_conflict WHERE entity_id = :id", id=case.booking_id)
    assert [k[0] for k in kinds] == ["transition_refused"]
