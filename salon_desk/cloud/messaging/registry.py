"""Which provider class `SALON_SMS_PROVIDER` names. A new provider (Unifonic, Taqnyat) is one class
implementing `MessageSender` plus one entry here."""

from __future__ import annotations

from collections.abc import Callable

from ..clock import Clock
from ..db import Database
from ..settings import CloudSettings
from .authentica import AuthenticaSender
from .base import MessageSender
from .console import ConsoleSender

SenderFactory = Callable[[CloudSettings, Database, Clock], MessageSender]


def _console(settings: CloudSettings, db: Database, clock: Clock) -> MessageSender:
    if settings.is_production:
        raise ValueError("the console message provider is refused in production")
    return ConsoleSender(db, clock)


def _authentica(settings: CloudSettings, db: Database, clock: Clock) -> MessageSender:
    if settings.authentica_api_key is None:
        raise ValueError("AUTHENTICA_API_KEY is not set")
    return AuthenticaSender(settings.authentica_api_key.get_secret_value(), settings.authentica_base_url)


PROVIDERS: dict[str, SenderFactory] = {
    "console": _console,
    "authentica": _authentica,
}


def build_sender(settings: CloudSettings, db: Database, clock: Clock) -> MessageSender:
    try:
        factory = PROVIDERS[settings.sms_provider]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ValueError(
            f"unknown SALON_SMS_PROVIDER {settings.sms_provider!r}; expected one of {known}"
        ) from None
    return factory(settings, db, clock)
