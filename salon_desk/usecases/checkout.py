"""Checkout at the desk (issue #11): bills, split tenders, simplified tax invoices, crash recovery.

The facade group is `CheckoutArea` (`desk.checkout`): the checkout screen calls only it.

Two transactions make a sale, on purpose: (1) `take_payment` records each tender as soon as the money is in
the drawer (the payment is never lost, even if the desk dies right after); (2) when the balance reaches zero
the bill is `paid` and `issue_invoice` numbers and hashes the invoice in its own transaction. A crash between
the two leaves a `paid` bill without an invoice; `resume` (called by every `take_payment` and when the desk
starts) issues it, so the series stays gap-free: a number is taken only in the transaction that writes its
invoice, and a rolled-back transaction takes none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.checkout import (
    Bill,
    Checkout,
    CheckoutLine,
    CheckoutStatus,
    Discount,
    LineKind,
    PaidPayment,
    Payment,
    Refund,
    RefundLine,
    RefundPlan,
    SeriesState,
    Tender,
    TenderMethod,
    balance_due,
    credit_lines,
    needs_manager_for_discount,
    plan_refund,
    price_bill,
    remaining_per_line,
    validate_tender,
)
from salon_desk.domain.errors import Conflict, Forbidden, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, Salon
from salon_desk.domain.money import invoice_totals
from salon_desk.domain.permissions import Permission
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import business_day
from salon_desk.domain.zatca import (
    GENESIS_HASH,
    DocumentKind,
    DocumentLine,
    InvoiceDraft,
    IssuedInvoice,
    Seller,
    ZatcaPhase,
    credit_series,
    issue,
    next_number,
)
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .area import DeskArea
from .authority import authorise
from .result import Result
from .schedule_inputs import salon_of, salon_schedule

PAID = "paid"
UNPAYABLE = {BookingStatus.CANCELLED: "checkout.booking_cancelled", BookingStatus.NO_SHOW: "checkout.booking_no_show"}


def checkpoint(step: str) -> None:
    """A named step of checkout (tests replace this to inject a crash at every step; it does nothing)."""


# --------------------------------------------------------------------------------------------------- commands
@dataclass(frozen=True)
class OpenCheckout:
    """Opens the bill of a booked visit (its services become lines) or of a walk-in sale (`booking_id` None).

    Opening a booking that already has an open bill returns that bill with these lines and discounts."""

    booking_id: str | None = None
    customer_id: str | None = None
    extra_lines: tuple[CheckoutLine, ...] = ()  # a service done on the spot, a retail product
    order_discount: Discount | None = None
    include_booked: bool = True  # False: `extra_lines` replace the booked services entirely
    manager_pin: str | None = None  # needed when the discounts exceed the salon's limit


@dataclass(frozen=True)
class SetCheckoutLines:
    """Replaces an open bill's lines and discounts (never below what is already paid)."""

    checkout_id: str
    lines: tuple[CheckoutLine, ...]
    order_discount: Discount | None = None
    manager_pin: str | None = None


@dataclass(frozen=True)
class TakePayment:
    """One tender towards an open bill. `idempotency_key` (a UUID the screen makes once per tender) makes a
    retried click record the payment once."""

    checkout_id: str
    tender: Tender
    idempotency_key: str


@dataclass(frozen=True)
class RefundInvoice:
    """Refunds part or all of an invoice with a credit note. `lines` empty = the whole invoice (a void).

    Money goes back by each payment's original method, or all in cash (`to_cash`). Needs a manager."""

    invoice_id: str
    reason: str
    lines: tuple[RefundLine, ...] = ()
    to_cash: bool = False
    manager_pin: str | None = None


@dataclass(frozen=True)
class VoidCheckout:
    """Cancels a bill that has no invoice yet, paying back whatever was taken. Needs a manager."""

    checkout_id: str
    reason: str
    to_cash: bool = False
    manager_pin: str | None = None


