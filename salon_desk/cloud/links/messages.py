"""The sentences the customer page answers with (notices after a form), in the page's language."""

from __future__ import annotations

from typing import Any

from salon_desk.domain.booking import BookingStatus

from ..i18n import translate
from .booking_view import BookingView
from .pages import Notice, localizer_for, masked_phone


def text(lang: str, key: str, *, view: BookingView | None = None) -> str:
    loc = localizer_for(lang, view)
    _ = loc.gettext
    if key == "page_expired":
        return _("This page has expired. Please try again.")
    if key == "nothing_to_do":
        return _("This booking can no longer be changed here.")
    if key == "no_phone":
        return _("This booking has no mobile number. Please contact the salon.")
    if key == "ask_code_first":
        return _("Please ask for a verification code first.")
    if key == "enter_code":
        return _("Please enter the verification code.")
    if key == "code_sent" and view is not None and view.customer_phone:
        return _("A verification code was sent to {phone}.").format(
            phone=masked_phone(loc, view.customer_phone)
        )
    raise KeyError(key)


def action_done(lang: str, target: BookingStatus) -> Notice:
    _ = localizer_for(lang).gettext
    if target is BookingStatus.CONFIRMED:
        return Notice("ok", _("The appointment is confirmed. Thank you."))
    return Notice("ok", _("The booking is cancelled."))


def refusal_text(
    lang: str, view: BookingView, target: BookingStatus, code: str | None, params: dict[str, Any]
) -> str:
    """Why the customer's confirm / cancel was refused, in words about *this* booking."""
    loc = localizer_for(lang, view)
    _ = loc.gettext
    if code in ("booking.transition_refused", "booking.transition_forbidden"):
        current = str(params.get("from_status") or view.status)
        if current == target.value:
            if target is BookingStatus.CONFIRMED:
                return _("The appointment is already confirmed.")
            return _("The booking is already cancelled.")
        status = loc.isolate(loc.status_label(current))
        if target is BookingStatus.CONFIRMED:
            return _("This booking is {status}, so it cannot be confirmed.").format(status=status)
        return _("This booking is {status}, so it cannot be cancelled here.").format(status=status)
    return translate(code or "internal", params, lang)
