"""How an online payment reads on the desk (issue #12): its live state in one line, its money from halalas in
the salon's SAR format, and who last changed it and when (from the cloud's history). Pure text, tested
without widgets."""

from __future__ import annotations

from salon_desk.domain.i18n import N_
from salon_desk.domain.online_payments import HistoryEntry, OnlineState, refund_refused_by_provider
from salon_desk.l10n import Localizer
from salon_desk.usecases.online_payments import OnlinePaymentLine

STATES = {
    OnlineState.REQUESTED: N_("Requested, waiting for the customer"),
    OnlineState.PAID: N_("Paid"),
    OnlineState.PARTLY_REFUNDED: N_("Refunded {refunded} of {paid}"),
    OnlineState.REFUNDED: N_("Refunded in full ({refunded})"),
    OnlineState.VOIDED: N_("Voided: all of it went back to the customer"),
    OnlineState.FAILED: N_("Failed"),
    OnlineState.EXPIRED: N_("Expired, not paid"),
    OnlineState.CANCELLED: N_("Cancelled"),
    OnlineState.MISMATCH: N_("Paid a different amount: a manager should check it"),
}
PURPOSES = {"deposit": N_("Deposit"), "balance": N_("Visit payment")}
ACTORS = {"moyasar": N_("Moyasar"), "webhook": N_("Moyasar"), "reconcile": N_("the cloud's check"),
          "customer": N_("the customer"), "return_page": N_("the customer"), "link.adopt": N_("the cloud"),
          "device": N_("a desk"), "user": N_("a manager"),
          "policy": N_("the salon's deposit policy")}  # policy:<event>: a refund the cloud made by the policy
REFUND_REFUSED_TEXT = N_("Moyasar refused the deposit refund: return it to the customer another way")
LAST_CHANGE = N_("{when}, by {who}")
EXPIRES = N_("Link valid until {when}")
EXPIRED = N_("The link expired on {when}")


def headline(l10n: Localizer, line: OnlinePaymentLine) -> str:
    """"Visit payment · SAR 120.00 — Refunded SAR 60.00 of SAR 120.00"."""
    payment = line.payment
    purpose = l10n.gettext(PURPOSES.get(payment.purpose, PURPOSES["balance"]))
    return f"{purpose} · {l10n.isolate(l10n.money(payment.amount_halalas))} — {state_text(l10n, line)}"


def state_text(l10n: Localizer, line: OnlinePaymentLine) -> str:
    payment = line.payment
    text = l10n.gettext(STATES[line.state]).format(
        refunded=l10n.isolate(l10n.money(payment.refunded_halalas)),
        paid=l10n.isolate(l10n.money(payment.paid_halalas)),
    )
    if line.state in {OnlineState.PAID, OnlineState.PARTLY_REFUNDED} and payment.company:
        text = f"{text} ({l10n.isolate(card_network_text(l10n, payment.company))})"
    if line.state is OnlineState.FAILED and payment.message:
        text = f"{text}: {l10n.isolate(payment.message)}"
    if line.state in {OnlineState.PAID, OnlineState.PARTLY_REFUNDED} and refund_refused_by_provider(payment):
        text = f"{text} — {l10n.gettext(REFUND_REFUSED_TEXT)}"
    return text


def detail(l10n: Localizer, line: OnlinePaymentLine, timezone: str, names: dict[str, str]) -> str:
    """The second line: until when the link is valid, or who changed it last and when."""
    payment = line.payment
    if line.state is OnlineState.REQUESTED and payment.expires_at is not None:
        return l10n.gettext(EXPIRES).format(when=l10n.datetime(payment.expires_at, timezone))
    if line.state is OnlineState.EXPIRED and payment.expires_at is not None:
        return l10n.gettext(EXPIRED).format(when=l10n.datetime(payment.expires_at, timezone))
    last = payment.history[-1] if payment.history else None
    when = last.at if last is not None else payment.updated_at
    who = actor_text(l10n, last, names) if last is not None else l10n.gettext(ACTORS["moyasar"])
    return l10n.gettext(LAST_CHANGE).format(when=l10n.datetime(when, timezone), who=who)


def card_network_text(l10n: Localizer, network: str) -> str:
    """A card network as the reader says it: mada in the reader's language (مدى), the others by name (Visa)."""
    return l10n.gettext("mada") if network.lower() == "mada" else network.title()


def actor_text(l10n: Localizer, entry: HistoryEntry, names: dict[str, str]) -> str:
    """`user:<id>` as the desk user's own name when this desk knows them; the rest as a role in words."""
    kind, _, ident = entry.actor.partition(":")
    if kind == "user" and ident in names:
        return l10n.isolate(names[ident])
    return l10n.gettext(ACTORS.get(kind, ACTORS.get(entry.actor, ACTORS["moyasar"])))