@dataclass(frozen=True)
class CloseDay:
    """Closes this desk's drawer for `business_day` with the cash counted in it."""

    business_day: date
    counted_cash_halalas: int
    opening_float_halalas: int = 0


# ------------------------------------------------------------------------------------------------------ views
@dataclass(frozen=True)
class CheckoutView:
    """A bill as the screen shows it: priced lines, payments, the balance and the invoice once issued."""

    checkout: Checkout
    bill: Bill
    payments: tuple[Payment, ...]
    refunds: tuple[Refund, ...]
    paid_halalas: int
    balance_halalas: int  # what is still due (0 once paid)
    invoice: IssuedInvoice | None
    credit_notes: tuple[IssuedInvoice, ...]
    booking_status: BookingStatus | None
    discount_limit_bp: int

    @property
    def id(self) -> str:
        return self.checkout.id

    @property
    def status(self) -> CheckoutStatus:
        return self.checkout.status


@dataclass(frozen=True)
class PaymentOutcome:
    payment_id: str
    change_due_halalas: int
    balance_halalas: int  # left to pay after this tender
    invoice: IssuedInvoice | None  # issued now when the balance reached zero
    changes: Any = None


@dataclass(frozen=True)
class SeriesInfo:
    series: str
    last_invoice_number: int
    last_credit_note_number: int
    last_counter: int
    zatca_phase: ZatcaPhase
    phase_2_note: bool  # True: the salon is in a Phase-2 wave and reporting to ZATCA is not built yet


@dataclass(frozen=True)
class SalonCloseSummary:
    business_day: date
    closes: tuple[Any, ...]  # domain.checkout.DailyClose of every desk that closed the day
    takings: dict[str, int]
    refunds: dict[str, int]
    vat_halalas: int
    variance_halalas: int


# -------------------------------------------------------------------------------------------------- helpers
def discount_limit_bp(salon: Salon) -> int:
    """The salon's discount limit (its profile keeps whole percent) in basis points."""
    return salon.discount_limit_percent * 100


def zatca_phase(salon: Salon) -> ZatcaPhase:
    """The ZATCA phase the salon's profile names (an unknown value reads as Phase 1)."""
    try:
        return ZatcaPhase(str(salon.zatca_phase))
    except ValueError:
        return ZatcaPhase.PHASE_1


def seller_of(salon: Salon) -> Seller:
    return Seller(salon.name_ar or salon.name_en, salon.vat_number, salon.name_en, salon.address,
                  salon.commercial_registration)


def booked_lines(uow: UnitOfWork, booking_id: str) -> tuple[CheckoutLine, ...]:
    """The booked services of a visit as bill lines (price as booked)."""
    booking = found(uow.bookings.get(booking_id), "booking.not_found")
    lines = []
    for item in sorted(booking.items, key=lambda i: i.start_at):
        service = uow.reference.service(item.service_id)
        lines.append(CheckoutLine(
            id=item.id, kind=LineKind.SERVICE, name_ar=service.name_ar if service else "",
            name_en=service.name_en if service else "", unit_price_halalas=item.price_halalas,
            service_id=item.service_id, staff_id=item.staff_id, booking_item_id=item.id))
    return tuple(lines)


