"""Rules version 1 of the checkout commands (issue #11): bills, payments, invoices, credit notes, refunds and
daily closes. Released with v1: never tighten a model here (add a v2 module instead).

The cloud stores what the desk issued; it never renumbers an invoice. Totals are re-checked on both sides:
lines add up to the total, net + VAT = total, an amount is whole halalas within bounds.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StrictInt, model_validator

from salon_desk.domain.checkout import CardNetwork, CheckoutStatus, DiscountKind, LineKind, TenderMethod
from salon_desk.domain.zatca import GENESIS_HASH

from .fields import Halalas, Instant, Name, Reason, Strict, Uuid

MAX_LINES = 60
MAX_PAYMENTS = 30
_SERIES = re.compile(r"[A-Z0-9]{2,12}(-CN)?")
_HASH = re.compile(r"[A-Za-z0-9+/]{43}=|" + re.escape(GENESIS_HASH))
_DEVICE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_APPROVAL = re.compile(r"[A-Za-z0-9]{1,12}")
_LAST4 = re.compile(r"[0-9]{4}")
_VAT_NUMBER = re.compile(r"(3[0-9]{13}3)?")


def _pattern(regex: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.fullmatch(value):
            raise ValueError(f"not a valid {what}")
        return value

    return PlainValidator(check)


def _day(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("not a YYYY-MM-DD day")
    parsed = date.fromisoformat(value)
    if not 2000 <= parsed.year < 2100:
        raise ValueError("day outside 2000-2100")
    return value


Series = Annotated[str, _pattern(_SERIES, "invoice series")]
Hash = Annotated[str, _pattern(_HASH, "base64 SHA-256 hash")]
DeviceId = Annotated[str, _pattern(_DEVICE, "device id")]
Day = Annotated[str, PlainValidator(_day)]
Count = Annotated[StrictInt, Field(ge=1, le=999)]
Number = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
Variance = Annotated[StrictInt, Field(ge=-(10**8), le=10**8)]
BasisPointsOrHalalas = Annotated[StrictInt, Field(ge=0, le=10**8)]
ShortText = Annotated[str, Field(strict=True, max_length=64)]


class DiscountArgs(Strict):
    kind: DiscountKind
    value: BasisPointsOrHalalas

    @model_validator(mode="after")
    def _percent(self) -> DiscountArgs:
        if self.kind == DiscountKind.PERCENT.value and self.value > 10_000:
            raise ValueError("a percent discount is at most 100%")
        return self


class LineArgs(Strict):
    id: Uuid
    kind: LineKind
    name_ar: Name
    name_en: Name
    unit_price_halalas: Halalas
    quantity: Count
    discount: DiscountArgs | None = None
    service_id: Uuid | None = None
    staff_id: Uuid | None = None
    booking_item_id: Uuid | None = None


class CheckoutSaveArgs(Strict):
    booking_id: Uuid | None
    customer_id: Uuid | None
    lines: list[LineArgs] = Field(min_length=1, max_length=MAX_LINES)
    order_discount: DiscountArgs | None
    status: CheckoutStatus
    gross_halalas: Halalas
    discount_halalas: Halalas
    device_id: DeviceId
    invoice_id: Uuid | None


class PaymentRecordArgs(Strict):
    checkout_id: Uuid | None
    booking_id: Uuid | None
    method: TenderMethod
    amount_halalas: Annotated[StrictInt, Field(ge=1, le=10**8)]
    tendered_halalas: Halalas | None
    change_halalas: Halalas
    card_network: CardNetwork | None
    approval_code: Annotated[str, _pattern(_APPROVAL, "approval code")] | None
    card_last4: Annotated[str, _pattern(_LAST4, "last four digits")] | None
    external_id: ShortText | None
    device_id: DeviceId
    business_day: Day | None
    taken_at: Instant | None
    idempotency_key: Uuid

    @model_validator(mode="after")
    def _tender(self) -> PaymentRecordArgs:
        if self.method == TenderMethod.CASH.value:
            if self.tendered_halalas is not None and self.tendered_halalas - self.amount_halalas != self.change_halalas:
                raise ValueError("change is what was handed over less the amount")
        elif self.change_halalas:
            raise ValueError("only cash gives change")
        if self.method == TenderMethod.CARD.value and not (self.approval_code and self.card_last4):
            raise ValueError("a card payment needs an approval code and the last four digits")
        return self


class SellerArgs(Strict):
    name: Name
    name_en: Name
    vat_number: Annotated[str, _pattern(_VAT_NUMBER, "VAT number")]
    address: Reason
    commercial_registration: Annotated[str, Field(strict=True, max_length=20)]


class DocumentLineArgs(Strict):
    name_ar: Name
    name_en: Name
    quantity: Count
    gross: Halalas
    net: Halalas
    vat: Halalas

    @model_validator(mode="after")
    def _adds_up(self) -> DocumentLineArgs:
        if self.net + self.vat != self.gross:
            raise ValueError("a line's net and VAT add up to its total")
        return self


class DocumentArgs(Strict):
    uuid: Uuid
    series: Series
    number: Number
    counter: Number
    previous_hash: Hash
    hash: Hash
    issued_at: Instant
    seller: SellerArgs
    lines: list[DocumentLineArgs] = Field(min_length=1, max_length=MAX_LINES)
    net_halalas: Halalas
    vat_halalas: Halalas
    gross_halalas: Halalas
    discount_halalas: Halalas
    qr_payload: Annotated[str, Field(strict=True, min_length=8, max_length=700)]
    booking_id: Uuid | None
    checkout_id: Uuid | None
    device_id: DeviceId
    payments: list[tuple[TenderMethod, Halalas]] = Field(max_length=MAX_PAYMENTS)
    original_invoice_id: Uuid | None
    original_number: Annotated[str, Field(strict=True, max_length=40)] | None
    reason: Reason

    @model_validator(mode="after")
    def _totals(self) -> DocumentArgs:
        if self.net_halalas + self.vat_halalas != self.gross_halalas:
            raise ValueError("net and VAT add up to the total")
        if sum(line.gross for line in self.lines) != self.gross_halalas:
            raise ValueError("the lines add up to the total")
        if sum(line.vat for line in self.lines) != self.vat_halalas:
            raise ValueError("the lines' VAT adds up to the VAT total")
        return self


class InvoiceIssueArgs(DocumentArgs):
    @model_validator(mode="after")
    def _invoice(self) -> InvoiceIssueArgs:
        if self.series.endswith("-CN") or self.original_invoice_id is not None:
            raise ValueError("an invoice is numbered in its desk's invoice series")
        if self.payments and sum(a for _, a in self.payments) != self.gross_halalas:
            raise ValueError("the payments add up to the total")
        return self


class RefundArgs(Strict):
    id: Uuid
    payment_id: Uuid
    method: TenderMethod
    amount_halalas: Annotated[StrictInt, Field(ge=1, le=10**8)]
    reason: Reason
    business_day: Day | None
    refunded_at: Instant | None


class CreditNoteIssueArgs(DocumentArgs):
    refunds: list[RefundArgs] = Field(max_length=MAX_PAYMENTS)

    @model_validator(mode="after")
    def _credit(self) -> CreditNoteIssueArgs:
        if not self.series.endswith("-CN") or self.original_invoice_id is None:
            raise ValueError("a credit note names its invoice and is numbered in the credit series")
        if not self.reason.strip():
            raise ValueError("a credit note states its reason")
        if sum(r.amount_halalas for r in self.refunds) != self.gross_halalas:
            raise ValueError("the refunds add up to the credit note")
        return self


class RefundRecordArgs(RefundArgs):
    checkout_id: Uuid | None


class DailyCloseArgs(Strict):
    device_id: DeviceId
    business_day: Day
    closed_at: Instant
    closed_by: Annotated[str, Field(strict=True, max_length=36)]
    closed_by_name: Name
    figures: dict[str, Any]
    counted_cash_halalas: Halalas
    expected_cash_halalas: Variance
    variance_halalas: Variance

    @model_validator(mode="after")
    def _variance(self) -> DailyCloseArgs:
        if self.counted_cash_halalas - self.expected_cash_halalas != self.variance_halalas:
            raise ValueError("the variance is the count less what was expected")
        if len(self.figures) > 30:
            raise ValueError("too many figures")
        return self


# (name, entity, model): registered in the package's SCHEMAS under version 1.
COMMANDS: tuple[tuple[str, str, type[Strict]], ...] = (
    ("checkout.save", "checkout", CheckoutSaveArgs),
    ("payment.record", "payment", PaymentRecordArgs),
    ("invoice.issue", "invoice", InvoiceIssueArgs),
    ("credit_note.issue", "credit_note", CreditNoteIssueArgs),
    ("refund.record", "refund", RefundRecordArgs),
    ("daily_close.record", "daily_close", DailyCloseArgs),
)
