"""Checkout at the desk: bill lines, discounts, VAT to the halala, split tenders, balance, refunds and the
daily close figures (issue #11). Pure rules on integer halalas; no I/O, no clock.

Pricing, in this order, every step exact to the halala:
1. a line's gross before discounts is `quantity × unit price` (VAT-inclusive salon prices);
2. a line discount (an amount, or a percent in basis points, 10000 = 100 %) comes off that line; a
   percent is rounded half up to the halala;
3. a discount on the whole bill is shared over the lines in proportion to what each still costs, by
   largest remainder (`_allocate`), so the per-line shares add up to the order discount exactly;
4. VAT is computed once on the invoice total (`money.invoice_totals`: round_half_up(gross × 15 / 115)) and
   allocated to the lines by largest remainder, so lines, VAT and totals always add up.

Tenders: cash (what the customer handed over and the change due), card terminal (network, approval code,
last four digits) and Moyasar link. Each tender is at most the balance still due (paying twice or paying
more than the bill is refused; over-tendered cash is change, not payment). The invoice is issued when the
balance reaches zero; a partial payment leaves the checkout open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import Conflict, ValidationError
from .i18n import N_
from .money import MAX_AMOUNT_HALALAS, InvoiceTotals, _allocate, invoice_totals, require_halalas

BASIS_POINTS_100 = 10_000  # 100 % in basis points
DEFAULT_DISCOUNT_LIMIT_BP = 2_000  # a receptionist may give up to 20 % off without a manager
MAX_QUANTITY = 999
MAX_LINES = 60
MAX_DESCRIPTION = 200

MESSAGES = {
    "checkout.no_lines": N_("The bill has no lines."),
    "checkout.too_many_lines": N_("A bill can have at most {max} lines."),
    "checkout.bad_quantity": N_("The quantity must be a whole number from 1 to {max}."),
    "checkout.bad_description": N_("Each line needs a name (at most {max} characters)."),
    "checkout.discount_over_100": N_("A discount cannot be more than 100% or more than the price."),
    "checkout.discount_negative": N_("A discount cannot be negative."),
    "checkout.discount_over_limit": N_("A discount above {limit}% needs a manager's PIN."),
    "checkout.bad_method": N_("Unknown payment method."),
    "checkout.amount_zero": N_("The payment must be more than zero."),
    "checkout.over_balance": N_("The payment ({amount_halalas}) is more than the balance due ({balance_halalas})."),
    "checkout.cash_short": N_("The cash handed over ({tendered_halalas}) is less than the amount paid ({amount_halalas})."),
    "checkout.card_details": N_("A card payment needs the terminal's approval code and the card's last four digits."),
    "checkout.already_paid": N_("This visit is already paid in full."),
    "checkout.booking_cancelled": N_("A cancelled booking cannot be paid."),
    "checkout.booking_no_show": N_("A no-show booking cannot be paid."),
    "checkout.closed": N_("This bill is already invoiced; change it with a credit note."),
    "checkout.not_found": N_("The bill was not found."),
    "checkout.balance_not_zero": N_("The balance must be zero before the invoice is issued ({balance_halalas} still due)."),
    "checkout.already_open": N_("This visit already has an open bill."),
    "refund.over_paid": N_("The refund ({amount_halalas}) is more than what was paid and not yet refunded ({refundable_halalas})."),
    "refund.bad_method": N_("A refund goes back by the original method or in cash."),
    "refund.no_reason": N_("Please give the reason for the refund."),
    "refund.nothing": N_("Choose what to refund."),
    "refund.online_by_panel": N_("Money paid online is refunded from Online payments (the credit note follows by "
                                 "itself), or choose to refund in cash."),
    "refund.not_invoiced": N_("Only an invoiced visit can be refunded with a credit note."),
    "close.already_closed": N_("The business day {day} is already closed on this desk."),
    "close.bad_count": N_("The cash count must be a whole, non-negative number of halalas."),
    "close.future_day": N_("A business day that has not started cannot be closed."),
    "close.immutable": N_("This desk has already closed that business day."),
    "checkout.immutable": N_("An invoiced or cancelled bill cannot be changed."),
    "invoice.number_taken": N_("Invoice number {number} of series {series} is already used by another invoice."),
    "invoice.tampered": N_("The invoice's QR code or hash does not match its contents."),
    "invoice.immutable": N_("An issued invoice or credit note cannot be changed."),
    "checkout.online_not_paid": N_("This online payment is not paid (or not for this amount), so it cannot count "
                                   "towards the bill."),
    "checkout.online_other_visit": N_("This online payment belongs to another visit."),
    "checkout.online_claimed": N_("This online payment already counts towards another bill."),
}


class TenderMethod(StrEnum):
    CASH = "cash"
    CARD = "card_terminal"
    MOYASAR_LINK = "moyasar_link"


class CardNetwork(StrEnum):
    MADA = "mada"
    VISA = "visa"
    MASTERCARD = "mastercard"
    OTHER = "other"


class DiscountKind(StrEnum):
    AMOUNT = "amount"  # halalas
    PERCENT = "percent"  # basis points (10000 = 100 %)


class LineKind(StrEnum):
    SERVICE = "service"  # a booked service, or one done on the spot
    PRODUCT = "product"  # a retail product with its own price


class CheckoutStatus(StrEnum):
    OPEN = "open"  # lines set, balance not yet zero (a partial payment leaves it open)
    PAID = "paid"  # balance zero, invoice not yet issued (a crash here is recovered by `resume`)
    INVOICED = "invoiced"
    VOID = "void"  # cancelled before any invoice; every payment refunded


@dataclass(frozen=True, slots=True)
class Discount:
    kind: DiscountKind
    value: int  # halalas for AMOUNT, basis points for PERCENT

    @staticmethod
    def amount(halalas: int) -> Discount:
        return Discount(DiscountKind.AMOUNT, halalas)

    @staticmethod
    def percent(basis_points: int) -> Discount:
        """`Discount.percent(1500)` is 15 % off."""
        return Discount(DiscountKind.PERCENT, basis_points)

    def off(self, gross: int) -> int:
        """Halalas this discount takes off `gross`. Refuses a negative value or more than 100 % / the price."""
        if type(self.value) is not int:
            raise ValidationError("money.not_integer")
        if self.value < 0:
            raise ValidationError("checkout.discount_negative")
        if self.kind is DiscountKind.PERCENT:
            if self.value > BASIS_POINTS_100:
                raise ValidationError("checkout.discount_over_100")
            return (gross * self.value * 2 + BASIS_POINTS_100) // (BASIS_POINTS_100 * 2)
        if self.value > gross:
            raise ValidationError("checkout.discount_over_100")
        return self.value


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    """One line of the bill. `unit_price_halalas` is VAT-inclusive."""

    id: str
    kind: LineKind
    name_ar: str
    name_en: str
    unit_price_halalas: int
    quantity: int = 1
    discount: Discount | None = None
    service_id: str | None = None
    staff_id: str | None = None
    booking_item_id: str | None = None  # set when the line comes from the booked visit

    @property
    def gross_before_discount(self) -> int:
        return self.quantity * self.unit_price_halalas


@dataclass(frozen=True, slots=True)
class PricedLine:
    line: CheckoutLine
    gross_before_discount: int
    line_discount: int
    order_discount: int  # this line's share of the discount on the whole bill
    gross: int  # what the customer pays for the line, VAT included
    net: int
    vat: int


@dataclass(frozen=True, slots=True)
class Bill:
    """A priced bill: every figure is halalas and they add up exactly (see module docstring)."""

    lines: tuple[PricedLine, ...]
    subtotal: int  # Σ gross before discounts
    discount_total: int  # Σ line discounts + order discount
    gross: int  # total with VAT
    net: int
    vat: int
    discount_bp_effective: int  # discount_total / subtotal in basis points, rounded up (for the limit check)

    @property
    def totals(self) -> InvoiceTotals:
        from .money import VatSplit

        return InvoiceTotals(tuple(VatSplit(p.net, p.vat, p.gross) for p in self.lines), self.net, self.vat,
                             self.gross)


def validate_line(line: CheckoutLine) -> None:
    if type(line.quantity) is not int or not 1 <= line.quantity <= MAX_QUANTITY:
        raise ValidationError("checkout.bad_quantity", max=MAX_QUANTITY)
    require_halalas(line.unit_price_halalas)
    if line.unit_price_halalas * line.quantity > MAX_AMOUNT_HALALAS:
        raise ValidationError("money.too_large", max_halalas=MAX_AMOUNT_HALALAS)
    for name in (line.name_ar, line.name_en):
        if not isinstance(name, str) or len(name) > MAX_DESCRIPTION:
            raise ValidationError("checkout.bad_description", max=MAX_DESCRIPTION)
    if not (line.name_ar.strip() or line.name_en.strip()):
        raise ValidationError("checkout.bad_description", max=MAX_DESCRIPTION)


def price_bill(lines: Sequence[CheckoutLine], order_discount: Discount | None = None) -> Bill:
    """Prices `lines` (validated) with their discounts and the discount on the whole bill."""
    if not lines:
        raise ValidationError("checkout.no_lines")
    if len(lines) > MAX_LINES:
        raise ValidationError("checkout.too_many_lines", max=MAX_LINES)
    for line in lines:
        validate_line(line)
    befores = [line.gross_before_discount for line in lines]
    line_discounts = [line.discount.off(b) if line.discount else 0 for line, b in zip(lines, befores, strict=True)]
    after_line = [b - d for b, d in zip(befores, line_discounts, strict=True)]
    remaining = sum(after_line)
    whole = order_discount.off(remaining) if order_discount else 0
    shares = _allocate(whole, after_line)
    grosses = [a - s for a, s in zip(after_line, shares, strict=True)]
    totals = invoice_totals(grosses)
    priced = tuple(
        PricedLine(line, b, d, s, split.gross, split.net, split.vat)
        for line, b, d, s, split in zip(lines, befores, line_discounts, shares, totals.lines, strict=True)
    )
    subtotal = sum(befores)
    discount_total = sum(line_discounts) + whole
    effective = 0 if subtotal == 0 else -(-discount_total * BASIS_POINTS_100 // subtotal)
    return Bill(priced, subtotal, discount_total, totals.gross, totals.net, totals.vat, effective)


def needs_manager_for_discount(bill: Bill, limit_bp: int = DEFAULT_DISCOUNT_LIMIT_BP) -> bool:
    """True when the bill's discounts, taken together, exceed the salon's limit (basis points of the subtotal)."""
    return bill.discount_bp_effective > limit_bp


def discount_over_limit(total_after_discount: int, discount_total: int, limit_bp: int) -> bool:
    """The same rule from a saved bill's two totals (the cloud checks a pushed bill with it): the discounts,
    as a share of the total before them rounded up to a basis point, exceed the limit."""
    subtotal = total_after_discount + discount_total
    effective = 0 if subtotal <= 0 else -(-discount_total * BASIS_POINTS_100 // subtotal)
    return effective > limit_bp


# ------------------------------------------------------------------------------------------------ tenders
_APPROVAL = re.compile(r"[A-Za-z0-9]{1,12}")
_LAST4 = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class Tender:
    """One payment towards the bill. For cash, `tendered_halalas` is what was handed over (≥ amount)."""

    method: TenderMethod
    amount_halalas: int
    tendered_halalas: int | None = None  # cash only; None means exact
    card_network: CardNetwork | None = None
    approval_code: str | None = None
    card_last4: str | None = None
    external_id: str | None = None  # the Moyasar payment id of a link

    @property
    def change_due(self) -> int:
        if self.method is TenderMethod.CASH and self.tendered_halalas is not None:
            return self.tendered_halalas - self.amount_halalas
        return 0


def validate_tender(tender: Tender, balance: int) -> None:
    """Refuses a tender that is malformed or more than the balance still due."""
    try:
        TenderMethod(tender.method)
    except ValueError:
        raise ValidationError("checkout.bad_method") from None
    require_halalas(tender.amount_halalas)
    if tender.amount_halalas == 0:
        raise ValidationError("checkout.amount_zero")
    if tender.amount_halalas > MAX_AMOUNT_HALALAS:
        raise ValidationError("money.too_large", max_halalas=MAX_AMOUNT_HALALAS)
    if balance <= 0:
        raise Conflict("checkout.already_paid")
    if tender.amount_halalas > balance:
        raise ValidationError("checkout.over_balance", amount_halalas=tender.amount_halalas, balance_halalas=balance)
    if tender.method is TenderMethod.CASH and tender.tendered_halalas is not None:
        require_halalas(tender.tendered_halalas)
        if tender.tendered_halalas < tender.amount_halalas:
            raise ValidationError("checkout.cash_short", tendered_halalas=tender.tendered_halalas,
                                  amount_halalas=tender.amount_halalas)
        if tender.tendered_halalas > MAX_AMOUNT_HALALAS:
            raise ValidationError("money.too_large", max_halalas=MAX_AMOUNT_HALALAS)
    if tender.method is TenderMethod.CARD and not (
        tender.approval_code and _APPROVAL.fullmatch(tender.approval_code)
        and tender.card_last4 and _LAST4.fullmatch(tender.card_last4)
    ):
        raise ValidationError("checkout.card_details")


def balance_due(gross: int, paid: Iterable[int], refunded: Iterable[int] = ()) -> int:
    """What is still owed: the bill less payments taken, plus what was given back before invoicing."""
    return gross - sum(paid) + sum(refunded)


# ------------------------------------------------------------------------------------------------ refunds
@dataclass(frozen=True, slots=True)
class RefundLine:
    """Part of an invoice line given back: `gross_halalas` of invoice line `line_index`."""

    line_index: int
    gross_halalas: int
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class RefundPlan:
    """How a refund is paid back: (payment id, method, halalas) per payment, oldest payment last."""

    parts: tuple[tuple[str, TenderMethod, int], ...]

    @property
    def total(self) -> int:
        return sum(p[2] for p in self.parts)


@dataclass(frozen=True, slots=True)
class PaidPayment:
    id: str
    method: TenderMethod
    amount_halalas: int
    refunded_halalas: int = 0

    @property
    def refundable(self) -> int:
        return self.amount_halalas - self.refunded_halalas


# ------------------------------------------------------------------------------------------------ online money
@dataclass(frozen=True, slots=True)
class OnlineMoney:
    """A pay link's money as the desk's replica says (cloud-owned): what came in and what went back."""

    link_id: str
    booking_id: str | None
    checkout_id: str | None
    paid_halalas: int
    refunded_halalas: int
    company: str | None = None  # mada, visa, master, applepay... as Moyasar said

    @property
    def net_halalas(self) -> int:
        return max(self.paid_halalas - self.refunded_halalas, 0)


def online_to_claim(online: Sequence[OnlineMoney], claimed: set[str], balance: int) -> list[OnlineMoney]:
    """The online money a bill consumes now. The rule: a paid pay link counts towards exactly one bill, whole
    (what is left of it after refunds), as one `moyasar_link` payment line; a link already claimed by any bill
    (`claimed`: link ids with a payment line, synced from every desk) is never counted again, and one worth more
    than what is still due is left for a manager (refund the difference online, then it fits)."""
    out = []
    for money in online:
        if money.link_id in claimed or money.net_halalas <= 0 or money.net_halalas > balance:
            continue
        out.append(money)
        balance -= money.net_halalas
    return out


def online_refund_due(claimed: Payment, money: OnlineMoney) -> int:
    """Halalas refunded online that the bill has not yet given back: the claimed line still holds
    (amount − its refunds) while the link now holds only its net; the difference is one credit note."""
    return max(0, (claimed.amount_halalas - claimed.refunded_halalas) - money.net_halalas)


def online_refund_lines(left: Sequence[int], amount: int) -> list[RefundLine]:
    """An online refund of `amount` spread over what is still creditable on each invoice line (`left`), in
    proportion, by largest remainder, so the credit note's lines add up to the refund exactly."""
    if amount <= 0 or amount > sum(left):
        raise ValidationError("refund.over_paid", amount_halalas=amount, refundable_halalas=sum(left))
    shares = _allocate(amount, list(left))
    return [RefundLine(i, share) for i, share in enumerate(shares) if share > 0]


