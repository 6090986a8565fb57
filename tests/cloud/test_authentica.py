"""AuthenticaSender against the fake Authentica over real HTTP (specs/providers.md §2)."""

from __future__ import annotations

import pytest

from salon_desk.cloud.messaging.authentica import AuthenticaSender
from salon_desk.cloud.messaging.base import Channel, MessagingError
from salon_desk.cloud.messaging.registry import build_sender
from tests.cloud.conftest import cloud_settings
from tests.cloud.otp_world import give_link

PHONE = "+966551234567"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sender(fake_authentica, sleeps):  # type: ignore[no-untyped-def]
    client = AuthenticaSender(
        fake_authentica.api_key,
        fake_authentica.base_url,
        timeout_seconds=0.5,
        max_attempts=3,
        backoff_seconds=0.25,
        sleep=sleeps.append,
    )
    yield client
    client.close()


def test_our_code_travels_in_the_custom_otp_field_with_the_documented_headers(fake_authentica, sender):
    result = sender.send_otp(PHONE, "482915", Channel.SMS, "ar")
    assert result.status == "sent"
    (request,) = fake_authentica.received
    assert (request.method, request.path) == ("POST", "/api/v2/send-otp")
    assert request.headers["x-authorization"] == fake_authentica.api_key
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {"method": "sms", "phone": PHONE, "template_id": 1, "otp": "482915"}
    assert fake_authentica.sent_codes[PHONE] == "482915"


def test_whatsapp_and_the_english_template(fake_authentica, sender):
    sender.send_otp(PHONE, "000123", Channel.WHATSAPP, "en")
    assert fake_authentica.received[0].body == {
        "method": "whatsapp",
        "phone": PHONE,
        "template_id": 2,
        "otp": "000123",
    }


def test_plain_sms_goes_through_send_sms(fake_authentica, sender):
    result = sender.send_text(PHONE, "موعد الحجز غدًا 10:00", Channel.SMS, sender_name="RoseSalon")
    (request,) = fake_authentica.received
    assert request.path == "/api/v2/send-sms"
    assert request.body == {"phone": PHONE, "message": "موعد الحجز غدًا 10:00", "sender_name": "RoseSalon"}
    assert result.status == "queued" and result.provider_id


def test_plain_text_cannot_go_by_whatsapp(fake_authentica, sender):
    with pytest.raises(MessagingError) as refused:
        sender.send_text(PHONE, "hello", Channel.WHATSAPP)
    assert refused.value.code == "messaging.channel_unsupported"
    assert fake_authentica.received == []


def test_server_errors_are_retried_with_backoff(fake_authentica, sender, sleeps):
    fake_authentica.fail_next(503, times=2)
    assert sender.send_otp(PHONE, "111111", Channel.SMS, "ar").status == "sent"
    assert len(fake_authentica.requests_to("/api/v2/send-otp")) == 3
    assert sleeps == [0.25, 0.5]


def test_retries_are_bounded(fake_authentica, sender, sleeps):
    fake_authentica.fail_next(502, times=5)
    with pytest.raises(MessagingError) as failed:
        sender.send_otp(PHONE, "111111", Channel.SMS, "ar")
    assert failed.value.code == "messaging.unavailable"
    assert len(fake_authentica.received) == 3 and sleeps == [0.25, 0.5]


def test_a_client_error_is_not_retried(fake_authentica, sender, sleeps):
    fake_authentica.fail_next(400)
    with pytest.raises(MessagingError) as refused:
        sender.send_otp(PHONE, "111111", Channel.SMS, "ar")
    assert refused.value.code == "messaging.rejected"
    assert len(fake_authentica.received) == 1 and sleeps == []


def test_a_timeout_is_retried(fake_authentica, sender):
    fake_authentica.stall_next(1.5)
    assert sender.send_otp(PHONE, "222222", Channel.SMS, "ar").status == "sent"
    assert len(fake_authentica.received) == 2


def test_a_wrong_api_key_is_rejected_not_retried(fake_authentica, sleeps):
    wrong = AuthenticaSender("not-the-key", fake_authentica.base_url, sleep=sleeps.append)
    with pytest.raises(MessagingError) as refused:
        wrong.send_otp(PHONE, "111111", Channel.SMS, "ar")
    wrong.close()
    assert refused.value.code == "messaging.rejected" and len(fake_authentica.received) == 1