def _priced(uow: UnitOfWork, actor: Actor, lines: Sequence[CheckoutLine], order_discount: Discount | None,
            manager_pin: str | None) -> tuple[Bill, Actor]:
    bill = price_bill(lines, order_discount)
    acting = actor
    if needs_manager_for_discount(bill, discount_limit_bp(salon_of(uow))):
        try:
            acting = authorise(uow, actor, Permission.DISCOUNT_OVER_LIMIT, manager_pin)
        except Forbidden as error:
            if error.code == "permission.denied":
                raise ValidationError("checkout.discount_over_limit",
                                      limit=discount_limit_bp(salon_of(uow)) // 100) from None
            raise
    return bill, acting


def _paid(payments: Sequence[Payment]) -> int:
    return sum(p.amount_halalas for p in payments if p.status == PAID)


def _refunded_before_invoice(refunds: Sequence[Refund]) -> int:
    return sum(r.amount_halalas for r in refunds if r.credit_note_id is None)


def _view(uow: UnitOfWork, c: Checkout) -> CheckoutView:
    bill = price_bill(c.lines, c.order_discount)
    payments = uow.money.payments_for_checkout(c.id, c.booking_id)
    refunds = uow.money.refunds_for_checkout(c.id)
    paid = _paid(payments)
    balance = max(0, balance_due(bill.gross, [paid], [_refunded_before_invoice(refunds)]))
    invoice = uow.money.invoice(c.invoice_id) if c.invoice_id else uow.money.invoice_for_checkout(c.id)
    credits = tuple(uow.money.credit_notes_for_invoice(invoice.id)) if invoice else ()
    booking = uow.bookings.get(c.booking_id) if c.booking_id else None
    return CheckoutView(c, bill, tuple(payments), tuple(refunds), paid, balance if c.status is CheckoutStatus.OPEN
                        else 0, invoice, credits, booking.status if booking else None,
                        discount_limit_bp(salon_of(uow)))


# ------------------------------------------------------------------------------------------------ use cases
def open_checkout(uow: UnitOfWork, cmd: OpenCheckout, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        customer_id = cmd.customer_id
        lines: tuple[CheckoutLine, ...] = ()
        if cmd.booking_id:
            booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
            if booking.status in UNPAYABLE:
                raise Conflict(UNPAYABLE[booking.status])
            customer_id = customer_id or booking.customer_id
            existing = uow.money.checkout_for_booking(cmd.booking_id)
            if existing is not None and existing.status is not CheckoutStatus.OPEN:
                raise Conflict("checkout.already_paid")
            if cmd.include_booked:
                lines = booked_lines(uow, cmd.booking_id)
        else:
            existing = None
        lines = lines + cmd.extra_lines
        bill, acting = _priced(uow, actor, lines, cmd.order_discount, cmd.manager_pin)
        if existing is not None:
            paid = _paid(uow.money.payments_for_checkout(existing.id, existing.booking_id))
            if bill.gross < paid:
                raise ValidationError("checkout.over_balance", amount_halalas=paid, balance_halalas=bill.gross)
            checkout = replace(existing, lines=tuple(lines), order_discount=cmd.order_discount,
                               gross_halalas=bill.gross, discount_halalas=bill.discount_total,
                               status=CheckoutStatus.PAID if paid == bill.gross and paid else CheckoutStatus.OPEN)
            uow.money.save_checkout(checkout, now)
        else:
            checkout_id = new_id()
            deposit = _paid(uow.money.payments_for_checkout(checkout_id, cmd.booking_id)) if cmd.booking_id else 0
            if deposit > bill.gross:
                raise ValidationError("checkout.over_balance", amount_halalas=deposit, balance_halalas=bill.gross)
            status = CheckoutStatus.PAID if deposit == bill.gross and deposit else CheckoutStatus.OPEN
            checkout = Checkout(checkout_id, cmd.booking_id, customer_id, tuple(lines), cmd.order_discount,
                                status, bill.gross, bill.discount_total, uow.device_id, now)
            uow.money.add_checkout(checkout, uow.salon_id(), now, acting.user_id)
        uow.record(MutationName.CHECKOUT_SAVE, "checkout", checkout.id, payloads.checkout_save(checkout), acting,
                   audit_after={"gross_halalas": bill.gross, "discount_halalas": bill.discount_total})
        return Result(checkout.id, uow.commit())


def set_lines(uow: UnitOfWork, cmd: SetCheckoutLines, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        c = found(uow.money.checkout(cmd.checkout_id), "checkout.not_found")
        if c.status is not CheckoutStatus.OPEN:
            raise Conflict("checkout.closed")
        bill, acting = _priced(uow, actor, cmd.lines, cmd.order_discount, cmd.manager_pin)
        paid = _paid(uow.money.payments_for_checkout(c.id, c.booking_id))
        if bill.gross < paid:
            raise ValidationError("checkout.over_balance", amount_halalas=paid, balance_halalas=bill.gross)
        status = CheckoutStatus.PAID if paid == bill.gross else CheckoutStatus.OPEN
        c = replace(c, lines=tuple(cmd.lines), order_discount=cmd.order_discount, gross_halalas=bill.gross,
                    discount_halalas=bill.discount_total, status=status)
        uow.money.save_checkout(c, now)
        uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), acting,
                   audit_after={"gross_halalas": bill.gross, "discount_halalas": bill.discount_total})
        return Result(c.id, uow.commit())


def take_payment(uow: UnitOfWork, cmd: TakePayment, actor: Actor) -> PaymentOutcome:
    """Records one tender (its own transaction), then issues the invoice if the bill is now paid."""
    with uow:
        now = uow.clock()
        already = uow.money.payment_by_key(cmd.idempotency_key)
        c = found(uow.money.checkout(cmd.checkout_id), "checkout.not_found")
        if already is not None:  # a retried click: the payment is in, nothing more to record
            payment = already
            changes = None
        else:
            if c.status is not CheckoutStatus.OPEN:
                raise Conflict("checkout.already_paid" if c.status is not CheckoutStatus.VOID else "checkout.closed")
            if c.booking_id:
                booking = uow.bookings.get(c.booking_id)
                if booking is not None and booking.status in UNPAYABLE:
                    raise Conflict(UNPAYABLE[booking.status])
            view = _view(uow, c)
            tender = cmd.tender
            validate_tender(tender, view.balance_halalas)
            if tender.method is TenderMethod.MOYASAR_LINK and not tender.external_id:
                raise ValidationError("checkout.bad_method")
            checkpoint("payment.validated")
            salon = salon_of(uow)
            day = business_day(now, salon_schedule(salon))
            payment = Payment(
                id=new_id(), checkout_id=c.id, booking_id=c.booking_id, method=TenderMethod(tender.method),
                amount_halalas=tender.amount_halalas, status=PAID, taken_at=now, business_day=day,
                device_id=uow.device_id, tendered_halalas=tender.tendered_halalas, change_halalas=tender.change_due,
                card_network=tender.card_network.value if tender.card_network else None,
                approval_code=tender.approval_code, card_last4=tender.card_last4, external_id=tender.external_id)
            uow.money.add_payment(payment, uow.salon_id(), now, actor.user_id, cmd.idempotency_key)
            args = payloads.payment_record(payment, cmd.idempotency_key)
            uow.record(MutationName.PAYMENT_RECORD, "payment", payment.id, args, actor,
                       audit_after={"amount_halalas": payment.amount_halalas, "method": payment.method.value})
            checkpoint("payment.written")
            balance = view.balance_halalas - payment.amount_halalas
            if balance == 0:
                c = replace(c, status=CheckoutStatus.PAID)
                uow.money.save_checkout(c, now)
                uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), actor)
            checkpoint("payment.status")
            changes = uow.commit()
        checkpoint("payment.committed")
    invoice = None
    if c.status is CheckoutStatus.PAID or (already is not None and c.status is CheckoutStatus.INVOICED):
        invoice = issue_invoice(uow, c.id, actor)
    with uow:
        left = _view(uow, found(uow.money.checkout(c.id), "checkout.not_found")).balance_halalas
    return PaymentOutcome(payment.id, payment.change_halalas, left, invoice, changes)


