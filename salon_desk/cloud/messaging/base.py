"""The one interface every SMS/WhatsApp provider implements, and the errors it may raise.

Phone numbers arrive in E.164 (`+9665XXXXXXXX`); each provider translates to its own format.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from salon_desk.domain.i18n import N_

from ..errors import Unavailable

MESSAGES = {
    "messaging.unavailable": N_("The message could not be sent right now. Please try again shortly."),
    "messaging.rejected": N_("The message provider refused the message."),
    "messaging.channel_unsupported": N_("This provider cannot send messages on {channel}."),
}


class Channel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"


class MessageKind(StrEnum):
    OTP = "otp"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class ProviderResult:
    provider_id: str | None  # the provider's message id, when it returns one
    status: str  # "sent" | "queued" | "stored" (console)


class MessagingError(Unavailable):
    """The provider did not take the message. `code` says whether retrying later may help."""


class MessageSender(Protocol):
    name: str

    def send_otp(
        self, phone: str, code: str, channel: Channel, lang: str, *, salon_id: str | None = None
    ) -> ProviderResult:
        """Delivers OUR verification code (we generate, hash and check it; the provider only carries it)."""
        ...

    def send_text(
        self,
        phone: str,
        body: str,
        channel: Channel,
        *,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> ProviderResult: ...

    def close(self) -> None: ...
