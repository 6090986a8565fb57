"""Authentica (api.authentica.sa), as specs/providers.md §2 documents it.

- `POST /api/v2/send-otp {"method", "phone", "template_id", "otp"}`: we send OUR code in `otp` (the
  custom-OTP field) and verify it ourselves; success is HTTP 2xx with `"success": true`.
- `POST /api/v2/send-sms {"phone", "message", "sender_name"}`: plain SMS; its success body is
  UNCONFIRMED, so any 2xx counts and a message id is read only if one is present.
- `POST /api/v2/verify-otp {"phone", "otp"}`: only for a provider-managed mode; success is 2xx with
  `"status": true` and nothing else.
Headers: `X-Authorization: <key>`, `Accept` and `Content-Type: application/json`. Phones in E.164 with '+'.

Retries: bounded, with exponential backoff, only on 5xx and timeouts (a 4xx will not change by retrying,
and a retried send could deliver twice).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from salon_desk.domain.phone import mask_phone

from .base import Channel, MessagingError, ProviderResult

log = logging.getLogger(__name__)

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Authentica's templates 1 and 2 are its default OTP templates in two languages (providers.md §2.2);
# which id is which language is UNCONFIRMED: override with the ids configured on the dashboard.
DEFAULT_OTP_TEMPLATES: Mapping[str, int] = {"ar": 1, "en": 2}
DEFAULT_SENDER_NAME = "SalonDesk"  # must be a sender name registered on the account (<= 11 characters)
USER_AGENT = "salon-desk-cloud/1"


class AuthenticaSender:
    name = "authentica"

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.authentica.sa",
        *,
        otp_templates: Mapping[str, int] = DEFAULT_OTP_TEMPLATES,
        default_sender_name: str = DEFAULT_SENDER_NAME,
        timeout_seconds: float = 10.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._otp_templates = dict(otp_templates)
        self._default_sender_name = default_sender_name
        self._max_attempts = max(1, max_attempts)
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
            headers={
                "X-Authorization": api_key,
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            transport=transport,
        )

    def send_otp(
        self, phone: str, code: str, channel: Channel, lang: str, *, salon_id: str | None = None
    ) -> ProviderResult:
        template_id = self._otp_templates.get(lang, self._otp_templates.get("ar", 1))
        body = {
            "method": Channel(channel).value,
            "phone": _e164(phone),
            "template_id": template_id,
            "otp": code,
        }
        payload = self._post("/api/v2/send-otp", body, phone)
        if payload.get("success") is not True:
            raise MessagingError("messaging.rejected")
        return ProviderResult(provider_id=_message_id(payload), status="sent")

    def send_text(
        self,
        phone: str,
        body: str,
        channel: Channel,
        *,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> ProviderResult:
        if Channel(channel) is not Channel.SMS:  # send-sms is SMS only; WhatsApp carries only OTP templates
            raise MessagingError("messaging.channel_unsupported", channel=Channel(channel).value)
        request = {
            "phone": _e164(phone),
            "message": body,
            "sender_name": sender_name or self._default_sender_name,
        }
        payload = self._post("/api/v2/send-sms", request, phone)
        return ProviderResult(provider_id=_message_id(payload), status="queued")

    def verify_provider_otp(self, phone: str, code: str) -> bool:
        """Provider-managed mode only: Authentica checks a code it generated itself."""
        try:
            payload = self._post("/api/v2/verify-otp", {"phone": _e164(phone), "otp": code}, phone)
        except MessagingError as exc:
            if exc.code == "messaging.rejected":
                return False
            raise
        return payload.get("status") is True

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, body: dict[str, Any], phone: str) -> dict[str, Any]:
        for attempt in range(1, self._max_attempts + 1):
            failure = self._try_once(path, body)
            if isinstance(failure, dict):
                return failure
            self._log_failure(path, phone, attempt, failure)
            if failure.startswith("rejected"):
                raise MessagingError("messaging.rejected")
            if attempt < self._max_attempts:
                self._sleep(self._backoff_seconds * 2 ** (attempt - 1))
        raise MessagingError("messaging.unavailable")

    def _try_once(self, path: str, body: dict[str, Any]) -> dict[str, Any] | str:
        """The JSON body of a 2xx answer, or why the attempt failed: "timeout", "http_503", "rejected_400"."""
        try:
            response = self._client.post(path, json=body)
        except httpx.TimeoutException:
            return "timeout"
        except httpx.TransportError as exc:
            raise MessagingError("messaging.unavailable") from exc
        if response.status_code >= 500:
            return f"http_{response.status_code}"
        if not response.is_success:
            return f"rejected_{response.status_code}"
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return payload if isinstance(payload, dict) else {}

    def _log_failure(self, path: str, phone: str, attempt: int, failure: str) -> None:
        log.warning(
            "authentica request failed",
            extra={
                "fields": {"path": path, "attempt": attempt, "failure": failure, "phone": mask_phone(phone)}
            },
        )


def _e164(phone: str) -> str:
    if not E164.fullmatch(phone):
        raise ValueError("Authentica needs an E.164 phone number with '+'")
    return phone


def _message_id(payload: dict[str, Any]) -> str | None:
    data = payload.get("data")
    candidate = data.get("id") if isinstance(data, dict) else payload.get("id")
    return None if candidate is None else str(candidate)