def issue_invoice(uow: UnitOfWork, checkout_id: str, actor: Actor) -> IssuedInvoice:
    """Issues the invoice of a paid bill in one transaction (idempotent: an invoiced bill returns its invoice)."""
    with uow:
        c = found(uow.money.checkout(checkout_id), "checkout.not_found")
        if c.status is CheckoutStatus.INVOICED:
            return found(uow.money.invoice_for_checkout(c.id), "checkout.not_found")
        view = _view(uow, c)
        if c.status is not CheckoutStatus.PAID or view.paid_halalas - _refunded_before_invoice(view.refunds) \
                != view.bill.gross:
            raise Conflict("checkout.balance_not_zero", balance_halalas=view.bill.gross - view.paid_halalas)
        now = uow.clock()
        salon = salon_of(uow)
        bill = view.bill
        lines = tuple(DocumentLine(p.line.name_ar, p.line.name_en, p.line.quantity, p.gross, p.net, p.vat)
                      for p in bill.lines)
        draft = InvoiceDraft(DocumentKind.INVOICE, seller_of(salon), now, lines, bill.net, bill.vat, bill.gross,
                             bill.discount_total, c.booking_id, c.id)
        state = _series(uow, now)
        number = next_number(state.last_number, None)
        counter = state.last_counter + 1
        checkpoint("invoice.numbered")
        doc = issue(draft, id=new_id(), uuid=new_id(), series=state.series, number=number, counter=counter,
                    previous_hash=state.last_hash or GENESIS_HASH)
        # what each tender finally paid: less what went back before the invoice (an online refund, issue #12)
        doc = replace(doc, device_id=uow.device_id,
                      payments=tuple((p.method.value, p.amount_halalas - p.refunded_halalas) for p in view.payments
                                     if p.status == PAID and p.amount_halalas > p.refunded_halalas))
        uow.money.add_invoice(doc, uow.salon_id(), now)
        uow.money.advance_series(state.series, DocumentKind.INVOICE, number, counter, doc.hash)
        checkpoint("invoice.written")
        c = replace(c, status=CheckoutStatus.INVOICED, invoice_id=doc.id)
        uow.money.save_checkout(c, now)
        uow.record(MutationName.INVOICE_ISSUE, "invoice", doc.id, payloads.invoice_issue(doc), actor,
                   audit_after={"number": doc.number_text, "gross_halalas": doc.gross})
        uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), actor)
        checkpoint("invoice.status")
        uow.commit()
        checkpoint("invoice.committed")
        return doc


