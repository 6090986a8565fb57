"""The words of a conflict card in the current language: reason, both sides' facts, fix labels, errors.

Names, times and desk names are wrapped in isolates so Arabic and Latin runs never reorder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from salon_desk.l10n import Localizer
from salon_desk.ui import errors
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.names import name_in
from salon_desk.usecases.views import ConflictCard, ConflictFix


def fill(l10n: Localizer, template: str, **params: Any) -> str:
    """Fills a translated template; every parameter is isolated (it is a name, a time or a number)."""
    return template.format(**{key: l10n.isolate(str(value)) for key, value in params.items()})


def name_of(l10n: Localizer, person: Any) -> str:
    """A staff member's or service's name in the current language."""
    return name_in(person, l10n.lang, "—")


def joined(l10n: Localizer, names: list[str]) -> str:
    return ("، " if l10n.lang == "ar" else ", ").join(names)


def when(l10n: Localizer, instant: datetime | None, tz: str) -> str:
    if instant is None:
        return "—"
    return f"{l10n.weekday(instant, tz)} {l10n.datetime(instant, tz)}"


def title(card: ConflictCard) -> str:
    if card.kind == "overlap":
        return _("Scheduling conflict")
    if card.kind == "move_refused":
        return _("Move not accepted")
    if card.kind == "transition_refused":
        return _("Status change not accepted")
    return _("Change not accepted")


def reason(l10n: Localizer, card: ConflictCard, tz: str) -> str:
    customer = card.customer_name or _("a customer")
    staff = name_of(l10n, card.staff[0] if card.staff else None)
    time = l10n.time(card.attempted_start, tz) if card.attempted_start else "—"
    if card.kind == "overlap" and card.existing is not None:
        existing = card.existing
        return fill(
            l10n,
            _(
                "Booking for {customer} at {time} with {staff} could not be kept: {staff} is already booked "
                "{start}–{end}."
            ),
            customer=customer,
            time=time,
            staff=staff,
            start=l10n.time(existing.start_at, tz) if existing.start_at else "—",
            end=l10n.time(existing.end_at, tz) if existing.end_at else "—",
        )
    if card.kind == "move_refused":
        return fill(
            l10n,
            _("Moving the booking of {customer} to {time} was not accepted; it stays at {kept}."),
            customer=customer,
            time=time,
            kept=l10n.time(card.booking_start, tz) if card.booking_start else "—",
        )
    if card.kind == "transition_refused":
        return fill(
            l10n,
            _("{desk} could not mark the booking of {customer} as {attempted}: it is already {current}."),
            desk=card.attempted_by_device or _("A desk"),
            customer=customer,
            attempted=l10n.status_label(card.attempted_status or ""),
            current=l10n.status_label(card.booking_status or ""),
        )
    return fill(l10n, _("A change from {desk} could not be applied."), desk=card.attempted_by_device or "—")


def starts_in(l10n: Localizer, card: ConflictCard) -> str:
    minutes = card.minutes_to_start
    if minutes is None:
        return ""
    if minutes < 0:
        n = -minutes
        return ngettext("Started {n} minute ago", "Started {n} minutes ago", n).format(n=l10n.number(n))
    if minutes < 120:
        return ngettext("Starts in {n} minute", "Starts in {n} minutes", minutes).format(
            n=l10n.number(minutes)
        )
    hours = minutes // 60
    if hours < 48:
        return ngettext("Starts in {n} hour", "Starts in {n} hours", hours).format(n=l10n.number(hours))
    days = hours // 24
    return ngettext("Starts in {n} day", "Starts in {n} days", days).format(n=l10n.number(days))


def tried_lines(l10n: Localizer, card: ConflictCard, tz: str) -> list[str]:
    """What the desk tried."""
    desk = card.attempted_by_device or "—"
    who = fill(l10n, _("This desk ({desk})"), desk=desk) if card.attempted_here else desk
    lines = [
        fill(l10n, _("Customer: {name}"), name=card.customer_name or "—"),
        fill(
            l10n, _("Services: {names}"), names=joined(l10n, [name_of(l10n, s) for s in card.services]) or "—"
        ),
        fill(
            l10n, _("Staff member: {name}"), name=joined(l10n, [name_of(l10n, s) for s in card.staff]) or "—"
        ),
    ]
    if card.attempted_status:
        lines.append(fill(l10n, _("Asked for: {status}"), status=l10n.status_label(card.attempted_status)))
    else:
        lines.append(fill(l10n, _("Time: {time}"), time=when(l10n, card.attempted_start, tz)))
    lines.append(
        fill(
            l10n,
            _("By {who}, {when}"),
            who=who,
            when=l10n.datetime(card.created_at, tz),
        )
    )
    return lines


def server_lines(l10n: Localizer, card: ConflictCard, tz: str) -> list[str]:
    """What the server has."""
    existing = card.existing
    if card.kind == "overlap" and existing is not None:
        return [
            fill(l10n, _("Booking of {name}"), name=existing.customer_name or "—"),
            fill(l10n, _("Staff member: {name}"), name=name_of(l10n, existing.staff)),
            fill(
                l10n,
                _("Time: {start}–{end}"),
                start=when(l10n, existing.start_at, tz),
                end=l10n.time(existing.end_at, tz) if existing.end_at else "—",
            ),
            fill(
                l10n,
                _("Booked at {when}"),
                when=l10n.datetime(existing.booked_at, tz) if existing.booked_at else "—",
            ),
            fill(l10n, _("This booking: {status}"), status=l10n.status_label(card.booking_status or "")),
        ]
    return [
        fill(l10n, _("Status: {status}"), status=l10n.status_label(card.booking_status or "") or "—"),
        fill(l10n, _("Time: {time}"), time=when(l10n, card.booking_start, tz)),
    ]


def short_when(l10n: Localizer, instant: datetime | None, tz: str, reference: datetime | None) -> str:
    """Weekday and time when that is unambiguous (within six days of the card's time): the full date would
    only crowd the button."""
    if instant is None:
        return "—"
    if reference is None or abs((instant - reference).days) >= 6:
        return when(l10n, instant, tz)
    return f"{l10n.weekday(instant, tz)} {l10n.time(instant, tz)}"


def fix_label(l10n: Localizer, fix: ConflictFix, tz: str, reference: datetime | None = None) -> str:
    if fix.kind == "same_staff_slot":
        return fill(
            l10n,
            _("Move to {time} with {staff}"),
            time=short_when(l10n, fix.start_at, tz, reference),
            staff=name_of(l10n, fix.staff),
        )
    if fix.kind == "other_staff":
        return fill(
            l10n,
            _("Give to {staff} at {time}"),
            staff=name_of(l10n, fix.staff),
            time=l10n.time(fix.start_at, tz) if fix.start_at else "—",
        )
    labels = {
        "waitlist": _("Add to the waitlist"),
        "cancel": _("Cancel and notify the customer"),
        "keep": _("Keep it as the server has it"),
        "walk_in": _("Re-open as a walk-in"),
    }
    return labels.get(fix.kind, fix.kind)


def error_text(l10n: Localizer, error: BaseException) -> str:
    return errors.error_text(error, l10n, _("Something went wrong. Nothing was changed. Please try again."))
