"""CloudSettings read exactly the environment names of DESIGN §6 and refuse unsafe combinations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from salon_desk.cloud.settings import CloudSettings, Environment

ENVIRONMENT = {
    "SALON_ENV": "development",
    "DATABASE_URL": "postgresql+psycopg://cloud:pw@db.internal/salon",
    "SALON_PUBLIC_BASE_URL": "https://book.example.sa",
    "SALON_SMS_PROVIDER": "authentica",
    "AUTHENTICA_API_KEY": "$2y$10$authentica-secret",
    "AUTHENTICA_BASE_URL": "http://127.0.0.1:9001",
    "MOYASAR_SECRET_KEY": "sk_test_moyasar-secret",
    "MOYASAR_WEBHOOK_SECRET": "webhook-secret",
    "MOYASAR_BASE_URL": "http://127.0.0.1:9002/v1",
    "SALON_OTP_TTL_SECONDS": "120",
    "SALON_OTP_MAX_ATTEMPTS": "3",
    "SALON_OTP_COOLDOWN_SECONDS": "30",
    "SALON_OTP_WINDOW_SECONDS": "900",
    "SALON_OTP_MAX_PER_WINDOW": "4",
    "SALON_OTP_VERIFY_MAX_PER_IP": "20",
    "SALON_OTP_DAILY_BUDGET_PER_SALON": "300",
    "SALON_OTP_DAILY_ALERT_TOTAL": "9000",
    "SALON_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16",
    "SALON_MAX_BODY_BYTES": "32768",
    "SALON_PIN_PEPPER_KEY": "pepper-key-for-tests-0123456789abcdef",
}
SECRETS = ("$2y$10$authentica-secret", "sk_test_moyasar-secret", "webhook-secret", ":pw@", "pepper-key-for-tests-0123456789abcdef")


@pytest.fixture
def environment(monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_every_documented_variable_is_read(environment):
    settings = CloudSettings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.database_url == ENVIRONMENT["DATABASE_URL"]
    assert settings.public_base_url == "https://book.example.sa"
    assert settings.sms_provider == "authentica"
    assert settings.authentica_api_key.get_secret_value() == "$2y$10$authentica-secret"
    assert settings.authentica_base_url == "http://127.0.0.1:9001"
    assert settings.moyasar_secret_key.get_secret_value() == "sk_test_moyasar-secret"
    assert settings.moyasar_webhook_secret.get_secret_value() == "webhook-secret"
    assert settings.moyasar_base_url == "http://127.0.0.1:9002/v1"
    assert (settings.otp_ttl_seconds, settings.otp_max_attempts, settings.otp_cooldown_seconds) == (
        120,
        3,
        30,
    )
    assert (settings.otp_window_seconds, settings.otp_max_per_window) == (900, 4)
    assert settings.otp_verify_max_per_ip == 20
    assert (settings.otp_daily_budget_per_salon, settings.otp_daily_alert_total) == (300, 9000)
    assert [str(n) for n in settings.trusted_networks] == ["10.0.0.5/32", "192.168.0.0/16"]
    assert settings.max_body_bytes == 32768


def test_secrets_never_show_when_settings_are_printed(environment):
    settings = CloudSettings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        for secret in SECRETS:
            assert secret not in text


def test_defaults_are_a_local_development_cloud(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    settings = CloudSettings()
    assert settings.database_url == "sqlite:///salon-cloud.db"
    assert settings.sms_provider == "console" and settings.dev_endpoints_enabled
    assert (settings.otp_ttl_seconds, settings.otp_max_attempts) == (300, 5)


def test_production_refuses_the_console_provider(environment):
    environment.setenv("SALON_ENV", "production")
    environment.setenv("SALON_SMS_PROVIDER", "console")
    with pytest.raises(ValidationError, match="console is refused"):
        CloudSettings()


def test_a_refused_configuration_does_not_print_its_secrets(environment):
    environment.setenv("SALON_ENV", "production")
    environment.setenv("SALON_PUBLIC_BASE_URL", "http://plain.example.sa")
    with pytest.raises(ValidationError) as refused:
        CloudSettings()
    for secret in SECRETS:
        assert secret not in str(refused.value)


def test_authentica_needs_its_key(environment):
    environment.delenv("AUTHENTICA_API_KEY")
    with pytest.raises(ValidationError, match="AUTHENTICA_API_KEY"):
        CloudSettings()


def test_production_has_no_development_endpoints(environment):
    environment.setenv("SALON_ENV", "production")
    assert not CloudSettings().dev_endpoints_enabled


def test_production_refuses_to_start_without_a_pin_pepper_key(environment):
    environment.setenv("SALON_ENV", "production")
    environment.delenv("SALON_PIN_PEPPER_KEY")
    with pytest.raises(ValidationError, match="SALON_PIN_PEPPER_KEY is required"):
        CloudSettings()


def test_a_short_pin_pepper_key_is_refused(environment):
    environment.setenv("SALON_PIN_PEPPER_KEY", "too-short")
    with pytest.raises(ValidationError, match="at least 32 characters") as refused:
        CloudSettings()
    assert "too-short" not in str(refused.value)


def test_development_derives_peppers_from_its_own_fixed_key(monkeypatch):
    from salon_desk.cloud.devices.pepper import salon_pin_pepper
    from salon_desk.cloud.settings import DEVELOPMENT_PIN_PEPPER_KEY

    monkeypatch.delenv("SALON_PIN_PEPPER_KEY", raising=False)
    monkeypatch.delenv("SALON_ENV", raising=False)
    assert CloudSettings().pin_pepper_key_bytes == DEVELOPMENT_PIN_PEPPER_KEY
    salon, other = "0190a3c4-0000-7000-8000-000000000001", "0190a3c4-0000-7000-8000-000000000002"
    pepper = salon_pin_pepper(DEVELOPMENT_PIN_PEPPER_KEY, salon)
    assert len(pepper) == 32 and pepper == salon_pin_pepper(DEVELOPMENT_PIN_PEPPER_KEY, salon.upper())
    assert pepper != salon_pin_pepper(DEVELOPMENT_PIN_PEPPER_KEY, other)
    assert pepper != salon_pin_pepper(b"another deployment's key, 32+ chars", salon)
