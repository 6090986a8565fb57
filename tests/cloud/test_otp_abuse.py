"""Issue 8, finding 7, as an attack: strangers burst `/v1/otp/request` and `/v1/otp/verify` from many
spoofed addresses (X-Forwarded-For) while a real customer confirms through their booking link.

The customer succeeds; the strangers are limited (their spoofed addresses count as the one peer they come
from); no SMS goes to a phone without a link, and the customer's phone gets at most the public per-phone
window's worth. Also: a cookie the server never issued is no session on a link page. Real uvicorn, a real
desk pushing the booking, SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from salon_desk.cloud.links.sessions import COOKIE_NAME
from salon_desk.cloud.links.tokens import csrf_token
from tests.cloud.test_links import Customer, LinkCase, booked_link, cloud_status, latest_code, new_link
from tests.sync.conftest import SyncWorld, sync_world  # noqa: F401 - fixture

STRANGERS = 24
BUDGET = 3  # codes per salon per 24 hours (the public endpoint may use one of them)


@pytest.fixture
def cloud_server(start_cloud_server: Any) -> Any:
    """The cloud under sync_world, with a small daily SMS budget per salon."""
    return start_cloud_server(otp_daily_budget_per_salon=BUDGET)


def customer_phone(case: Any) -> str:
    return str(
        case.desk.scalar(
            "SELECT phone FROM customer WHERE id = (SELECT customer_id FROM booking WHERE id = :id)",
            id=case.booking_id,
        )
    )


def stranger(cloud: Any, n: int, target: str) -> list[tuple[str, int]]:
    """One attacker: codes for the customer's phone and for random numbers, then guesses, each request
    from a new spoofed address."""
    rng = random.Random(n)
    answers: list[tuple[str, int]] = []
    with cloud.client() as http:
        request_ids = []
        randoms = [f"+96656{rng.randrange(10**7):07d}" for _ in range(3)]
        for phone in (target, *randoms, target):
            spoofed = {"X-Forwarded-For": f"203.0.113.{rng.randrange(256)}"}
            answer = http.post("/v1/otp/request", json={"phone_number": phone}, headers=spoofed)
            answers.append(("request", answer.status_code))
            if answer.status_code == 201:
                request_ids.append(answer.json()["request_id"])
        for request_id in [*request_ids, str(uuid.uuid4()), str(uuid.uuid4())]:
            spoofed = {"X-Forwarded-For": f"198.51.100.{rng.randrange(256)}"}
            guess = {"request_id": request_id, "code": f"{rng.randrange(10**6):06d}"}
            answers.append(("verify", http.post("/v1/otp/verify", json=guess, headers=spoofed).status_code))
    return answers


def test_strangers_bursting_otp_cannot_stop_a_customer_confirming_by_link(
    sync_world: SyncWorld,  # noqa: F811
) -> None:
    case = booked_link(sync_world)
    cloud, target = case.cloud, customer_phone(case)
    customer = Customer(case)

    with ThreadPoolExecutor(max_workers=6) as pool:
        first_wave = [
            a for answers in pool.map(lambda n: stranger(cloud, n, target), range(STRANGERS)) for a in answers
        ]
        # While the second wave runs, the customer asks for a code on the page and confirms.
        cloud.services.otp.wait_idle()  # the first wave's public code reached the phone before the page's
        second = [pool.submit(stranger, cloud, n, target) for n in range(STRANGERS, 2 * STRANGERS)]
        sent = customer.post("code")
        assert sent.status_code == 200 and "A verification code was sent" in sent.text, sent.text
        cloud.services.otp.wait_idle()
        done = customer.post("confirm", code=latest_code(cloud))
        second_wave = [a for future in second for a in future.result()]

    assert done.status_code == 200 and "The appointment is confirmed." in done.text
    assert cloud_status(case) == "confirmed"

    answers = Counter(first_wave + second_wave)
    assert not [a for a in answers if a[1] >= 500], answers
    assert answers[("request", 429)] > 0 and answers[("verify", 429)] > 0  # the strangers are limited
    assert answers[("verify", 200)] == 0

    cloud.services.otp.wait_idle()
    messages = cloud.client().get("/v1/dev/messages", params={"limit": 500}).json()["messages"]
    otp_phones = Counter(m["phone_number"] for m in messages if m["kind"] == "otp")
    assert set(otp_phones) == {target}  # nobody without a booking link got an SMS
    window = cloud.settings.otp_max_per_window
    assert otp_phones[target] <= window + 1  # the public window's worth, plus the customer's own code
    metrics = cloud.client().get("/metrics").text
    assert 'salon_otp_limited_total{limit="phone_cooldown"}' in metrics
    assert 'salon_otp_limited_total{limit="ip_window"}' in metrics
    assert 'salon_otp_limited_total{limit="verify_ip"}' in metrics


def test_a_cookie_the_server_never_issued_is_no_session(sync_world: SyncWorld) -> None:  # noqa: F811
    case = booked_link(sync_world)
    token = case.path.rsplit("/", 1)[1]
    planted = "attacker-chosen-session-value"
    http = case.cloud.client(cookies={COOKIE_NAME: planted})
    page = http.get(case.path, params={"lang": "en"})
    assert page.status_code == 200
    issued = page.cookies.get(COOKIE_NAME)
    assert issued and issued != planted  # treated as no session: a fresh, server-issued one replaces it

    forged = case.cloud.client(cookies={COOKIE_NAME: planted}).post(
        f"{case.path}/code", data={"csrf": csrf_token(planted, token), "lang": "en"}
    )
    assert forged.status_code == 403 and "This page has expired" in forged.text
    assert case.cloud.client().get("/v1/dev/messages").json()["messages"] == []  # no code was sent

    real = Customer(case)  # the cookie the server issued works as before
    assert real.post("code").status_code == 200


def test_a_salons_daily_budget_stops_its_booking_pages_with_guidance(sync_world: SyncWorld) -> None:  # noqa: F811
    case = booked_link(sync_world)
    pages = [case] + [
        LinkCase(case.world, case.desk, case.booking_id, new_link(case.world, case.booking_id))
        for _ in range(BUDGET)
    ]
    answers = [Customer(page).post("code") for page in pages]  # each link its own cooldown: only the budget
    assert [a.status_code for a in answers] == [200] * BUDGET + [429]
    refused = answers[-1]
    assert (
        "The salon cannot send more codes today" in refused.text and refused.headers["retry-after"] == "86400"
    )
    metrics = case.cloud.client().get("/metrics").text
    assert 'salon_otp_limited_total{limit="salon_budget"} 1.0' in metrics
