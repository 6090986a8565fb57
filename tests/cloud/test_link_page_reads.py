"""The customer page is a read (issue #14, booking page p99): looking at it writes nothing, and the browser's
cookie is proved by the server's MAC instead of a row made per view — with every property the row gave.

Real uvicorn on SQLite and PostgreSQL (tests/sync/conftest.py), a real browser-like httpx client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from salon_desk.cloud.links.rows import CustomerLinkRow
from salon_desk.cloud.links.sessions import (
    COOKIE_NAME,
    SESSION_LIFETIME,
    STALE_AFTER,
    cookie_key,
    new_secret,
    signed_for,
)
from salon_desk.cloud.links.tokens import csrf_token
from salon_desk.domain.ids import new_id
from tests.cloud.test_links import Customer, booked_link, latest_code
from tests.engine_log import EngineLog
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture


def sessions(world: SyncWorld) -> int:
    with world.cloud.db.reader() as session:
        return int(session.execute(text("SELECT count(*) FROM customer_link_session")).scalar_one())


def test_viewing_the_page_writes_nothing(sync_world: SyncWorld) -> None:  # noqa: F811
    case = booked_link(sync_world)
    before = sessions(sync_world)
    with EngineLog(sync_world.cloud.db.engine) as log:
        first = case.cloud.client().get(case.path, params={"lang": "en"})  # a new browser
        again = case.cloud.client(cookies={COOKIE_NAME: first.cookies[COOKIE_NAME]}).get(case.path)
    assert first.status_code == again.status_code == 200
    assert log.writes() == [] and sessions(sync_world) == before
    assert COOKIE_NAME not in again.cookies  # the issued cookie is recognised: no new one


def test_the_issued_cookie_works_and_its_first_code_makes_the_session(sync_world: SyncWorld) -> None:  # noqa: F811
    case = booked_link(sync_world)
    customer = Customer(case)
    before = sessions(sync_world)
    assert customer.post("code").status_code == 200 and sessions(sync_world) == before + 1
    assert customer.post("confirm", code=latest_code(case.cloud)).status_code == 200
    assert "The appointment is confirmed." in customer.page.text


def test_a_cookie_issued_for_another_link_or_altered_is_no_session(sync_world: SyncWorld) -> None:  # noqa: F811
    one, other = booked_link(sync_world), booked_link(sync_world)
    theirs = other.cloud.client().get(other.path).cookies[COOKIE_NAME]
    random_part, issued_at, mac = theirs.split(".")
    token = one.path.rsplit("/", 1)[1]
    for planted in (theirs, f"{random_part}x.{issued_at}.{mac}", f"{random_part}.{int(issued_at, 16) + 1:x}.{mac}"):
        http = one.cloud.client(cookies={COOKIE_NAME: planted})
        page = http.get(one.path, params={"lang": "en"})
        assert page.cookies.get(COOKIE_NAME) not in (None, planted)  # replaced by a fresh one
        forged = one.cloud.client(cookies={COOKIE_NAME: planted}).post(
            f"{one.path}/code", data={"csrf": csrf_token(planted, token), "lang": "en"}
        )
        assert forged.status_code == 403 and "This page has expired" in forged.text
    assert one.cloud.client().get("/v1/dev/messages").json()["messages"] == []  # no code was sent


def test_a_cookie_is_issued_for_one_link_and_a_bounded_time() -> None:
    link = CustomerLinkRow(salon_id=new_id(), id=new_id(), booking_id=new_id())
    key, now = cookie_key(b"k" * 32), datetime(2026, 3, 1, 9, tzinfo=UTC)
    secret = new_secret(key, link, now)
    window = SESSION_LIFETIME + STALE_AFTER
    assert signed_for(key, link, secret, now) and signed_for(key, link, secret, now + window - timedelta(seconds=1))
    assert not signed_for(key, link, secret, now + window)  # as a row would be forgotten by then
    assert not signed_for(key, link, secret, now - timedelta(seconds=1))  # not from the future
    assert not signed_for(cookie_key(b"other key" * 4), link, secret, now)
    other = CustomerLinkRow(salon_id=link.salon_id, id=new_id(), booking_id=link.booking_id)
    assert not signed_for(key, other, secret, now)
    assert not signed_for(key, link, "no dots at all", now) and not signed_for(key, link, "a.zz-not-hex.b", now)
