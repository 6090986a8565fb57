"""The cloud's configuration: environment variables only (DESIGN §6), read once at start-up.

Field names are short Python names; each reads exactly the environment variable named in its alias.
Secrets are `SecretStr`, so printing or logging the settings never shows them.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///salon-cloud.db"  # a file in the working directory
CONSOLE_PROVIDER = "console"
MIN_OPS_TOKEN = 24
MIN_PIN_PEPPER_KEY = 32
# Development and tests only: production refuses to start without its own SALON_PIN_PEPPER_KEY.
DEVELOPMENT_PIN_PEPPER_KEY = hashlib.sha256(b"salon-desk DEVELOPMENT-ONLY pin pepper key, never production").digest()


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class CloudSettings(BaseSettings):
    # validate_by_name: tests and the demo may also pass the Python names as keywords.
    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        validate_by_name=True,
        validate_default=True,
        frozen=True,
        hide_input_in_errors=True,  # a refused configuration must not print its secrets
    )

    environment: Environment = Field(Environment.DEVELOPMENT, validation_alias="SALON_ENV")
    # May hold a password: never in repr() or dumps. Log it with make_url(...).render_as_string().
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL", repr=False, exclude=True)
    public_base_url: str = Field("http://127.0.0.1:8765", validation_alias="SALON_PUBLIC_BASE_URL")

    sms_provider: str = Field(CONSOLE_PROVIDER, validation_alias="SALON_SMS_PROVIDER")
    authentica_api_key: SecretStr | None = Field(None, validation_alias="AUTHENTICA_API_KEY")
    authentica_base_url: str = Field("https://api.authentica.sa", validation_alias="AUTHENTICA_BASE_URL")

    moyasar_secret_key: SecretStr | None = Field(None, validation_alias="MOYASAR_SECRET_KEY")
    moyasar_webhook_secret: SecretStr | None = Field(None, validation_alias="MOYASAR_WEBHOOK_SECRET")
    moyasar_base_url: str = Field("https://api.moyasar.com/v1", validation_alias="MOYASAR_BASE_URL")
    # Seals every salon's Moyasar keys at rest (issue #12): urlsafe base64 of 32 bytes. Unset: payments off.
    payments_key: SecretStr | None = Field(None, validation_alias="SALON_PAYMENTS_KEY", repr=False, exclude=True)
    payments_timeout_seconds: float = Field(10.0, gt=0, le=60, validation_alias="SALON_PAYMENTS_TIMEOUT_SECONDS")
    payments_in_process: bool = Field(False, validation_alias="SALON_PAYMENTS_IN_PROCESS")  # apply job in `serve`

    otp_ttl_seconds: int = Field(300, ge=30, le=3600, validation_alias="SALON_OTP_TTL_SECONDS")
    otp_max_attempts: int = Field(5, ge=1, le=20, validation_alias="SALON_OTP_MAX_ATTEMPTS")
    otp_cooldown_seconds: int = Field(60, ge=0, le=3600, validation_alias="SALON_OTP_COOLDOWN_SECONDS")
    otp_window_seconds: int = Field(3600, ge=60, le=86400, validation_alias="SALON_OTP_WINDOW_SECONDS")
    otp_max_per_window: int = Field(5, ge=1, le=100, validation_alias="SALON_OTP_MAX_PER_WINDOW")
    # Verification attempts one address may make per SALON_OTP_WINDOW_SECONDS on /v1/otp/verify.
    otp_verify_max_per_ip: int = Field(50, ge=1, le=10_000, validation_alias="SALON_OTP_VERIFY_MAX_PER_IP")
    # Codes one salon's customers may be sent in any 24 hours; the total over all salons only alerts.
    otp_daily_budget_per_salon: int = Field(
        500, ge=1, le=1_000_000, validation_alias="SALON_OTP_DAILY_BUDGET_PER_SALON"
    )
    otp_daily_alert_total: int = Field(
        20_000, ge=1, le=100_000_000, validation_alias="SALON_OTP_DAILY_ALERT_TOTAL"
    )

    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated IPs or CIDRs.
    # Empty (the default): nobody's, so a client can never choose the address its limits count against.
    trusted_proxies: str = Field("", validation_alias="SALON_TRUSTED_PROXIES")
    # Bearer token for the operator's pages, /metrics and /openapi.json (docs/deploy.md). Without it they
    # are open in development and do not exist in production; with it they answer only to the token.
    ops_token: SecretStr | None = Field(None, validation_alias="SALON_OPS_TOKEN")
    # `salon-cloud purge` (maintenance.py): push receipts are kept this many days (a desk offline longer
    # cannot push what it wrote then), and rows are deleted this many per transaction.
    receipt_retention_days: int = Field(180, ge=180, le=3650, validation_alias="SALON_RECEIPT_RETENTION_DAYS")
    purge_batch_size: int = Field(500, ge=1, le=10_000, validation_alias="SALON_PURGE_BATCH_SIZE")
    # Tombstones (deleted replicated rows) are kept this many days, then purged; a desk whose cursor is older
    # than the last one purged re-bootstraps (410 resync_required, sync/tombstones.py).
    tombstone_retention_days: int = Field(90, ge=30, le=3650, validation_alias="SALON_TOMBSTONE_RETENTION_DAYS")
    # Threads per process for desks' authentication and pushes (hot_threads.py): about one per core the
    # process may use; more make each push slower under load, not more of them.
    hot_threads: int = Field(2, ge=1, le=64, validation_alias="SALON_HOT_THREADS")
    # Largest request body on every route except /v1/sync (which has its own, larger limit).
    max_body_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024, validation_alias="SALON_MAX_BODY_BYTES")
    # The key every salon's PIN pepper is derived from (devices/pepper.py); required in production, at least
    # 32 characters, set once per deployment (changing it strands the PINs already set).
    pin_pepper_key: SecretStr | None = Field(None, validation_alias="SALON_PIN_PEPPER_KEY")

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def dev_endpoints_enabled(self) -> bool:
        """`/v1/dev/*` exists only outside production, and only with the console provider."""
        return not self.is_production and self.sms_provider == CONSOLE_PROVIDER

    @property
    def ops_pages_public(self) -> bool:
        """/metrics, /openapi.json and /docs open to anyone: development without SALON_OPS_TOKEN only."""
        return not self.is_production and self.ops_token is None

    @property
    def pin_pepper_key_bytes(self) -> bytes:
        """SALON_PIN_PEPPER_KEY, or outside production the fixed development key."""
        if self.pin_pepper_key is None:
            if self.is_production:  # unreachable: the validator refuses it
                raise ValueError("SALON_PIN_PEPPER_KEY is required when SALON_ENV=production")
            return DEVELOPMENT_PIN_PEPPER_KEY
        return self.pin_pepper_key.get_secret_value().encode("utf-8")

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return parse_networks(self.trusted_proxies)

    @property
    def uses_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # refuses a typo at start-up rather than trusting nobody (or everybody)
        return value.strip()

    @field_validator("sms_provider")
    @classmethod
    def _provider_name(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def _refuse_unsafe_combinations(self) -> Self:
        if self.is_production and self.sms_provider == CONSOLE_PROVIDER:
            raise ValueError("SALON_SMS_PROVIDER=console is refused when SALON_ENV=production")
        if self.sms_provider == "authentica" and not self.authentica_api_key:
            raise ValueError("SALON_SMS_PROVIDER=authentica needs AUTHENTICA_API_KEY")
        if self.ops_token is not None and len(self.ops_token.get_secret_value()) < MIN_OPS_TOKEN:
            raise ValueError(f"SALON_OPS_TOKEN must be at least {MIN_OPS_TOKEN} characters")
        if self.is_production and not self.public_base_url.startswith("https://"):
            raise ValueError("SALON_PUBLIC_BASE_URL must be https:// in production")
        if self.is_production and self.pin_pepper_key is None:
            raise ValueError("SALON_PIN_PEPPER_KEY is required when SALON_ENV=production")
        if self.pin_pepper_key is not None and len(self.pin_pepper_key.get_secret_value()) < MIN_PIN_PEPPER_KEY:
            raise ValueError(f"SALON_PIN_PEPPER_KEY must be at least {MIN_PIN_PEPPER_KEY} characters")
        return self


def parse_networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """`"10.0.0.5, 192.168.0.0/16, ::1"` -> networks; raises ValueError on anything else."""
    return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