def check_online_claim(amount: int, money: OnlineMoney | None, booking_id: str | None, checkout_id: str | None,
                       claimed_by_other: bool) -> None:
    """The cloud's re-check of a pushed `moyasar_link` payment line (codes, never retried)."""
    if money is None or money.paid_halalas <= 0 or amount > money.paid_halalas:
        raise Conflict("checkout.online_not_paid")
    if not ((money.booking_id and money.booking_id == booking_id)
            or (money.checkout_id and money.checkout_id == checkout_id)):
        raise Conflict("checkout.online_other_visit")
    if claimed_by_other:
        raise Conflict("checkout.online_claimed")


def plan_refund(payments: Sequence[PaidPayment], amount: int, to_cash: bool = False) -> RefundPlan:
    """Shares `amount` over the payments (newest first), by their original method or all in cash.

    Never more than what was paid and not yet refunded, in total and per payment.
    """
    require_halalas(amount)
    if amount == 0:
        raise ValidationError("refund.nothing")
    refundable = sum(p.refundable for p in payments)
    if amount > refundable:
        raise ValidationError("refund.over_paid", amount_halalas=amount, refundable_halalas=refundable)
    parts: list[tuple[str, TenderMethod, int]] = []
    left = amount
    for p in reversed(payments):
        if left == 0:
            break
        take = min(left, p.refundable)
        if take > 0 and p.method is TenderMethod.MOYASAR_LINK and not to_cash:
            # online money goes back through Moyasar (the desk's online panel); its credit note follows by itself
            raise ValidationError("refund.online_by_panel")
        if take > 0:
            parts.append((p.id, TenderMethod.CASH if to_cash else p.method, take))
            left -= take
    return RefundPlan(tuple(parts))


