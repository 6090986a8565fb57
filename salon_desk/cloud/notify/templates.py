"""Customer message texts (gettext, ar/en): short enough for SMS, the salon's name first, times in the
salon's time zone, the booking link last and alone so phones make it clickable.

Arabic SMS are UCS-2 anyway, so names and times go inside Unicode isolates there (ARABIC.md); English
messages stay plain GSM-7 text (an isolate character would force UCS-2 and halve the segment size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from salon_desk.domain.i18n import N_
from salon_desk.l10n import Localizer, get_localizer

from .events import Event

TEMPLATES: dict[Event, str] = {
    Event.BOOKING_CREATED: N_("{salon}: booking received for {when}. Confirm or cancel:\n{link}"),
    Event.BOOKING_CONFIRMED: N_("{salon}: booking confirmed for {when}. Details:\n{link}"),
    Event.BOOKING_RESCHEDULED: N_("{salon}: appointment moved to {when}. Details:\n{link}"),
    Event.BOOKING_CANCELLED: N_("{salon}: the booking for {when} is cancelled."),
    Event.REMINDER_24H: N_("{salon}: reminder of the appointment {when}. Details:\n{link}"),
    Event.REMINDER_2H: N_("{salon}: the appointment is today at {time}. Details:\n{link}"),
    Event.PAYMENT_LINK: N_("{salon}: payment link for {amount}:\n{link}"),
    Event.RECEIPT: N_("{salon}: receipt for {amount}:\n{link}"),
}
DAY_AND_TIME = N_("{day}, {time}")


@dataclass(frozen=True)
class MessageFacts:
    """Everything a template may show, read from the cloud's rows when the message is first claimed."""

    salon_name_ar: str
    salon_name_en: str
    timezone: str
    starts_at: datetime | None = None
    link: str = ""
    amount_halalas: int | None = None
    digit_style: str = "latn"
    hijri: bool = False  # salon setting: add the Umm al-Qura date beside the Gregorian one
    extra: dict[str, str] = field(default_factory=dict)


def render(event: Event | str, language: str, facts: MessageFacts) -> str:
    lang = language if language in ("ar", "en") else "ar"
    l10n = get_localizer(lang, facts.digit_style)
    text = l10n.gettext(TEMPLATES[Event(event)])
    values = {
        "salon": _isolated(l10n, facts.salon_name_ar if lang == "ar" else facts.salon_name_en),
        "when": _isolated(l10n, when(l10n, facts)) if facts.starts_at else "",
        "time": _isolated(l10n, _gsm(l10n.time(facts.starts_at, facts.timezone))) if facts.starts_at else "",
        "amount": _isolated(l10n, _gsm(l10n.money(facts.amount_halalas)))
        if facts.amount_halalas is not None
        else "",
        "link": facts.link,
    }
    return text.format_map(values).strip()


def when(l10n: Localizer, facts: MessageFacts) -> str:
    """ "Thursday 26 November, 4:30 PM" in the salon's zone; with the Hijri date when the salon wants it."""
    assert facts.starts_at is not None
    tz = facts.timezone
    day = l10n.date(facts.starts_at, "EEEE d MMMM", tz)
    text = l10n.gettext(DAY_AND_TIME).format(day=day, time=l10n.time(facts.starts_at, tz))
    if facts.hijri and (hijri := l10n.hijri(facts.starts_at, tz)):
        text = f"{text} ({hijri})"
    return _gsm(text)


def _gsm(text: str) -> str:
    # CLDR's no-break spaces (before AM/PM, after SAR) are not in the GSM alphabet.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _isolated(l10n: Localizer, text: str) -> str:
    return l10n.isolate(text) if l10n.is_rtl else text
