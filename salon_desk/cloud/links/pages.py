"""Server-rendered customer pages (HTML strings; every text through the Localizer, every value escaped).

Arabic pages are `dir="rtl"`, English `dir="ltr"`; names, phones and times sit in Unicode isolates so
mixed runs never reorder. The language switch keeps the customer on the same link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape as html_escape

from salon_desk.domain.booking import BookingStatus, Role, allowed_targets
from salon_desk.domain.deposit_policy import DepositAction
from salon_desk.domain.digits import apply_digit_style
from salon_desk.domain.i18n import N_
from salon_desk.domain.phone import format_national
from salon_desk.l10n import FSI, LRI, PDI, Localizer, get_localizer

from ..payments.deposit_policy import DepositFate
from .actions import cancel_too_late
from .booking_view import BookingView
from .sessions import LinkSessionState
from .style import stylesheet

AUTONYMS = {"ar": "العربية", "en": "English"}  # each language in its own name
LABELS = {
    "link_invalid": N_("This link is not valid or has expired."),
    "contact_help": N_("Please contact the salon if you need help."),
    "booking_details": N_("Booking details"),
    "status": N_("Status"),
    "date": N_("Date"),
    "time": N_("Time"),
    "services": N_("Services"),
    "total": N_("Total incl. VAT"),
    "no_changes": N_("This booking can no longer be changed here."),
    "cancel_closed": N_("Online cancellation is closed for this appointment."),
    "no_phone": N_("This booking has no mobile number. Please contact the salon."),
    "confirm": N_("Confirm appointment"),
    "cancel": N_("Cancel booking"),
    "send_code": N_("Send verification code"),
    "code": N_("Verification code"),
    "resend": N_("Resend code"),
    # deposits (issue #12)
    "deposit": N_("Deposit"),
    "pay_deposit": N_("Pay deposit"),
    "verify": N_("Verify code"),
    "deposit_paid": N_("Deposit paid"),
}
DEPOSIT_TEXTS = {
    "asked": N_("The salon asks for a deposit of {amount} to confirm this booking."),
    "deducted": N_("The deposit is deducted from your bill."),
    "paid": N_("Deposit of {amount} received. Thank you!"),
}
# The salon's deposit policy before paying, one sentence per case: (case, what the policy does) -> text
POLICY_TEXTS = {
    ("cancel_before", DepositAction.REFUND): N_("It is refunded if you cancel before {deadline}."),
    ("cancel_before", DepositAction.KEEP): N_("It is kept if you cancel before {deadline}."),
    ("cancel_later", DepositAction.REFUND): N_("It is refunded if you cancel later."),
    ("cancel_later", DepositAction.KEEP): N_("It is kept if you cancel later."),
    ("cancel", DepositAction.REFUND): N_("It is refunded if you cancel."),
    ("cancel", DepositAction.KEEP): N_("It is kept if you cancel."),
    ("no_show", DepositAction.REFUND): N_("It is refunded if you do not come."),
    ("no_show", DepositAction.KEEP): N_("It is kept if you do not come."),
    ("reschedule", DepositAction.CARRY_OVER): N_("It carries over to the new time if the salon reschedules you."),
    ("reschedule", DepositAction.REFUND): N_("It is refunded if the salon reschedules you."),
}


@dataclass(frozen=True)
class DepositOffer:
    """The salon's deposit for this booking: how much, whether it is paid, where to pay it."""

    amount_halalas: int
    paid: bool
    pay_href: str
    fate: DepositFate | None = None  # what the salon's policy did with it after a cancel / no-show / reschedule


@dataclass(frozen=True)
class Notice:
    kind: str  # ok | error | info
    text: str


@dataclass(frozen=True)
class PageState:
    token: str
    lang: str
    csrf: str
    view: BookingView
    session: LinkSessionState
    now: datetime
    notice: Notice | None = None
    deposit: DepositOffer | None = None


_ISOLATES = {LRI: ('<bdi dir="ltr">', "</bdi>"), FSI: ("<bdi>", "</bdi>")}