def remaining_per_line(invoice_lines: Sequence[dict[str, object]],
                       earlier_notes: Sequence[Sequence[dict[str, object]]]) -> list[int]:
    """What is still creditable on each invoice line after earlier credit notes (each earlier note line is
    matched, in order, to the first invoice line of the same names with something left)."""
    left = [int(str(line["gross"])) for line in invoice_lines]
    for note in earlier_notes:
        for credited in note:
            amount = int(str(credited["gross"]))
            for i, line in enumerate(invoice_lines):
                if amount == 0:
                    break
                if (line["name_ar"], line["name_en"]) == (credited["name_ar"], credited["name_en"]) and left[i]:
                    take = min(left[i], amount)
                    left[i] -= take
                    amount -= take
    return left


def credit_lines(invoice_lines: Sequence[dict[str, object]], refund: Sequence[RefundLine],
                 remaining: Sequence[int] | None = None) -> list[dict[str, object]]:
    """The credit note's lines for a refund of an invoice's lines: never more than is left on a line."""
    left = list(remaining) if remaining is not None else [int(str(x["gross"])) for x in invoice_lines]
    out: list[dict[str, object]] = []
    for r in refund:
        if not 0 <= r.line_index < len(invoice_lines):
            raise ValidationError("refund.nothing")
        src = invoice_lines[r.line_index]
        require_halalas(r.gross_halalas)
        if r.gross_halalas == 0 or r.gross_halalas > left[r.line_index]:
            raise ValidationError("refund.over_paid", amount_halalas=r.gross_halalas, refundable_halalas=left[r.line_index])
        left[r.line_index] -= r.gross_halalas
        out.append({"index": r.line_index, "name_ar": src["name_ar"], "name_en": src["name_en"],
                    "quantity": r.quantity, "gross": r.gross_halalas})
    if not out:
        raise ValidationError("refund.nothing")
    return out