def test_the_fake_refuses_what_the_spec_does_not_allow(fake_authentica):
    import httpx

    headers = {"X-Authorization": fake_authentica.api_key, "Accept": "application/json"}
    with httpx.Client(base_url=fake_authentica.base_url, headers=headers) as http:
        national = http.post("/api/v2/send-otp", json={"method": "sms", "phone": "0551234567"})
        unknown = http.post("/api/v2/send-otp", json={"method": "sms", "phone": PHONE, "code": "1"})
        no_sender = http.post("/api/v2/send-sms", json={"phone": PHONE, "message": "hi"})
        form = http.post("/api/v2/send-otp", data={"method": "sms"})
    assert national.status_code == 422 and "phone" in national.json()["errors"]
    assert unknown.status_code == 422 and "code" in unknown.json()["errors"]
    assert no_sender.status_code == 422 and "sender_name" in no_sender.json()["errors"]
    assert form.status_code == 415


def test_provider_managed_verification_needs_status_true(fake_authentica, sender):
    sender.send_otp(PHONE, "333333", Channel.SMS, "ar")
    assert sender.verify_provider_otp(PHONE, "333333") is True
    assert sender.verify_provider_otp(PHONE, "333334") is False
    assert fake_authentica.received[-1].body == {"phone": PHONE, "otp": "333334"}


def test_settings_select_authentica(fake_authentica, tmp_path):
    settings = cloud_settings(
        f"sqlite:///{tmp_path / 'x.db'}",
        sms_provider="authentica",
        authentica_api_key=fake_authentica.api_key,
        authentica_base_url=fake_authentica.base_url,
    )
    sender = build_sender(settings, db=None, clock=None)  # type: ignore[arg-type]
    try:
        assert isinstance(sender, AuthenticaSender)
        sender.send_otp(PHONE, "444444", Channel.SMS, "ar")
    finally:
        sender.close()
    assert fake_authentica.received[0].headers["x-authorization"] == fake_authentica.api_key


def test_otp_through_the_cloud_reaches_authentica_and_verifies_locally(start_cloud_server, fake_authentica):
    server = start_cloud_server(
        sms_provider="authentica",
        authentica_api_key=fake_authentica.api_key,
        authentica_base_url=fake_authentica.base_url,
    )
    http = server.client()
    give_link(server, PHONE)  # codes go only to a customer behind a live booking link
    request_id = http.post("/v1/otp/request", json={"phone_number": "0551234567"}).json()["request_id"]
    server.services.otp.wait_idle()  # handed to the provider after the answer
    code = fake_authentica.sent_codes[PHONE]
    assert (
        http.post("/v1/otp/verify", json={"request_id": request_id, "code": code}).json()["verified"] is True
    )
    assert http.get("/v1/dev/messages").status_code == 404  # no console provider: no dev endpoints


def test_a_provider_outage_does_not_hold_the_cooldown(start_cloud_server, fake_authentica):
    """The public endpoint answers before the provider is called (the same answer for every phone), so an
    outage is recorded on the request, counted, and releases the phone's cooldown."""
    no_waiting = AuthenticaSender(
        fake_authentica.api_key, fake_authentica.base_url, sleep=lambda _seconds: None
    )
    server = start_cloud_server(
        sender=no_waiting,
        sms_provider="authentica",
        authentica_api_key=fake_authentica.api_key,
        authentica_base_url=fake_authentica.base_url,
        otp_cooldown_seconds=60,
    )
    give_link(server, PHONE)
    fake_authentica.fail_next(503, times=3)
    http = server.client()
    failed = http.post(
        "/v1/otp/request", json={"phone_number": "0551234567"}, headers={"Accept-Language": "en"}
    )
    assert failed.status_code == 201
    server.services.otp.wait_idle()
    assert 'salon_otp_requests_total{channel="sms",outcome="send_failed"} 1.0' in http.get("/metrics").text
    assert PHONE not in fake_authentica.sent_codes
    assert http.post("/v1/otp/request", json={"phone_number": "0551234567"}).status_code == 201
    server.services.otp.wait_idle()
    assert PHONE in fake_authentica.sent_codes
