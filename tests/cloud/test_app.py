"""The HTTP edge: health, metrics, error bodies, languages, development endpoints."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi import FastAPI

from salon_desk.cloud.i18n import negotiate_language
from tests.cloud.otp_world import give_link


def test_healthz_checks_the_database(cloud_server):
    answer = cloud_server.client().get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_cannot_be_reached(start_cloud_server, tmp_path):
    server = start_cloud_server(database_url=f"sqlite:///{tmp_path / 'missing' / 'cloud.db'}")
    answer = server.client().get("/healthz", headers={"Accept-Language": "en"})
    assert answer.status_code == 503
    assert answer.json()["code"] == "unavailable"


def test_metrics_count_requests_by_route_template_and_otp_outcomes(cloud_server):
    http = cloud_server.client()
    give_link(cloud_server, "+966551234567")  # a customer with a booking link: codes are sent
    http.post("/v1/otp/request", json={"phone_number": "0551234567"})
    http.post("/v1/otp/request", json={"phone_number": "0551234567"})  # cooldown
    cloud_server.services.otp.wait_idle()  # public codes are handed to the provider after the answer
    http.post("/v1/devices/00000000-0000-0000-0000-000000000000/revoke")
    text = http.get("/metrics").text
    assert 'salon_http_requests_total{method="POST",route="/v1/otp/request",status="201"} 1.0' in text
    assert 'salon_http_requests_total{method="POST",route="/v1/otp/request",status="429"} 1.0' in text
    assert 'route="/v1/devices/{device_id}/revoke",status="401"' in text
    assert 'salon_otp_requests_total{channel="sms",outcome="sent"} 1.0' in text
    assert 'salon_otp_requests_total{channel="sms",outcome="limited"} 1.0' in text
    assert 'salon_http_request_duration_seconds_count{method="POST",route="/v1/otp/request"} 2.0' in text


def test_unknown_paths_and_methods_answer_coded_json(cloud_server):
    http = cloud_server.client()
    missing = http.get("/v1/nothing-here", headers={"Accept-Language": "ar"})
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "لم يُعثر على شيء في هذا العنوان.", "params": {}}
    wrong_method = http.get("/v1/otp/verify", headers={"Accept-Language": "en"})
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"


def test_malformed_bodies_answer_invalid_request_in_the_callers_language(cloud_server):
    http = cloud_server.client()
    answer = http.post("/v1/otp/verify", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request" and answer.json()["detail"] == "الطلب غير صالح."
    english = http.post("/v1/otp/verify", json={"code": "1"}, headers={"Accept-Language": "en"}).json()
    assert english["detail"] == "The request is not valid." and english["fields"] == ["request_id"]


def test_an_unexpected_error_answers_a_translated_500_and_is_logged(start_cloud_server, caplog):
    def add_failing_route(app: FastAPI) -> None:
        @app.get("/v1/boom")
        def boom() -> None:
            raise RuntimeError("kaboom")

    server = start_cloud_server(app_hook=add_failing_route)
    answer = server.client().get("/v1/boom", headers={"Accept-Language": "en"})
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal"
    assert answer.json()["detail"] == "Something went wrong on the server. Please try again shortly."
    assert any(r.getMessage() == "unhandled error" and r.exc_info for r in caplog.records)


def test_development_endpoints_do_not_exist_in_production(start_cloud_server, fake_authentica):
    server = start_cloud_server(
        environment="production",
        public_base_url="https://book.example.sa",
        pin_pepper_key="pepper-key-for-tests-0123456789abcdef",
        sms_provider="authentica",
        authentica_api_key=fake_authentica.api_key,
        authentica_base_url=fake_authentica.base_url,
    )
    http = server.client()
    assert http.get("/v1/dev/messages").status_code == 404
    assert http.get("/docs").status_code == 404
    assert http.get("/healthz").status_code == 200


def test_dev_messages_are_newest_first_with_links(cloud_server):
    console = cloud_server.services.sender
    console.send_text("+966551234567", "موعد الحجز غدًا: https://book.example.sa/b/abc123 شكرًا", "sms")
    cloud_server.clock.advance(1)
    console.send_text("+966561234567", "second", "sms")
    messages = cloud_server.client().get("/v1/dev/messages").json()["messages"]
    assert [m["text"] for m in messages] == [
        "second",
        "موعد الحجز غدًا: https://book.example.sa/b/abc123 شكرًا",
    ]
    assert messages[1]["links"] == ["https://book.example.sa/b/abc123"] and messages[1]["code"] is None
    only = cloud_server.client().get("/v1/dev/messages", params={"phone": "056 123 4567"}).json()["messages"]
    assert [m["text"] for m in only] == ["second"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "ar"),
        ("", "ar"),
        ("*", "ar"),
        ("ar", "ar"),
        ("ar-SA,en;q=0.8", "ar"),
        ("en-US,en;q=0.9,ar;q=0.8", "en"),
        ("en;q=0.5, ar;q=0.9", "ar"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr, ar;q=0.1", "ar"),
        ("ar;q=0, en", "en"),
    ],
)
def test_language_negotiation(header, expected):
    assert negotiate_language(header) == expected


def test_a_server_process_keeps_what_startup_built_out_of_the_collectors_sight(tmp_path):
    """`salon-cloud serve`'s app factory freezes the startup heap (modules, the app, the mappers): a full
    collection then scans only what requests made since (issue #14: 80-100 ms pauses under push load)."""
    probe = (
        "import gc\n"
        "from salon_desk.cloud.app import app_from_environment\n"
        "before = gc.get_freeze_count()\n"
        "app_from_environment()\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    env = {**os.environ, "SALON_DATABASE_URL": f"sqlite:///{tmp_path / 'cloud.db'}"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    before, frozen, tracked = map(int, out.stdout.split())
    assert frozen - before > 50_000  # the startup heap, frozen
    assert tracked < frozen // 10  # what a full collection still scans