# ------------------------------------------------------------------------------------------------ daily close
@dataclass(frozen=True, slots=True)
class Movement:
    """One money movement of a desk drawer: a payment (+) or a refund (−)."""

    id: str
    kind: str  # "payment" | "refund"
    method: TenderMethod
    amount_halalas: int  # always positive; `kind` gives the direction
    business_day: date
    at: datetime


@dataclass(frozen=True, slots=True)
class CloseFigures:
    """A desk drawer's close: takings by method, refunds, discounts, VAT, invoice range, cash variance.

    `adjustments` are movements of earlier business days that reached this desk after their day closed
    (a late-synced payment): they count in this close and are listed apart.
    """

    business_day: date
    takings: dict[str, int] = field(default_factory=dict)  # method -> Σ payments
    refunds: dict[str, int] = field(default_factory=dict)  # method -> Σ refunds
    adjustments: tuple[str, ...] = ()  # movement ids from earlier days
    discounts_halalas: int = 0
    vat_halalas: int = 0  # VAT on invoices issued − VAT on credit notes issued
    invoiced_halalas: int = 0
    credited_halalas: int = 0
    invoice_first: str | None = None
    invoice_last: str | None = None
    invoice_count: int = 0
    credit_note_count: int = 0
    expected_cash_halalas: int = 0
    counted_cash_halalas: int = 0
    variance_halalas: int = 0  # counted − expected (negative: cash missing)

    @property
    def net_takings(self) -> int:
        return sum(self.takings.values()) - sum(self.refunds.values())