def escape(text: str) -> str:
    """HTML-escapes `text` and turns the Localizer's Unicode isolates (LRI/FSI … PDI) into <bdi> elements,
    which every browser honours (some ignore the isolate characters), so a phone number stays LTR in Arabic."""
    escaped = html_escape(text)
    if LRI not in escaped and FSI not in escaped and PDI not in escaped:
        return escaped
    out: list[str] = []
    closers: list[str] = []
    for char in escaped:
        if char in _ISOLATES:
            opener, closer = _ISOLATES[char]
            out.append(opener)
            closers.append(closer)
        elif char == PDI:
            out.append(closers.pop() if closers else "")
        else:
            out.append(char)
    return "".join(out + closers[::-1])


@lru_cache(maxsize=256)
def label(loc: Localizer, key: str) -> str:
    """A fixed page text, translated and escaped (module-level N_ so Babel extracts it)."""
    return escape(loc.gettext(LABELS[key]))


def localizer_for(lang: str, view: BookingView | None = None) -> Localizer:
    return get_localizer(lang, view.digit_style if view else "latn")


@lru_cache(maxsize=1024)
def masked_phone(loc: Localizer, e164: str) -> str:
    """`050 ••• ••67`: enough for the customer to recognise the number, never the whole of it."""
    national = format_national(e164)
    digits = [i for i, c in enumerate(national) if c.isdigit()]
    hidden = set(digits[3:-2])
    text = "".join("•" if i in hidden else c for i, c in enumerate(national))
    return f"{LRI}{apply_digit_style(text, loc.digit_style)}{PDI}"


def _document(lang: str, title: str, header: str, body: str, switch_href: str | None) -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    other = "en" if lang == "ar" else "ar"
    switch = (
        f'<a href="{escape(switch_href)}" lang="{other}" hreflang="{other}">{AUTONYMS[other]}</a>'
        if switch_href
        else ""
    )
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{stylesheet(lang)}</style></head>"
        f"<body><header><h1>{escape(header)}</h1>{switch}</header><main>{body}</main></body></html>"
    )


def not_found_page(lang: str) -> str:
    """One page for every unknown, forged or expired link: it says nothing about any booking."""
    loc = localizer_for(lang)
    _ = loc.gettext
    body = (
        f'<div class="card"><h2>{label(loc, "link_invalid")}</h2>'
        f'<p class="muted">{label(loc, "contact_help")}</p></div>'
    )
    return _document(lang, _("Link not available"), _("Link not available"), body, None)


def simple_page(lang: str, title: str, text: str) -> str:
    return _document(lang, title, title, f'<div class="notice notice-error">{escape(text)}</div>', None)


def booking_page(state: PageState) -> str:
    loc = localizer_for(state.lang, state.view)
    _ = loc.gettext
    view = state.view
    notice = (
        f'<div class="notice notice-{state.notice.kind}" role="status">{escape(state.notice.text)}</div>'
        if state.notice
        else ""
    )
    body = notice + _booking_cards(loc, view) + _actions_card(loc, state)
    switch = f"/b/{state.token}?lang={'en' if state.lang == 'ar' else 'ar'}"
    return _document(state.lang, _("Booking details"), view.salon_name(state.lang), body, switch)


# The parts of a page that depend only on the booking as read and the reader's language are drawn once per
# version of the booking (the view is the key: any change to it is a new entry), not once per visit.
@lru_cache(maxsize=1024)
def _booking_cards(loc: Localizer, view: BookingView) -> str:
    return _details_card(loc, view) + _items_card(loc, view)


def _details_card(loc: Localizer, view: BookingView) -> str:
    _ = loc.gettext
    tz, start = view.timezone, view.starts_at
    end = max(item.end_at for item in view.items)
    times = f"{loc.isolate(loc.time(start, tz))} – {loc.isolate(loc.time(end, tz))}"
    hijri = loc.hijri(start, tz)
    return (
        f'<section class="card"><h2>{label(loc, "booking_details")}</h2><dl>'
        f'<dt>{label(loc, "status")}</dt><dd><span class="status status-{escape(view.status)}">'
        f"{escape(loc.status_label(view.status))}</span></dd>"
        f"<dt>{label(loc, 'date')}</dt><dd>{escape(loc.date(start, 'full', tz))}"
        f'<span class="hijri">{escape(hijri)}</span></dd>'
        f"<dt>{label(loc, 'time')}</dt><dd>{escape(times)}</dd></dl></section>"
    )


