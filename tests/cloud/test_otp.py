"""Phone verification codes through the real server: lifecycle, limits with exact Retry-After, messages."""

from __future__ import annotations

from sqlalchemy import select

from salon_desk.cloud.otp.rows import OtpRequestRow

PHONE = "0551234567"
E164 = "+966551234567"


def request_code(http, phone=PHONE, **headers):  # type: ignore[no-untyped-def]
    return http.post("/v1/otp/request", json={"phone_number": phone, "channel": "sms"}, headers=headers)


def last_code(http, phone=E164) -> str:  # type: ignore[no-untyped-def]
    return http.get("/v1/dev/messages", params={"phone": phone}).json()["messages"][0]["code"]


def verify(http, request_id: str, code: str, **headers):  # type: ignore[no-untyped-def]
    return http.post("/v1/otp/verify", json={"request_id": request_id, "code": code}, headers=headers)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_sent_verified_once_and_then_refused(cloud_server):
    http = cloud_server.client()
    answer = request_code(http, phone="+966 55 123 4567")
    assert answer.status_code == 201
    request_id = answer.json()["request_id"]
    assert answer.json()["expires_at"] == "2025-03-01T07:05:00Z"  # SALON_OTP_TTL_SECONDS default 300

    message = http.get("/v1/dev/messages").json()["messages"][0]
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
    code = last_code(http)
    with cloud_server.db.reader() as session:
        row = session.get(OtpRequestRow, request_id)
    assert row.code_hash != code.encode() and code.encode() not in row.code_hash
    assert row.phone_e164 == E164 and row.ip == "127.0.0.1" and row.provider == "console"


def test_arabic_digits_are_accepted_for_phone_and_code(cloud_server):
    http = cloud_server.client()
    request_id = request_code(http, phone="٠٥٥١٢٣٤٥٦٧").json()["request_id"]
    code = last_code(http)
    arabic_code = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    assert verify(http, request_id, arabic_code).json()["phone_number"] == E164


def test_a_wrong_code_says_how_many_attempts_remain(cloud_server):
    http = cloud_server.client()
    request_id = request_code(http).json()["request_id"]
    answer = verify(http, request_id, wrong(last_code(http)), **{"Accept-Language": "en"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "otp.invalid_code"
    assert answer.json()["params"] == {"remaining_attempts": 4}
    assert "4" in answer.json()["detail"]


def test_brute_force_stops_after_the_maximum_attempts_even_for_the_right_code(start_cloud_server):
    server = start_cloud_server(otp_max_attempts=3)
    http = server.client()
    request_id = request_code(http).json()["request_id"]
    code = last_code(http)
    answers = [verify(http, request_id, wrong(code)) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 403]
    assert [a.json()["params"].get("remaining_attempts") for a in answers[:2]] == [2, 1]
    assert answers[2].json()["code"] == "otp.too_many_attempts"
    locked = verify(http, request_id, code)
    assert locked.status_code == 403 and locked.json()["code"] == "otp.too_many_attempts"
    with server.db.reader() as session:
        assert session.get(OtpRequestRow, request_id).consumed_at is None


def test_a_code_expires_after_the_configured_ttl(start_cloud_server):
    server = start_cloud_server(otp_ttl_seconds=120)
    http = server.client()
    request_id = request_code(http).json()["request_id"]
    code = last_code(http)
    server.clock.advance(120)
    answer = verify(http, request_id, code)
    assert answer.status_code == 410 and answer.json()["code"] == "otp.expired"


def test_unknown_request_ids_are_not_found(cloud_server):
    http = cloud_server.client()
    for request_id in ("01955081-3580-70ff-839c-08361817723f", "not-a-uuid"):
        answer = verify(http, request_id, "123456")
        assert answer.status_code == 404 and answer.json()["code"] == "otp.not_found"


def test_resend_cooldown_answers_the_exact_seconds_left(start_cloud_server):
    server = start_cloud_server(otp_cooldown_seconds=60, otp_max_per_window=10)
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


def test_window_limit_answers_when_the_oldest_request_leaves_the_window(start_cloud_server):
    server = start_cloud_server(otp_cooldown_seconds=60, otp_window_seconds=600, otp_max_per_window=3)
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


def test_one_address_asking_for_many_phones_is_throttled(start_cloud_server):
    server = start_cloud_server(otp_max_per_window=2, otp_window_seconds=600)  # 20 per address per window
    http = server.client()
    for n in range(20):
        assert request_code(http, phone=f"05500000{n:02d}").status_code == 201
    refused = request_code(http, phone="0559999999")
    assert refused.status_code == 429
    assert refused.json()["code"] == "otp.ip_throttled"
    assert refused.headers["Retry-After"] == "600"


def test_refused_requests_change_nothing(start_cloud_server):
    server = start_cloud_server(otp_cooldown_seconds=60)
    http = server.client()
    request_code(http)
    assert request_code(http).status_code == 429
    assert request_code(http, phone="0521234567").status_code == 422  # 052 is not a mobile prefix
    assert http.post("/v1/otp/request", json={"phone_number": PHONE, "channel": "fax"}).status_code == 422
    with server.db.reader() as session:
        assert len(session.scalars(select(OtpRequestRow)).all()) == 1
    assert len(http.get("/v1/dev/messages").json()["messages"]) == 1


def test_messages_follow_accept_language(start_cloud_server):
    server = start_cloud_server(otp_cooldown_seconds=60)
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
    not_found = verify(http, "not-a-uuid", "1", **{"Accept-Language": "ar"}).json()["detail"]
    assert not_found == "لم يُعثر على طلب التحقق هذا. يُرجى طلب رمز جديد."


def test_whatsapp_is_a_channel(cloud_server):
    http = cloud_server.client()
    answer = http.post("/v1/otp/request", json={"phone_number": PHONE, "channel": "whatsapp"})
    assert answer.status_code == 201
    assert http.get("/v1/dev/messages").json()["messages"][0]["channel"] == "whatsapp"


def test_simultaneous_requests_for_one_phone_pass_the_cooldown_once(start_cloud_server):
    from concurrent.futures import ThreadPoolExecutor

    server = start_cloud_server(otp_cooldown_seconds=60)

    def ask(_n: int) -> int:
        with server.client() as http:
            return request_code(http).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(ask, range(6)))
    assert statuses == [201, 429, 429, 429, 429, 429]