def _series(uow: UnitOfWork, now: datetime) -> SeriesState:
    """This desk's active series; a new one when none is open or the desk now acts under another device
    identity (enrolled, or rebound after a restore), so no number the old identity issued is ever reused."""
    state = uow.money.active_series()
    if state is None or state.device_id != uow.device_id:
        open_series(uow, None, now)
        state = uow.money.active_series()
    assert state is not None
    return state


def open_series(uow: UnitOfWork, prefix: str | None, now: datetime) -> str:
    """Opens a new invoice series for this desk (inside an open unit of work): `prefix` or a random one."""
    from salon_desk.domain.zatca import validate_series

    if prefix:
        series = validate_series(prefix.upper())
        if uow.money.series_exists(series):
            raise Conflict("zatca.bad_series")
    else:
        while True:
            series = "D" + new_id().replace("-", "")[-7:].upper()
            if not uow.money.series_exists(series):
                break
    uow.money.open_series(series, now, uow.device_id)
    return series


def resume(uow: UnitOfWork, actor: Actor) -> list[IssuedInvoice]:
    """Issues the invoice of every bill that was paid but not invoiced (a crash between the two)."""
    with uow:
        pending = [c.id for c in uow.money.checkouts_with_status(CheckoutStatus.PAID)]
    return [issue_invoice(uow, cid, actor) for cid in pending]