def _items_card(loc: Localizer, view: BookingView) -> str:
    _ = loc.gettext
    rows = []
    for item in view.items:
        service = item.service_en if loc.lang == "en" else item.service_ar
        staff = item.staff_en if loc.lang == "en" else item.staff_ar
        with_staff = _("with {staff}").format(staff=loc.isolate(staff)) if staff else ""
        rows.append(
            f"<li><span>{escape(service)}<br><span class='muted'>{escape(with_staff)} · "
            f"{escape(loc.isolate(loc.time(item.start_at, view.timezone)))}</span></span>"
            f"<span>{escape(loc.isolate(loc.money(item.price_halalas)))}</span></li>"
        )
    total = loc.money(sum(item.price_halalas for item in view.items))
    return (
        f'<section class="card"><h2>{label(loc, "services")}</h2><ul class="items">{"".join(rows)}</ul>'
        f'<div class="total"><span>{label(loc, "total")}</span>'
        f"<span>{escape(loc.isolate(total))}</span></div></section>"
    )


def _actions_card(loc: Localizer, state: PageState) -> str:
    _ = loc.gettext
    view = state.view
    targets = allowed_targets(view.status, Role.CUSTOMER)
    can_confirm = BookingStatus.CONFIRMED in targets
    cancellable = BookingStatus.CANCELLED in targets
    can_cancel = cancellable and not cancel_too_late(view, state.now)
    deposit = state.deposit
    needs_deposit = deposit is not None and not deposit.paid and can_confirm
    parts = []
    if deposit is not None and (needs_deposit or deposit.paid or deposit.fate is not None):
        parts.append(_deposit_card(loc, state, deposit))
    if can_confirm or can_cancel:
        parts.append(_verification_forms(loc, state, can_confirm and not needs_deposit, can_cancel,
                                         verify_only=needs_deposit))
        if can_cancel and view.cancel_cutoff_minutes:
            when = view.cancel_deadline
            deadline = loc.isolate(
                f"{loc.date(when, 'medium', view.timezone)} {loc.time(when, view.timezone)}"
            )
            line = _("The booking can be cancelled here until {deadline}.").format(deadline=deadline)
            parts.append(f'<p class="muted">{escape(line)}</p>')
    elif view.status not in (BookingStatus.CANCELLED, BookingStatus.COMPLETED):
        parts.append(f"<p>{label(loc, 'no_changes')}</p>")
    if cancellable and not can_cancel:
        parts.append(f"<p>{label(loc, 'cancel_closed')}</p>")
    if cancellable or not (can_confirm or can_cancel or view.status == BookingStatus.CANCELLED):
        parts.append(f'<p class="muted">{escape(contact_guidance(loc, view))}</p>')
    return f'<section class="card">{"".join(parts)}</section>' if parts else ""


@lru_cache(maxsize=1024)
def contact_guidance(loc: Localizer, view: BookingView) -> str:
    _ = loc.gettext
    if view.salon_phone:
        return _("To change or cancel the booking, please contact the salon: {phone}.").format(
            phone=loc.phone(view.salon_phone)
        )
    return _("To change or cancel the booking, please contact the salon.")


def _hidden(state: PageState) -> str:
    return (
        f'<input type="hidden" name="csrf" value="{escape(state.csrf)}">'
        f'<input type="hidden" name="lang" value="{escape(state.lang)}">'
    )