def close_figures(
    day: date,
    movements: Sequence[Movement],
    documents: Sequence[tuple[str, str, int, int, int]],
    counted_cash: int,
    opening_float: int = 0,
) -> CloseFigures:
    """The figures of one desk's close of `day`.

    `movements`: the drawer's payments and refunds not in an earlier close (days ≤ `day`).
    `documents`: (kind "invoice"|"credit_note", number text, gross, vat, discount) issued on this desk, not in an
    earlier close, in issue order.
    """
    if type(counted_cash) is not int or counted_cash < 0:
        raise ValidationError("close.bad_count")
    takings: dict[str, int] = {}
    refunds: dict[str, int] = {}
    adjustments = []
    for m in movements:
        bucket = takings if m.kind == "payment" else refunds
        bucket[m.method.value] = bucket.get(m.method.value, 0) + m.amount_halalas
        if m.business_day < day:
            adjustments.append(m.id)
    invoices = [d for d in documents if d[0] == "invoice"]
    credits = [d for d in documents if d[0] == "credit_note"]
    expected = opening_float + takings.get(TenderMethod.CASH.value, 0) - refunds.get(TenderMethod.CASH.value, 0)
    return CloseFigures(
        business_day=day,
        takings=takings,
        refunds=refunds,
        adjustments=tuple(adjustments),
        discounts_halalas=sum(d[4] for d in invoices),
        vat_halalas=sum(d[3] for d in invoices) - sum(d[3] for d in credits),
        invoiced_halalas=sum(d[2] for d in invoices),
        credited_halalas=sum(d[2] for d in credits),
        invoice_first=invoices[0][1] if invoices else None,
        invoice_last=invoices[-1][1] if invoices else None,
        invoice_count=len(invoices),
        credit_note_count=len(credits),
        expected_cash_halalas=expected,
        counted_cash_halalas=counted_cash,
        variance_halalas=counted_cash - expected,
    )