def refund_invoice(uow: UnitOfWork, cmd: RefundInvoice, actor: Actor) -> IssuedInvoice:
    """A credit note for part or all of an invoice, and the refunds that pay it back, in one transaction."""
    with uow:
        now = uow.clock()
        invoice = found(uow.money.invoice(cmd.invoice_id), "refund.not_invoiced")
        whole = not cmd.lines
        acting = authorise(uow, actor, Permission.VOID if whole else Permission.REFUND, cmd.manager_pin)
        reason = " ".join((cmd.reason or "").split())
        if not reason:
            raise ValidationError("refund.no_reason")
        if len(reason) > 500:
            raise ValidationError("text.too_long", max=500)
        already = uow.money.credit_notes_for_invoice(invoice.id)
        credited = sum(c.gross for c in already)
        source = [x.canonical() for x in invoice.lines]
        left = remaining_per_line(source, [[x.canonical() for x in c.lines] for c in already])
        if whole:
            if sum(left) <= 0:
                raise ValidationError("refund.over_paid", amount_halalas=invoice.gross, refundable_halalas=0)
            wanted = [RefundLine(i, g, invoice.lines[i].quantity) for i, g in enumerate(left) if g > 0]
        else:
            wanted = list(cmd.lines)
        parts = credit_lines(source, wanted, left)
        total = sum(int(str(p["gross"])) for p in parts)
        if credited + total > invoice.gross:
            raise ValidationError("refund.over_paid", amount_halalas=total, refundable_halalas=invoice.gross - credited)
        payments = [PaidPayment(p.id, p.method, p.amount_halalas, p.refunded_halalas)
                    for p in uow.money.payments_for_checkout(invoice.checkout_id or "", invoice.booking_id)
                    if p.status == PAID]
        plan = plan_refund(payments, total, cmd.to_cash)
        doc = issue_credit_note(uow, invoice, parts, plan, reason, acting, now)
        uow.commit()
        return doc


def issue_credit_note(uow: UnitOfWork, invoice: IssuedInvoice, parts: Sequence[dict[str, object]], plan: RefundPlan,
                      reason: str, acting: Actor, now: datetime) -> IssuedInvoice:
    """Inside an open unit of work: the credit note of `parts` (domain.checkout.credit_lines) of `invoice` in
    this desk's chain, and the refunds of `plan` that pay it back, recorded as one command."""
    totals = invoice_totals([int(str(p["gross"])) for p in parts])
    lines = tuple(DocumentLine(str(p["name_ar"]), str(p["name_en"]), int(str(p["quantity"])), s.gross, s.net,
                               s.vat) for p, s in zip(parts, totals.lines, strict=True))
    salon = salon_of(uow)
    draft = InvoiceDraft(DocumentKind.CREDIT_NOTE, invoice.seller, now, lines, totals.net, totals.vat,
                         totals.gross, 0, invoice.booking_id, invoice.checkout_id, invoice.id,
                         invoice.number_text, reason)
    state = _series(uow, now)
    number = next_number(state.credit_last_number, None)
    counter = state.last_counter + 1
    doc = issue(draft, id=new_id(), uuid=new_id(), series=credit_series(state.series), number=number,
                counter=counter, previous_hash=state.last_hash or GENESIS_HASH)
    doc = replace(doc, device_id=uow.device_id)
    uow.money.add_credit_note(doc, state.series, uow.salon_id(), now)
    uow.money.advance_series(state.series, DocumentKind.CREDIT_NOTE, number, counter, doc.hash)
    day = business_day(now, salon_schedule(salon))
    refunds = []
    for payment_id, method, amount in plan.parts:
        r = Refund(new_id(), payment_id, method, amount, reason, doc.id, now, day, uow.device_id)
        uow.money.add_refund(r, uow.salon_id(), now, invoice.checkout_id, acting.user_id)
        refunds.append(r)
    args = payloads.credit_note_issue(doc, refunds)
    uow.record(MutationName.CREDIT_NOTE_ISSUE, "credit_note", doc.id, args, acting,
               audit_after={"number": doc.number_text, "gross_halalas": doc.gross, "invoice": invoice.id})
    return doc


