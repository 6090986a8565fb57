"""Online money at the checkout (issue #12): a paid pay link counts towards the visit's bill, and a refund of
it, made online, gives the money back on paper with a credit note.

Claiming: the desk's replica of a pay link is cloud-owned and read-only, so the bill consumes its money by
writing one `moyasar_link` payment line (external id = the link id) in its own transaction, pushed like any
payment (a desk's one DB lane never claims a link twice); the cloud re-checks the claim (paid, same visit, not claimed by
another line) and refuses it with a code otherwise (cloud/sync/online_claims.py). The rule itself lives in
`domain.checkout.online_to_claim`.

Refunds: the desk that wrote the claiming line (its `device_id`) is the one desk that gives the refund back
on its books: when it sees (by pull, or right after its own request) that the link holds less than the line
still does, it issues one credit note for the difference in its own chain, with a `moyasar_link` refund of
that line. Exactly one desk owns each line, and the difference is zero once the note is written, so a
re-sync, a restart or a second desk never issues a second note.
"""

from __future__ import annotations

from dataclasses import replace

from salon_desk.domain.checkout import (
    Checkout,
    CheckoutStatus,
    OnlineMoney,
    Payment,
    Refund,
    RefundPlan,
    TenderMethod,
    balance_due,
    credit_lines,
    online_refund_due,
    online_refund_lines,
    online_to_claim,
    remaining_per_line,
)
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor
from salon_desk.domain.online_payments import OnlinePayment, OnlineState, online_state
from salon_desk.domain.permissions import Permission, allows
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import business_day
from salon_desk.domain.zatca import IssuedInvoice
from salon_desk.store.repo_online_payments import OnlinePaymentRepository
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .checkout import PAID, issue_credit_note, issue_invoice
from .schedule_inputs import salon_of, salon_schedule

ONLINE_REFUND_REASON = "استرداد دفعة إلكترونية / Online payment refunded"
_COUNTS = {OnlineState.PAID, OnlineState.PARTLY_REFUNDED}


def online_money(payment: OnlinePayment) -> OnlineMoney:
    return OnlineMoney(payment.id, payment.booking_id, payment.checkout_id, payment.paid_halalas,
                       payment.refunded_halalas, payment.company)


def unclaimed_online(uow: UnitOfWork, booking_id: str | None, checkout_id: str | None) -> list[OnlineMoney]:
    """Paid online money of a visit that no bill has consumed yet (inside an open unit of work)."""
    now = uow.clock()
    links = [p for p in OnlinePaymentRepository(uow.session).for_visit(booking_id, checkout_id)
             if online_state(p, now) in _COUNTS]
    claimed = {p.external_id for p in uow.money.online_claims([p.id for p in links])} if links else set()
    return [online_money(p) for p in links if p.id not in claimed and p.paid_halalas > p.refunded_halalas]


def _claim(uow: UnitOfWork, c: Checkout, actor: Actor) -> Checkout:
    """Writes the payment lines by which open bill `c` consumes its visit's paid online money."""
    if c.status is not CheckoutStatus.OPEN:
        return c
    online = unclaimed_online(uow, c.booking_id, c.id)
    if not online:
        return c
    now = uow.clock()
    payments = uow.money.payments_for_checkout(c.id, c.booking_id)
    refunds = uow.money.refunds_for_checkout(c.id)
    balance = balance_due(c.gross_halalas, [p.amount_halalas for p in payments if p.status == PAID],
                          [r.amount_halalas for r in refunds if r.credit_note_id is None])
    day = business_day(now, salon_schedule(salon_of(uow)))
    for money in online_to_claim(online, set(), balance):
        payment = Payment(id=new_id(), checkout_id=c.id, booking_id=c.booking_id, method=TenderMethod.MOYASAR_LINK,
                          amount_halalas=money.net_halalas, status=PAID, taken_at=now, business_day=day,
                          device_id=uow.device_id, card_network=money.company, external_id=money.link_id)
        key = new_id()
        uow.money.add_payment(payment, uow.salon_id(), now, actor.user_id, key)
        uow.record(MutationName.PAYMENT_RECORD, "payment", payment.id, payloads.payment_record(payment, key), actor,
                   audit_after={"amount_halalas": payment.amount_halalas, "method": payment.method.value,
                                "online_link": money.link_id})
        balance -= money.net_halalas
    if balance == 0:
        c = replace(c, status=CheckoutStatus.PAID)
        uow.money.save_checkout(c, now)
        uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), actor)
    return c