# ------------------------------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class Checkout:
    """A bill as stored: its lines and discounts, and where it stands."""

    id: str
    booking_id: str | None
    customer_id: str | None
    lines: tuple[CheckoutLine, ...]
    order_discount: Discount | None
    status: CheckoutStatus
    gross_halalas: int
    discount_halalas: int
    device_id: str
    opened_at: datetime
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    checkout_id: str | None
    booking_id: str | None
    method: TenderMethod
    amount_halalas: int
    status: str  # "paid" | "pending" (a link not yet paid) | "failed"
    taken_at: datetime | None
    business_day: date | None
    device_id: str
    tendered_halalas: int | None = None
    change_halalas: int = 0
    card_network: str | None = None
    approval_code: str | None = None
    card_last4: str | None = None
    external_id: str | None = None
    refunded_halalas: int = 0


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    payment_id: str
    method: TenderMethod
    amount_halalas: int
    reason: str
    credit_note_id: str | None
    refunded_at: datetime | None
    business_day: date | None
    device_id: str


@dataclass(frozen=True, slots=True)
class SeriesState:
    """The head of this desk's active series: last numbers and the chain's last counter and hash."""

    series: str
    last_number: int
    credit_last_number: int
    last_counter: int
    last_hash: str
    device_id: str = ""  # the device identity that opened the series (a rebound desk opens a new one)


@dataclass(frozen=True, slots=True)
class DailyClose:
    id: str
    device_id: str
    business_day: date
    closed_at: datetime
    closed_by: str
    closed_by_name: str
    figures: dict[str, object]
    counted_cash_halalas: int
    expected_cash_halalas: int
    variance_halalas: int