def void_checkout(uow: UnitOfWork, cmd: VoidCheckout, actor: Actor) -> Result:
    """Voids a bill with no invoice: every payment taken is paid back (no credit note: nothing was invoiced)."""
    with uow:
        now = uow.clock()
        c = found(uow.money.checkout(cmd.checkout_id), "checkout.not_found")
        if c.status in (CheckoutStatus.INVOICED, CheckoutStatus.VOID):
            raise Conflict("checkout.closed")
        acting = authorise(uow, actor, Permission.VOID, cmd.manager_pin)
        reason = " ".join((cmd.reason or "").split())
        if not reason:
            raise ValidationError("refund.no_reason")
        payments = [PaidPayment(p.id, p.method, p.amount_halalas, p.refunded_halalas)
                    for p in uow.money.payments_for_checkout(c.id, c.booking_id) if p.status == PAID]
        day = business_day(now, salon_schedule(salon_of(uow)))
        refundable = sum(p.refundable for p in payments)
        if refundable:
            for payment_id, method, amount in plan_refund(payments, refundable, cmd.to_cash).parts:
                r = Refund(new_id(), payment_id, method, amount, reason[:500], None, now, day, uow.device_id)
                uow.money.add_refund(r, uow.salon_id(), now, c.id, acting.user_id)
                uow.record(MutationName.REFUND_RECORD, "refund", r.id, payloads.refund_record(r, c.id), acting,
                           audit_after={"amount_halalas": amount, "method": method.value})
        c = replace(c, status=CheckoutStatus.VOID)
        uow.money.save_checkout(c, now)
        uow.record(MutationName.CHECKOUT_SAVE, "checkout", c.id, payloads.checkout_save(c), acting)
        return Result(c.id, uow.commit())


def get_view(uow: UnitOfWork, checkout_id: str) -> CheckoutView:
    with uow:
        return _view(uow, found(uow.money.checkout(checkout_id), "checkout.not_found"))


def series_info(uow: UnitOfWork) -> SeriesInfo:
    with uow:
        salon = salon_of(uow)
        state = uow.money.active_series()
        phase = zatca_phase(salon)
        return SeriesInfo(state.series if state else "", state.last_number if state else 0,
                          state.credit_last_number if state else 0, state.last_counter if state else 0,
                          phase, phase is ZatcaPhase.PHASE_2)


