"""/metrics and /openapi.json are not public in production (issue #14 item 5): only SALON_OPS_TOKEN opens them."""

from __future__ import annotations

import pytest

from salon_desk.cloud.settings import CloudSettings
from tests.cloud.conftest import cloud_settings

TOKEN = "ops-" + "x" * 40


def _production(fake_authentica, **extra):  # type: ignore[no-untyped-def]
    return {
        "environment": "production",
        "public_base_url": "https://book.example.sa",
        "pin_pepper_key": "pepper-key-for-tests-0123456789abcdef",
        "sms_provider": "authentica",
        "authentica_api_key": fake_authentica.api_key,
        "authentica_base_url": fake_authentica.base_url,
        **extra,
    }


def test_production_without_a_token_has_no_ops_pages(start_cloud_server, fake_authentica):  # type: ignore[no-untyped-def]
    http = start_cloud_server(**_production(fake_authentica)).client()
    for path in ("/metrics", "/openapi.json", "/docs"):
        assert http.get(path).status_code == 404, path
        assert http.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404, path
    assert http.get("/healthz").status_code == 200


def test_production_ops_pages_answer_only_to_the_token(start_cloud_server, fake_authentica):  # type: ignore[no-untyped-def]
    http = start_cloud_server(**_production(fake_authentica, ops_token=TOKEN)).client()
    for path in ("/metrics", "/openapi.json"):
        assert http.get(path).status_code == 404, path
        assert http.get(path, headers={"Authorization": "Bearer wrong-token"}).status_code == 404, path
        assert http.get(path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 404, path
        assert http.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200, path
    metrics = http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "salon_sync_longpolls_waiting" in metrics
    schema = http.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert "/v1/sync/pull" in schema["paths"] and "/openapi.json" not in schema["paths"]
    assert http.get("/docs").status_code == 404  # a browser page cannot send the token: never served


def test_development_keeps_them_open(cloud_server):  # type: ignore[no-untyped-def]
    http = cloud_server.client()
    assert http.get("/metrics").status_code == 200
    assert http.get("/openapi.json").status_code == 200
    assert http.get("/docs").status_code == 200


def test_a_short_ops_token_is_refused_at_start_up(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="SALON_OPS_TOKEN"):
        cloud_settings(f"sqlite:///{tmp_path}/x.db", ops_token="short")
    assert CloudSettings.model_fields["ops_token"].validation_alias == "SALON_OPS_TOKEN"
