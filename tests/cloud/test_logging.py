"""Logs never carry device tokens, enrolment or OTP codes, or full phone numbers."""

from __future__ import annotations

import io
import json
import logging

import pytest

from salon_desk.cloud.logs import JsonFormatter, scrub
from salon_desk.cloud.messaging.authentica import AuthenticaSender
from tests.cloud.otp_world import give_link


class RawRecords(logging.Handler):
    """Keeps every record unformatted, so the scrubbing formatter cannot hide a leak from the test."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        parts = []
        for record in self.records:
            parts += [record.getMessage(), repr(getattr(record, "fields", "")), repr(record.args)]
            if record.exc_info:
                parts.append(logging.Formatter().formatException(record.exc_info))
        return "\n".join(parts)


@pytest.fixture
def raw_logs():  # type: ignore[no-untyped-def]
    handler = RawRecords()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


def test_secrets_never_reach_the_logs(start_cloud_server, fake_authentica, raw_logs):
    sender = AuthenticaSender(fake_authentica.api_key, fake_authentica.base_url, sleep=lambda _s: None)
    server = start_cloud_server(
        sender=sender,
        sms_provider="authentica",
        authentica_api_key=fake_authentica.api_key,
        authentica_base_url=fake_authentica.base_url,
    )
    http = server.client()
    salon_id = server.create_salon()
    enrolment_code = server.issue_code(salon_id)
    token = server.enrol(enrolment_code).json()["token"]
    rotated = http.post("/v1/devices/rotate", headers={"Authorization": f"Bearer {token}"}).json()["token"]
    http.get("/v1/devices/me", headers={"Authorization": f"Bearer {token}"})  # the old one, refused

    give_link(server, "+966551234567", salon_id=salon_id)  # codes go only to customers with a link
    request_id = http.post("/v1/otp/request", json={"phone_number": "0551234567"}).json()["request_id"]
    server.services.otp.wait_idle()  # handed to the provider after the answer
    otp = fake_authentica.sent_codes["+966551234567"]
    http.post("/v1/otp/verify", json={"request_id": request_id, "code": f"{(int(otp) + 1) % 10**6:06d}"})
    http.post("/v1/otp/verify", json={"request_id": request_id, "code": otp})
    fake_authentica.fail_next(503, times=3)
    server.clock.advance(3600)
    http.post("/v1/otp/request", json={"phone_number": "0551234567"})  # provider down: a warning is logged
    server.services.otp.wait_idle()

    logged = raw_logs.text()
    access = [r.fields for r in raw_logs.records if r.getMessage() == "request"]
    assert {"route": "/v1/devices/rotate", "status": 200} in [
        {"route": f["route"], "status": f["status"]} for f in access if f.get("device_id")
    ]
    assert "otp sent" in logged and "otp not sent" in logged and "device enrolled" in logged
    assert '"route": "/v1/otp/request"' in logged.replace("'", '"')
    for secret in (token, rotated, enrolment_code, otp, fake_authentica.api_key):
        assert secret not in logged
    for phone in ("+966551234567", "966551234567", "0551234567", "551234567"):
        assert phone not in logged
    assert "+9665******67" in logged  # masked, so support can still tell numbers apart


def test_the_json_formatter_scrubs_what_slips_through():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.cloud.scrub")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "Authorization: Bearer sd_dev_abcDEF123-_x for 0551234567",
            extra={"fields": {"phone": "+966551234567", "n": 3}},
        )
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["msg"] == "Authorization: Bearer [redacted] for 05*******67"
    assert line["phone"] == "+9665******67" and line["n"] == 3 and line["level"] == "WARNING"
    assert scrub("request 0192f3e4-6a0c-7d51-9b1e-3c2a5f7e8d90 took 1740812400123 ms") == (
        "request 0192f3e4-6a0c-7d51-9b1e-3c2a5f7e8d90 took 1740812400123 ms"
    )