# ---------------------------------------------------------------------------------------------------- facade
class CheckoutArea(DeskArea):
    """`desk.checkout`: everything the checkout screen, receipts and the daily close need."""

    # --- reads ---------------------------------------------------------------------------------------------
    def preview(self, lines: Sequence[CheckoutLine], order_discount: Discount | None = None) -> Bill:
        """Prices lines as typed (no write): totals, VAT, discounts. Raises ValidationError on bad input."""
        return price_bill(lines, order_discount)

    def booked_lines(self, booking_id: str) -> tuple[CheckoutLine, ...]:
        """The booked services of a visit as bill lines."""
        with self.uow() as uow:
            return booked_lines(uow, booking_id)

    def get(self, checkout_id: str) -> CheckoutView:
        return get_view(self.uow(), checkout_id)

    def for_booking(self, booking_id: str) -> CheckoutView | None:
        """The booking's bill (open, paid or invoiced), or None."""
        with self.uow() as uow:
            c = uow.money.checkout_for_booking(booking_id)
            return None if c is None else _view(uow, c)

    def open_bills(self) -> list[CheckoutView]:
        """Bills partly paid or not yet invoiced (a partial payment leaves the visit open and visible)."""
        with self.uow() as uow:
            return [_view(uow, c) for c in uow.money.checkouts_with_status(CheckoutStatus.OPEN, CheckoutStatus.PAID)]

    def invoice(self, invoice_id: str) -> IssuedInvoice:
        with self.uow() as uow:
            return found(uow.money.invoice(invoice_id), "checkout.not_found")

    def credit_note(self, credit_note_id: str) -> IssuedInvoice:
        with self.uow() as uow:
            return found(uow.money.credit_note(credit_note_id), "checkout.not_found")

    def series(self) -> SeriesInfo:
        """This desk's invoice series and the salon's ZATCA phase."""
        return series_info(self.uow())

    # --- writes --------------------------------------------------------------------------------------------
    def open(self, cmd: OpenCheckout) -> Result:
        """Opens (or re-prices an open) bill; `Result.id` is the checkout id. The visit's paid online money
        counts towards it at once (issue #12)."""
        from .checkout_online import claim_for_bill

        result = open_checkout(self.uow(), cmd, self.actor)
        claim_for_bill(self.uow(), str(result.id), self.actor)
        return result

    def claim_online(self, booking_id: str) -> CheckoutView | None:
        """The booking's bill with the visit's paid online money counted: a deposit or pay link paid online
        opens the bill (its booked services) so the money shows as received (issue #12)."""
        from .checkout_online import claim_for_bill, unclaimed_online

        with self.uow() as uow:
            c = uow.money.checkout_for_booking(booking_id)
            waiting = unclaimed_online(uow, booking_id, c.id if c else None)
            booking = uow.bookings.get(booking_id)
            payable = booking is not None and booking.status not in UNPAYABLE
        if waiting and payable and (c is None or c.status is CheckoutStatus.OPEN):
            checkout_id = c.id if c is not None else str(self.open(OpenCheckout(booking_id)).id)
            claim_for_bill(self.uow(), checkout_id, self.actor)
        return self.for_booking(booking_id)

    def settle_online_refunds(self) -> list[IssuedInvoice]:
        """Credit notes for online refunds of money this desk counted on its bills (idempotent; see
        usecases/checkout_online.py for why this desk and only this one)."""
        from .checkout_online import settle_online_refunds

        return settle_online_refunds(self.uow(), self.actor)

    def set_lines(self, cmd: SetCheckoutLines) -> Result:
        return set_lines(self.uow(), cmd, self.actor)

    def pay(self, cmd: TakePayment) -> PaymentOutcome:
        """Records one tender; issues the invoice when the balance reaches zero (`outcome.invoice`). Online
        money paid meanwhile is counted first, so the tender is never more than what is really due."""
        from .checkout_online import claim_for_bill

        claim_for_bill(self.uow(), cmd.checkout_id, self.actor)
        return take_payment(self.uow(), cmd, self.actor)

    def issue_invoice(self, checkout_id: str) -> IssuedInvoice:
        return issue_invoice(self.uow(), checkout_id, self.actor)

    def resume(self) -> list[IssuedInvoice]:
        """Issues invoices left pending by a crash (call at start-up; safe any time), and the credit notes of
        online refunds this desk has not yet booked."""
        issued = resume(self.uow(), self.actor)
        self.settle_online_refunds()
        return issued

    def refund(self, cmd: RefundInvoice) -> IssuedInvoice:
        """A credit note (returned) and its refunds; a manager's PIN unless the actor is one."""
        return refund_invoice(self.uow(), cmd, self.actor)

    def void(self, cmd: VoidCheckout) -> Result:
        return void_checkout(self.uow(), cmd, self.actor)

    def open_new_series(self, prefix: str | None = None) -> str:
        """Starts a new invoice series on this desk (e.g. after restoring an old backup); returns its name."""
        uow = self.uow()
        with uow:
            series = open_series(uow, prefix, uow.clock())
            uow.commit()
            return series

    def verify_invoices(self) -> list[Any]:
        """Problems in every series' hash chain on this desk (empty when intact)."""
        from . import daily_close

        return daily_close.verify_all(self.uow())

    # --- daily close ---------------------------------------------------------------------------------------
    def close_preview(self, day: date, counted_cash_halalas: int = 0, opening_float_halalas: int = 0) -> Any:
        """The figures `close_day` would record (domain.checkout.CloseFigures), writing nothing."""
        from . import daily_close

        return daily_close.preview(self.uow(), CloseDay(day, counted_cash_halalas, opening_float_halalas))

    def close_day(self, cmd: CloseDay) -> Any:
        """Closes this desk's drawer for the day (domain.checkout.DailyClose); a closed day never changes."""
        from . import daily_close

        return daily_close.close_day(self.uow(), cmd, self.actor)

    def salon_summary(self, day: date) -> SalonCloseSummary:
        """All desks' closes of the day (as synced), summed."""
        from . import daily_close

        return daily_close.salon_summary(self.uow(), day)