def _deposit_card(loc: Localizer, state: PageState, deposit: DepositOffer) -> str:
    """The deposit, the policy (before paying) and, once the code is verified, the pay button."""
    _ = loc.gettext
    view = state.view
    amount = loc.isolate(loc.money(deposit.amount_halalas))
    if deposit.fate is not None:
        fate = _(deposit.fate.text).format(amount=loc.isolate(loc.money(deposit.fate.amount_halalas)))
        return (f'<div id="deposit"><h2>{label(loc, "deposit")}</h2>'
                f'<p id="deposit-outcome">{escape(fate)}</p></div>')
    if deposit.paid:
        return (f'<p id="deposit-paid" class="status status-confirmed">'
                f'{escape(_(DEPOSIT_TEXTS["paid"]).format(amount=amount))}</p>')
    policy = policy_text(loc, view)
    parts = [
        f'<div id="deposit"><h2>{label(loc, "deposit")}</h2>',
        f'<p>{escape(_(DEPOSIT_TEXTS["asked"]).format(amount=amount))}</p>',
        f'<p class="muted" id="deposit-policy">{escape(policy)}</p>',
    ]
    if state.session.verified:  # a link, not a form: the hosted checkout is on another origin
        parts.append(f'<a class="button" id="pay-deposit" href="{escape(deposit.pay_href)}">'
                     f'{label(loc, "pay_deposit")} · {escape(amount)}</a>')
    parts.append("</div>")
    return "".join(parts)


@lru_cache(maxsize=1024)
def policy_text(loc: Localizer, view: BookingView) -> str:
    """The salon's deposit policy (its profile's choices), stated before the customer pays."""
    _ = loc.gettext
    rules = view.deposit_policy
    sentences = [_(DEPOSIT_TEXTS["deducted"])]
    if view.cancel_cutoff_minutes and rules.on_cancel != rules.on_late_cancel:
        when = view.cancel_deadline
        deadline = loc.isolate(f"{loc.date(when, 'medium', view.timezone)} {loc.time(when, view.timezone)}")
        sentences.append(_(POLICY_TEXTS["cancel_before", rules.on_cancel]).format(deadline=deadline))
        sentences.append(_(POLICY_TEXTS["cancel_later", rules.on_late_cancel]))
    else:  # no cutoff, or the same either side of it
        sentences.append(_(POLICY_TEXTS["cancel", rules.on_cancel]))
    sentences.append(_(POLICY_TEXTS["no_show", rules.on_no_show]))
    sentences.append(_(POLICY_TEXTS["reschedule", rules.on_reschedule]))
    return " ".join(sentences)


def _verification_forms(
    loc: Localizer, state: PageState, can_confirm: bool, can_cancel: bool, *, verify_only: bool = False
) -> str:
    _ = loc.gettext
    view, base = state.view, f"/b/{state.token}"
    if not view.customer_phone:
        return f"<p>{label(loc, 'no_phone')}</p>"
    phone = masked_phone(loc, view.customer_phone)
    buttons = ""
    if verify_only and not state.session.verified:
        buttons += f'<button type="submit" formaction="{base}/verify" id="verify">{label(loc, "verify")}</button>'
    if can_confirm:
        buttons += (
            f'<button type="submit" formaction="{base}/confirm" id="confirm">{label(loc, "confirm")}</button>'
        )
    if can_cancel:
        buttons += (
            f'<button type="submit" formaction="{base}/cancel" id="cancel" class="secondary">'
            f"{label(loc, 'cancel')}</button>"
        )
    if state.session.verified:
        if not buttons:
            return ""
        return f'<form method="post" action="{base}/confirm">{_hidden(state)}{buttons}</form>'
    send = _("A verification code will be sent by SMS to {phone}.").format(phone=phone)
    if not state.session.code_sent:
        return (
            f'<form method="post" action="{base}/code">{_hidden(state)}<p>{escape(send)}</p>'
            f'<button type="submit" id="send-code">{label(loc, "send_code")}</button></form>'
        )
    return (
        f'<form method="post" action="{base}/confirm">{_hidden(state)}'
        f'<label for="code">{label(loc, "code")}</label>'
        '<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" '
        f'maxlength="10" required>{buttons}</form>'
        f'<form method="post" action="{base}/code">{_hidden(state)}'
        f'<button type="submit" class="link" id="resend">{label(loc, "resend")}</button></form>'
    )
