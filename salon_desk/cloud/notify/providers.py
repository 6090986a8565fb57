"""The notification provider interface (`Notifier`) and its implementations over the messaging senders.

    notifier.send(Channel.SMS, "+966551234567", body, key=job_id, salon_id=..., sender_name=...)
        -> Delivery(provider, provider_id, channel)      or raises DeliveryFailed(code, retryable)

`retryable` says whether the same message may be tried again later: a provider outage (5xx, timeout,
connection refused) is retryable; a refusal (4xx, bad number, unsupported channel) is not. `key` is the
job id, the idempotency key for providers that accept one (neither Authentica's send-sms nor the console
documents one, so for them the outbox's claim/lease is what prevents a second send).
WhatsApp goes first when configured and falls back to SMS when the provider refuses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from salon_desk.domain.phone import mask_phone

from ..messaging.authentica import AuthenticaSender
from ..messaging.base import Channel, MessageSender, MessagingError
from ..settings import CloudSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    provider: str
    provider_id: str | None
    channel: Channel


class DeliveryFailed(Exception):
    def __init__(self, code: str, *, retryable: bool) -> None:
        super().__init__(code)
        self.code, self.retryable = code, retryable


class Notifier(Protocol):
    name: str

    def send(
        self,
        channel: Channel,
        phone: str,
        body: str,
        *,
        key: str,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> Delivery: ...


class SenderNotifier:
    """Any `MessageSender` (console, Authentica, ...) as a Notifier: one send, errors classified."""

    def __init__(self, sender: MessageSender) -> None:
        self._sender = sender
        self.name = sender.name

    def send(
        self,
        channel: Channel,
        phone: str,
        body: str,
        *,
        key: str,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> Delivery:
        try:
            result = self._sender.send_text(phone, body, channel, salon_id=salon_id, sender_name=sender_name)
        except MessagingError as error:
            raise DeliveryFailed(error.code, retryable=error.code == "messaging.unavailable") from error
        except ValueError as error:  # a number the provider's format cannot carry
            raise DeliveryFailed("messaging.bad_number", retryable=False) from error
        return Delivery(self.name, result.provider_id, Channel(channel))


class FallbackNotifier:
    """WhatsApp first; SMS when WhatsApp is refused (not when it is merely down: that is retried)."""

    def __init__(self, inner: Notifier) -> None:
        self._inner = inner
        self.name = inner.name

    def send(
        self,
        channel: Channel,
        phone: str,
        body: str,
        *,
        key: str,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> Delivery:
        try:
            return self._inner.send(channel, phone, body, key=key, salon_id=salon_id, sender_name=sender_name)
        except DeliveryFailed as failure:
            if Channel(channel) is Channel.SMS or failure.retryable:
                raise
            log.info(
                "whatsapp refused; falling back to sms",
                extra={"fields": {"code": failure.code, "phone": mask_phone(phone), "job": key}},
            )
            return self._inner.send(
                Channel.SMS, phone, body, key=key, salon_id=salon_id, sender_name=sender_name
            )


def build_notifier(
    sender: MessageSender, settings: CloudSettings | None = None, *, fallback: bool = True
) -> Notifier:
    """The app's sender as a Notifier. For Authentica, a sender of its own that makes one HTTP call per
    attempt (the outbox owns retries and backoff; the OTP sender keeps its quick in-request retries)."""
    if isinstance(sender, AuthenticaSender) and settings is not None and settings.authentica_api_key:
        sender = AuthenticaSender(
            settings.authentica_api_key.get_secret_value(), settings.authentica_base_url, max_attempts=1
        )
    notifier: Notifier = SenderNotifier(sender)
    return FallbackNotifier(notifier) if fallback else notifier
