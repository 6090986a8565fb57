"""Phone verification codes through the real server: lifecycle, limits with exact Retry-After, messages,
and the abuse controls of issue 8 (finding 7): codes go only to phones behind a live booking link, any
other phone gets the same answer for the same work, verify is limited and never hashes for nothing.

Public sends are queued after the answer: `sent(server)` waits for the queue before reading messages.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from salon_desk.cloud.otp.rows import OtpRequestRow
from tests.cloud.otp_world import give_link

PHONE = "0551234567"
E164 = "+966551234567"
STRANGER = "0569876543"  # a valid mobile with no booking anywhere
STRANGER_E164 = "+966569876543"


def request_code(http, phone=PHONE, **headers):  # type: ignore[no-untyped-def]
    return http.post("/v1/otp/request", json={"phone_number": phone, "channel": "sms"}, headers=headers)


def sent(server: Any, phone: str | None = None) -> list[dict[str, Any]]:
    assert server.services.otp.wait_idle()
    params = {"phone": phone} if phone else {}
    return server.client().get("/v1/dev/messages", params=params).json()["messages"]


def last_code(server: Any, phone: str = E164) -> str:
    return sent(server, phone)[0]["code"]


def verify(http, request_id: str, code: str, **headers):  # type: ignore[no-untyped-def]
    return http.post("/v1/otp/verify", json={"request_id": request_id, "code": code}, headers=headers)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def metric(server: Any, name: str) -> float:
    text = server.client().get("/metrics").text
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def linked_server(start_cloud_server):  # type: ignore[no-untyped-def]
    """A server where PHONE belongs to a customer with a live booking link."""

    def start(**overrides: Any) -> Any:
        server = start_cloud_server(**overrides)
        give_link(server, E164)
        return server

    return start


@pytest.fixture
def cloud_server(linked_server):  # type: ignore[no-untyped-def]
    return linked_server()


# ---------------------------------------------------------------- lifecycle


def test_a_code_is_sent_verified_once_and_then_refused(cloud_server):
    http = cloud_server.client()
    answer = request_code(http, phone="+966 55 123 4567")
    assert answer.status_code == 201
    request_id = answer.json()["request_id"]
    assert answer.json()["expires_at"] == "2025-03-01T07:05:00Z"  # SALON_OTP_TTL_SECONDS default 300

    message = sent(cloud_server)[0]
    assert message["phone_number"] == E164 and message["kind"] == "otp" and message["channel"] == "sms"
    assert len(message["code"]) == 6 and message["code"] in message["text"]

    verified = verify(http, request_id, message["code"])
    assert verified.status_code == 200
    assert verified.json() == {"verified": True, "phone_number": E164}
    used = verify(http, request_id, message["code"])
    assert used.status_code == 409 and used.json()["code"] == "otp.used"


def test_the_code_is_stored_only_as_a_hash(cloud_server):
    http = cloud_server.client()
    request_id = request_code(http).json()["request_id"]
    code = last_code(cloud_server)
    with cloud_server.db.reader() as session:
        row = session.get(OtpRequestRow, request_id)
    assert row.code_hash != code.encode() and code.encode() not in row.code_hash
    assert row.phone_e164 == E164 and row.ip == "127.0.0.1" and row.provider == "console"
    assert not row.withheld and row.salon_id is not None and row.link_id is None


def test_arabic_digits_are_accepted_for_phone_and_code(cloud_server):
    http = cloud_server.client()
    request_id = request_code(http, phone="٠٥٥١٢٣٤٥٦٧").json()["request_id"]
    code = last_code(cloud_server)
    arabic_code = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    assert verify(http, request_id, arabic_code).json()["phone_number"] == E164


def test_a_wrong_code_says_how_many_attempts_remain(cloud_server):
    http = cloud_server.client()
    request_id = request_code(http).json()["request_id"]
    answer = verify(http, request_id, wrong(last_code(cloud_server)), **{"Accept-Language": "en"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "otp.invalid_code"
    assert answer.json()["params"] == {"remaining_attempts": 4}
    assert "4" in answer.json()["detail"]


def test_brute_force_stops_after_the_maximum_attempts_even_for_the_right_code(linked_server):
    server = linked_server(otp_max_attempts=3)
    http = server.client()
    request_id = request_code(http).json()["request_id"]
    code = last_code(server)
    answers = [verify(http, request_id, wrong(code)) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 403]
    assert [a.json()["params"].get("remaining_attempts") for a in answers[:2]] == [2, 1]
    assert answers[2].json()["code"] == "otp.too_many_attempts"
    locked = verify(http, request_id, code)
    assert locked.status_code == 403 and locked.json()["code"] == "otp.too_many_attempts"
    with server.db.reader() as session:
        assert session.get(OtpRequestRow, request_id).consumed_at is None


def test_a_code_expires_after_the_configured_ttl(linked_server):
    server = linked_server(otp_ttl_seconds=120)
    http = server.client()
    request_id = request_code(http).json()["request_id"]
    code = last_code(server)
    server.clock.advance(120)
    answer = verify(http, request_id, code)
    assert answer.status_code == 410 and answer.json()["code"] == "otp.expired"


# ---------------------------------------------------------------- limits


def test_resend_cooldown_answers_the_exact_seconds_left(linked_server):
    server = linked_server(otp_cooldown_seconds=60, otp_max_per_window=10)
    http = server.client()
    assert request_code(http).status_code == 201
    server.clock.advance(20)
    refused = request_code(http)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "40"
    assert refused.json()["code"] == "otp.cooldown" and refused.json()["params"] == {"seconds": 40}
    server.clock.advance(39)
    assert request_code(http).headers["Retry-After"] == "1"
    server.clock.advance(1)
    assert request_code(http).status_code == 201
    assert request_code(http, phone="0561234567").status_code == 201  # another phone is not held


def test_window_limit_answers_when_the_oldest_request_leaves_the_window(linked_server):
    server = linked_server(otp_cooldown_seconds=60, otp_window_seconds=600, otp_max_per_window=3)
    http = server.client()
    for _ in range(3):
        assert request_code(http).status_code == 201
        server.clock.advance(60)
    # Requests at t0, t0+60, t0+120; now t0+180: the next one passes at t0+600.
    refused = request_code(http)
    assert refused.status_code == 429
    assert refused.json()["code"] == "otp.too_many_requests"
    assert refused.headers["Retry-After"] == "420"
    server.clock.advance(419)
    assert request_code(http).headers["Retry-After"] == "1"
    server.clock.advance(1)
    assert request_code(http).status_code == 201
    # Now t0+600 with requests at t0+60, +120, +600: both the cooldown and the window lift at t0+660.
    server.clock.advance(59)
    assert request_code(http).headers["Retry-After"] == "1"
    server.clock.advance(1)
    assert request_code(http).status_code == 201


def test_one_address_asking_for_many_phones_is_throttled(linked_server):
    server = linked_server(otp_max_per_window=2, otp_window_seconds=600)  # 20 per address per window
    http = server.client()
    for n in range(20):
        assert request_code(http, phone=f"05500000{n:02d}").status_code == 201
    refused = request_code(http, phone="0559999999")
    assert refused.status_code == 429
    assert refused.json()["code"] == "otp.ip_throttled"
    assert refused.headers["Retry-After"] == "600"
    assert [m["phone_number"] for m in sent(server)] == []  # none of those phones has a booking


def test_refused_requests_change_nothing(linked_server):
    server = linked_server(otp_cooldown_seconds=60)
    http = server.client()
    request_code(http)
    assert request_code(http).status_code == 429
    assert request_code(http, phone="0521234567").status_code == 422  # 052 is not a mobile prefix
    assert http.post("/v1/otp/request", json={"phone_number": PHONE, "channel": "fax"}).status_code == 422
    with server.db.reader() as session:
        assert len(session.scalars(select(OtpRequestRow)).all()) == 1
    assert len(sent(server)) == 1


def test_messages_follow_accept_language(linked_server):
    server = linked_server(otp_cooldown_seconds=60)
    http = server.client()
    request_code(http)
    server.clock.advance(20)
    english = request_code(http, **{"Accept-Language": "en-US,en;q=0.9,ar;q=0.5"}).json()["detail"]
    arabic = request_code(http, **{"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.8"}).json()["detail"]
    default = request_code(http).json()["detail"]
    assert english == "A new code can be sent in \u206840 seconds\u2069."
    assert arabic == "يمكن إرسال رمز جديد بعد \u206840 ثانية\u2069."
    assert default == arabic

    invalid = request_code(http, phone="12", **{"Accept-Language": "en"}).json()
    assert invalid["code"] == "phone.invalid" and invalid["detail"].startswith(
        "This is not a valid mobile number"
    )
    unknown = verify(http, "not-a-uuid", "1", **{"Accept-Language": "ar"}).json()  # like a wrong code
    assert unknown["code"] == "otp.invalid_code" and unknown["detail"].startswith("الرمز غير صحيح.")


def test_whatsapp_is_a_channel(cloud_server):
    http = cloud_server.client()
    answer = http.post("/v1/otp/request", json={"phone_number": PHONE, "channel": "whatsapp"})
    assert answer.status_code == 201
    assert sent(cloud_server)[0]["channel"] == "whatsapp"


def test_simultaneous_requests_for_one_phone_pass_the_cooldown_once(linked_server):
    from concurrent.futures import ThreadPoolExecutor

    server = linked_server(otp_cooldown_seconds=60)

    def ask(_n: int) -> int:
        with server.client() as http:
            return request_code(http).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(ask, range(6)))
    assert statuses == [201, 429, 429, 429, 429, 429]


# ---------------------------------------------------------------- abuse (issue 8, finding 7)


def test_a_phone_without_a_live_link_gets_the_same_answer_and_no_sms(cloud_server):
    http = cloud_server.client()
    linked = request_code(http, **{"Accept-Language": "en"})
    stranger = request_code(http, phone=STRANGER, **{"Accept-Language": "en"})
    assert linked.status_code == stranger.status_code == 201
    assert set(linked.json()) == set(stranger.json()) == {"request_id", "expires_at"}
    assert linked.json()["expires_at"] == stranger.json()["expires_at"]
    assert sorted(linked.headers) == sorted(stranger.headers)
    assert [m["phone_number"] for m in sent(cloud_server)] == [E164]
    with cloud_server.db.reader() as session:
        row = session.get(OtpRequestRow, stranger.json()["request_id"])
    assert row.withheld and row.salon_id is None
    text = cloud_server.client().get("/metrics").text
    assert 'salon_otp_requests_total{channel="sms",outcome="withheld"} 1.0' in text
    assert 'salon_otp_requests_total{channel="sms",outcome="sent"} 1.0' in text


def test_a_cancelled_or_past_booking_is_no_reason_to_message(start_cloud_server):
    server = start_cloud_server()
    give_link(server, "+966561111111", status="cancelled")
    give_link(server, "+966562222222", days=-3)  # ended three days ago: its link is dead
    http = server.client()
    assert request_code(http, phone="0561111111").status_code == 201
    assert request_code(http, phone="0562222222").status_code == 201
    assert sent(server) == []


@contextmanager
def statements(server: Any) -> Iterator[list[str]]:
    """The SQL the request threads run (the delivery queue's threads excluded), parameters aside."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if not threading.current_thread().name.startswith("otp-send"):
            seen.append(statement)

    event.listen(server.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(server.db.engine, "before_cursor_execute", record)


def test_the_answer_costs_the_same_work_for_any_phone(cloud_server):
    """Timing cannot tell a customer's phone from any other: the request thread runs the same SQL and the
    same number of scrypt hashes, and the provider is called only after the answer (queued)."""
    http = cloud_server.client()
    cloud_server.services.otp.wait_idle()
    work = []
    for phone in (PHONE, STRANGER):
        hashes = metric(cloud_server, 'salon_otp_hashes_total{operation="issue"}')
        with statements(cloud_server) as seen:
            assert request_code(http, phone=phone).status_code == 201
            cloud_server.services.otp.wait_idle()
        work.append((seen, metric(cloud_server, 'salon_otp_hashes_total{operation="issue"}') - hashes))
    linked, stranger = work
    assert linked[1] == stranger[1] == 1.0
    assert linked[0] == stranger[0] and len(linked[0]) > 3
    assert [m["phone_number"] for m in sent(cloud_server)] == [E164]


def test_a_refused_request_costs_no_scrypt(linked_server):
    server = linked_server(otp_cooldown_seconds=60)
    http = server.client()
    assert request_code(http).status_code == 201
    before = metric(server, 'salon_otp_hashes_total{operation="issue"}')
    assert [request_code(http).status_code for _ in range(5)] == [429] * 5
    assert metric(server, 'salon_otp_hashes_total{operation="issue"}') == before == 1.0
    assert metric(server, 'salon_otp_limited_total{limit="phone_cooldown"}') == 5.0


def test_an_unknown_request_answers_exactly_like_a_wrong_code_without_hashing(linked_server):
    server = linked_server(otp_max_attempts=3)
    http = server.client()
    real_id = request_code(http, **{"Accept-Language": "en"}).json()["request_id"]
    code = last_code(server)
    unknown_id = "01955081-3580-70ff-839c-08361817723f"
    real = [verify(http, real_id, wrong(code), **{"Accept-Language": "en"}) for _ in range(4)]
    before = metric(server, 'salon_otp_hashes_total{operation="verify"}')
    unknown = [verify(http, unknown_id, "123456", **{"Accept-Language": "en"}) for _ in range(4)]
    garbage = verify(http, "not-a-uuid", "123456", **{"Accept-Language": "en"})
    assert metric(server, 'salon_otp_hashes_total{operation="verify"}') == before == 3.0  # 3 real tries
    assert [(a.status_code, a.json()) for a in unknown] == [(a.status_code, a.json()) for a in real]
    assert [a.status_code for a in unknown] == [400, 400, 403, 403]
    assert garbage.status_code == 400 and garbage.json()["params"] == {"remaining_attempts": 2}


def test_a_withheld_request_never_verifies(start_cloud_server):
    server = start_cloud_server(otp_max_attempts=3)
    http = server.client()
    request_id = request_code(http, phone=STRANGER).json()["request_id"]
    answers = [verify(http, request_id, f"{n:06d}") for n in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 403, 403]
    assert metric(server, 'salon_otp_verifications_total{outcome="verified"}') == 0.0


def test_verification_is_limited_per_address(linked_server):
    server = linked_server(otp_verify_max_per_ip=4, otp_window_seconds=600)
    http = server.client()
    answers = [verify(http, f"01955081-3580-70ff-839c-0836181772{n:02d}", "123456") for n in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert (
        answers[-1].json()["code"] == "otp.verify_throttled" and answers[-1].headers["Retry-After"] == "600"
    )
    hashes = metric(server, 'salon_otp_hashes_total{operation="verify"}')
    assert hashes == 0.0
    assert metric(server, 'salon_otp_limited_total{limit="verify_ip"}') == 1.0


def test_the_public_endpoint_spends_only_part_of_a_salons_daily_budget(linked_server):
    server = linked_server(otp_daily_budget_per_salon=4, otp_cooldown_seconds=0, otp_max_per_window=100)
    http = server.client()
    answers = [request_code(http).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
    assert len(sent(server)) == 2  # half of 4: the third is answered alike and withheld
    assert metric(server, 'salon_otp_limited_total{limit="salon_budget"}') == 1.0
    server.clock.advance(86400)
    assert request_code(http).status_code == 201
    assert len(sent(server)) == 3


def test_the_total_over_all_salons_only_alerts(start_cloud_server, caplog):
    server = start_cloud_server(otp_daily_alert_total=2, otp_cooldown_seconds=0)
    for phone in ("+966551111111", "+966552222222", "+966553333333"):
        give_link(server, phone)  # three salons
    http = server.client()
    with caplog.at_level("WARNING", logger="salon_desk.cloud.otp.service"):
        for count, phone in enumerate(("0551111111", "0552222222", "0553333333"), start=1):
            assert request_code(http, phone=phone).status_code == 201
            assert len(sent(server)) == count  # nobody is refused
    assert metric(server, "salon_otp_budget_alerts_total") == 1.0
    assert metric(server, "salon_otp_sent_last_24h") == 3.0
    assert "otp daily total over the alert level" in caplog.text
