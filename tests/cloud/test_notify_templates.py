"""Message texts in both languages, rendered for real from the catalogs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from salon_desk.cloud.messaging.base import Channel, MessagingError, ProviderResult
from salon_desk.cloud.notify.events import Event
from salon_desk.cloud.notify.providers import DeliveryFailed, FallbackNotifier, SenderNotifier
from salon_desk.cloud.notify.templates import TEMPLATES, MessageFacts, render
from salon_desk.l10n import merged_catalog

FSI, PDI = "\u2068", "\u2069"
FACTS = MessageFacts(
    salon_name_ar="صالون الورد",
    salon_name_en="Rose Salon",
    timezone="Asia/Riyadh",
    starts_at=datetime(2026, 11, 26, 13, 30, tzinfo=UTC),  # Thursday 16:30 in Riyadh
    link="https://salon.example/b/abc123",
)


def test_a_confirmation_in_english_is_plain_short_sms_text() -> None:
    text = render(Event.BOOKING_CONFIRMED, "en", FACTS)
    assert text == (
        "Rose Salon: booking confirmed for Thursday 26 November, 4:30 PM. Details:\nhttps://salon.example/b/abc123"
    )
    assert text.isascii() and len(text) <= 160  # one GSM-7 segment


def test_a_confirmation_in_arabic_isolates_names_and_times() -> None:
    text = render(Event.BOOKING_CONFIRMED, "ar", FACTS)
    assert text == (
        f"{FSI}صالون الورد{PDI}: تم تأكيد الحجز لموعد {FSI}الخميس 26 نوفمبر، 4:30 م{PDI}. التفاصيل:\n"
        "https://salon.example/b/abc123"
    )


def test_arabic_digits_and_hijri_follow_the_salon_settings() -> None:
    facts = MessageFacts(**{**FACTS.__dict__, "digit_style": "arab", "hijri": True})
    text = render(Event.REMINDER_2H, "ar", facts)
    assert "٤:٣٠ م" in text and text.endswith("\nhttps://salon.example/b/abc123")
    assert "١٦ جمادى الآخرة ١٤٤٨" in render(Event.BOOKING_CANCELLED, "ar", facts)


def test_payment_and_receipt_templates_are_ready() -> None:
    facts = MessageFacts(**{**FACTS.__dict__, "amount_halalas": 15000})
    assert (
        render(Event.PAYMENT_LINK, "en", facts)
        == "Rose Salon: payment link for SAR 150.00:\nhttps://salon.example/b/abc123"
    )
    assert "رابط الدفع" in render(Event.PAYMENT_LINK, "ar", facts)
    assert "إيصال" in render(Event.RECEIPT, "ar", facts)


def test_every_template_has_an_arabic_translation_with_the_same_placeholders() -> None:
    catalog = merged_catalog("ar")
    for event, msgid in TEMPLATES.items():
        message = catalog.get(msgid)
        assert message is not None and message.string, event
        for placeholder in ("{salon}", "{when}", "{time}", "{amount}", "{link}"):
            assert (placeholder in msgid) == (placeholder in message.string), (event, placeholder)


class _Refusing:
    name = "stub"

    def __init__(self, refuse: set[Channel], down: bool = False) -> None:
        self.refuse, self.down, self.calls = refuse, down, []

    def send_text(self, phone, body, channel, *, salon_id=None, sender_name=None):  # type: ignore[no-untyped-def]
        self.calls.append(Channel(channel))
        if self.down:
            raise MessagingError("messaging.unavailable")
        if channel in self.refuse:
            raise MessagingError("messaging.channel_unsupported", channel=channel.value)
        return ProviderResult(provider_id="m1", status="queued")

    def send_otp(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("notifications never send OTPs")

    def close(self) -> None:
        pass


def test_whatsapp_falls_back_to_sms_when_refused_but_an_outage_is_retried_later() -> None:
    refusing = _Refusing({Channel.WHATSAPP})
    delivery = FallbackNotifier(SenderNotifier(refusing)).send(
        Channel.WHATSAPP, "+966551234567", "x", key="j1"
    )
    assert delivery.channel is Channel.SMS and refusing.calls == [Channel.WHATSAPP, Channel.SMS]

    down = _Refusing(set(), down=True)
    with pytest.raises(DeliveryFailed) as failure:
        FallbackNotifier(SenderNotifier(down)).send(Channel.WHATSAPP, "+966551234567", "x", key="j2")
    assert failure.value.retryable and down.calls == [Channel.WHATSAPP]