def claim_for_bill(uow: UnitOfWork, checkout_id: str, actor: Actor) -> IssuedInvoice | None:
    """Counts the visit's paid online money towards open bill `checkout_id` (one transaction), and issues the
    invoice when that pays the bill in full. Safe to call any time: nothing claimed twice."""
    with uow:
        c = found(uow.money.checkout(checkout_id), "checkout.not_found")
        c = _claim(uow, c, actor)
        uow.commit()
    return issue_invoice(uow, c.id, actor) if c.status is CheckoutStatus.PAID else None


def settle_online_refunds(uow: UnitOfWork, actor: Actor) -> list[IssuedInvoice]:
    """This desk's credit notes (and open-bill refunds) for online refunds it has not yet booked; each in its
    own transaction. Returns the credit notes issued."""
    with uow:
        owed = [p.id for p in uow.money.online_claims(device_id=uow.device_id) if _refund_due(uow, p)]
    notes = [_settle(uow, payment_id, actor) for payment_id in owed]
    return [n for n in notes if n is not None]


def _refund_due(uow: UnitOfWork, claimed: Payment) -> int:
    link = OnlinePaymentRepository(uow.session).get(claimed.external_id or "")
    return online_refund_due(claimed, online_money(link)) if link is not None else 0


def _refund_actor(uow: UnitOfWork, link: OnlinePayment | None, fallback: Actor) -> Actor:
    """Who the credit note is on behalf of: the manager whose authority the cloud accepted for the newest
    refund (its history says `user:<id>`), so the note carries that authority on this desk and in the cloud's
    check; the desk's own actor when the refund came from elsewhere (e.g. Moyasar's dashboard)."""
    users = {u.id: u for u in uow.users.users(active_only=False)}
    for entry in reversed(link.history if link is not None else ()):
        if entry.action == "payment.refunded" and entry.actor.startswith("user:"):
            user = users.get(entry.actor.removeprefix("user:"))
            if user is not None and allows(user.role, Permission.REFUND):
                return Actor(user.id, user.role, uow.device_id, user.name)
            break
    return fallback


def _settle(uow: UnitOfWork, payment_id: str, actor: Actor) -> IssuedInvoice | None:
    with uow:
        now = uow.clock()
        claimed = next((p for p in uow.money.online_claims(device_id=uow.device_id) if p.id == payment_id), None)
        due = _refund_due(uow, claimed) if claimed is not None else 0
        if claimed is None or due == 0 or claimed.checkout_id is None:
            return None
        c = found(uow.money.checkout(claimed.checkout_id), "checkout.not_found")
        actor = _refund_actor(uow, OnlinePaymentRepository(uow.session).get(claimed.external_id or ""), actor)
        invoice = uow.money.invoice_for_checkout(c.id) if c.status is CheckoutStatus.INVOICED else None
        plan = RefundPlan(((claimed.id, TenderMethod.MOYASAR_LINK, due),))
        if invoice is not None:
            earlier = uow.money.credit_notes_for_invoice(invoice.id)
            source = [x.canonical() for x in invoice.lines]
            left = remaining_per_line(source, [[x.canonical() for x in n.lines] for n in earlier])
            parts = credit_lines(source, online_refund_lines(left, due), left)
            doc: IssuedInvoice | None = issue_credit_note(uow, invoice, parts, plan, ONLINE_REFUND_REASON, actor, now)
        else:  # not invoiced yet: the money went back before the invoice, so the balance is due again
            doc = None
            day = business_day(now, salon_schedule(salon_of(uow)))
            r = Refund(new_id(), claimed.id, TenderMethod.MOYASAR_LINK, due, ONLINE_REFUND_REASON, None, now, day,
                       uow.device_id)
            uow.money.add_refund(r, uow.salon_id(), now, c.id, actor.user_id)
            uow.record(MutationName.REFUND_RECORD, "refund", r.id, payloads.refund_record(r, c.id), actor,
                       audit_after={"amount_halalas": due, "method": r.method.value})
            if c.status is CheckoutStatus.PAID:
                c = replace(c, status=CheckoutStatus.OPEN)
                uow.money.save_checkout(c, now)
                uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), actor)
        uow.commit()
        return doc
