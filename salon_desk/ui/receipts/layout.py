"""What a receipt says, row by row, before any painting: Arabic first (on the right), English beside it (on the
left) when the salon prints both, amounts between them.

    rows = receipt_rows(invoice, ReceiptOptions(paper=Paper.ROLL_80, english=True, copy=False))

Amounts are printed as riyals with two decimals and Western digits (what ZATCA's QR carries and what the
customer compares with the card terminal's slip). Times are salon-local. Labels come from the catalogs of
both languages at once, whatever language the desk screen is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from salon_desk.domain.checkout import Payment, TenderMethod
from salon_desk.domain.i18n import N_
from salon_desk.domain.zatca import DocumentKind, DocumentLine, IssuedInvoice
from salon_desk.l10n import DEFAULT_TZ, Localizer, get_localizer


class Paper(StrEnum):
    ROLL_80 = "80mm"  # thermal receipt printer: 80 mm roll, 72 mm printable
    A4 = "a4"


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    share: float  # fraction of the printable width
    align: Align
    size: str = "body"  # a key of Metrics sizes: title | heading | body | small
    bold: bool = False
    grey: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """Cells side by side, left to right on paper; each wraps inside its share. `box`: framed (the copy mark);
    `rule`: a thin line above the row."""

    cells: tuple[Cell, ...]
    rule: bool = False
    box: bool = False
    gap: float = 0.0  # mm of space above


@dataclass(frozen=True, slots=True)
class QrRow:
    payload: str
    size_mm: float
    gap: float = 2.0


@dataclass(frozen=True, slots=True)
class ReceiptOptions:
    paper: Paper = Paper.ROLL_80
    english: bool = True  # English beside the Arabic (the salon's choice)
    copy: bool = False  # a reprint: marked as a copy
    timezone: str = DEFAULT_TZ


AnyRow = Row | QrRow

T_INVOICE = N_("Simplified tax invoice")
T_CREDIT = N_("Credit note")
T_COPY = N_("COPY")
T_VAT_NO = N_("VAT number")
T_CR = N_("CR number")
T_NUMBER = N_("Invoice number")
T_CREDIT_NUMBER = N_("Credit note number")
T_ORIGINAL = N_("Original invoice")
T_REASON = N_("Reason")
T_DATE = N_("Date and time")
T_ITEM = N_("Item")
T_QTY = N_("Qty")
T_AMOUNT = N_("Amount")
T_VAT_LINE = N_("VAT")
T_NET = N_("Total excluding VAT")
T_VAT = N_("VAT 15%")
T_DISCOUNT = N_("Discount")
T_GROSS = N_("Total incl. VAT")
T_PAID = N_("Payments")
T_CHANGE = N_("Change given")
T_TENDERED = N_("Cash received")
T_THANKS = N_("Thank you for your visit")
T_REFUNDED = N_("Refunded")
METHOD_LABELS = {
    TenderMethod.CASH.value: N_("Cash"),
    TenderMethod.CARD.value: N_("Card"),
    TenderMethod.MOYASAR_LINK.value: N_("Payment link"),
}


def riyals(halalas: int) -> str:
    """`123456` -> `1,234.56` (Western digits, for receipts)."""
    sign = "-" if halalas < 0 else ""
    value = abs(halalas)
    return f"{sign}{value // 100:,}.{value % 100:02d}"


class _Both:
    def __init__(self, english: bool) -> None:
        self.ar: Localizer = get_localizer("ar", "latn")
        self.en: Localizer = get_localizer("en", "latn")
        self.english = english

    def labels(self, source: str) -> tuple[str, str]:
        return self.ar.gettext(source), self.en.gettext(source) if self.english else ""


def _labelled(both: _Both, source: str, value: str, *, size: str = "body", bold: bool = False,
              rule: bool = False, value_share: float = 0.26, value_size: str | None = None) -> Row:
    """`English label | value | Arabic label`, or `value | Arabic label` when English is off."""
    ar, en = both.labels(source)
    ar = ar.replace(" 15%", "\u00a015%")  # a percent never wraps away from its word
    shown = value_size or size
    if both.english:  # Arabic first: its label gets the larger side (Arabic words run wider)
        ar_share = (1 - value_share) * 0.6
        return Row((Cell(en, 1 - value_share - ar_share, Align.LEFT, size, bold),
                    Cell(value, value_share, Align.CENTER, shown, bold),
                    Cell(ar, ar_share, Align.RIGHT, size, bold)), rule=rule)
    return Row((Cell(value, 0.4, Align.LEFT, shown, bold), Cell(ar, 0.6, Align.RIGHT, size, bold)), rule=rule)


def _centered(text: str, size: str = "body", bold: bool = False, grey: bool = False, gap: float = 0.0) -> Row:
    return Row((Cell(text, 1.0, Align.CENTER, size, bold, grey),), gap=gap)


def receipt_rows(doc: IssuedInvoice, options: ReceiptOptions,
                 payments: Sequence[Payment] = ()) -> list[AnyRow]:
    """The rows of `doc` (invoice or credit note). `payments`: the bill's payments, for card and change
    details (the invoice itself keeps method and amount)."""
    both = _Both(options.english)
    wide = options.paper is Paper.A4
    seller = doc.seller
    rows: list[AnyRow] = [_centered(seller.name, "title", bold=True)]
    if options.english and seller.name_en:
        rows.append(_centered(seller.name_en, "heading", bold=True))
    if seller.address:
        rows.append(_centered(seller.address, "small", grey=True))
    rows.append(_labelled(both, T_VAT_NO, seller.vat_number, size="small", value_share=0.36))
    if seller.commercial_registration:
        rows.append(_labelled(both, T_CR, seller.commercial_registration, size="small", value_share=0.36))
    credit = doc.kind is DocumentKind.CREDIT_NOTE
    title_ar, title_en = both.labels(T_CREDIT if credit else T_INVOICE)
    rows.append(_centered(title_ar, "heading", bold=True, gap=2.0))
    if title_en:
        rows.append(_centered(title_en, "body", bold=True))
    if options.copy:
        copy_ar, copy_en = both.labels(T_COPY)
        rows.append(Row((Cell(" — ".join(t for t in (copy_ar, copy_en) if t), 1.0, Align.CENTER, "heading",
                                True),), box=True, gap=1.5))
    local = both.en.to_local(doc.issued_at, options.timezone)
    long_number = len(doc.number_text) > 15 and not wide  # a credit note's "-CN-" on the roll
    rows.append(_labelled(both, T_CREDIT_NUMBER if credit else T_NUMBER, doc.number_text, rule=True,
                          value_share=0.4 if long_number else 0.36, value_size="small" if long_number else None))
    rows.append(_labelled(both, T_DATE, f"{local:%Y-%m-%d %H:%M}", value_share=0.36))
    if credit and doc.original_number:
        rows.append(_labelled(both, T_ORIGINAL, doc.original_number, value_share=0.36))
        if doc.reason:
            reason_ar, reason_en = both.labels(T_REASON)
            rows.append(_centered(f"{reason_ar}{' / ' + reason_en if reason_en else ''}: {doc.reason}", "small"))
    rows.extend(_line_rows(both, doc, wide))
    rows.append(_labelled(both, T_NET, riyals(doc.net), rule=True))
    if doc.discount:
        rows.append(_labelled(both, T_DISCOUNT, riyals(doc.discount)))
    rows.append(_labelled(both, T_VAT, riyals(doc.vat)))
    rows.append(_labelled(both, T_GROSS, riyals(doc.gross), bold=True, value_size="title"))
    rows.extend(_payment_rows(both, doc, payments))
    rows.append(QrRow(doc.qr_payload, 42.0 if wide else 32.0))
    thanks_ar, thanks_en = both.labels(T_THANKS)
    rows.append(_centered(thanks_ar, "body", gap=2.0))
    if thanks_en:
        rows.append(_centered(thanks_en, "small", grey=True))
    rows.append(_centered(doc.uuid, "tiny", grey=True, gap=1.0))
    return rows


def _line_rows(both: _Both, doc: IssuedInvoice, wide: bool) -> list[AnyRow]:
    rows: list[AnyRow] = []
    item_ar, item_en = both.labels(T_ITEM)
    amount_ar, amount_en = both.labels(T_AMOUNT)
    if wide:
        vat_ar, vat_en = both.labels(T_VAT_LINE)
        qty_ar, qty_en = both.labels(T_QTY)

        def head(ar: str, en: str) -> str:
            return f"{ar} / {en}" if en else ar

        rows.append(Row((Cell(head(amount_ar, amount_en), 0.16, Align.LEFT, "small", True),
                         Cell(head(vat_ar, vat_en), 0.14, Align.LEFT, "small", True),
                         Cell(head(qty_ar, qty_en), 0.1, Align.CENTER, "small", True),
                         Cell(item_en, 0.28, Align.LEFT, "small", True),
                         Cell(item_ar, 0.32, Align.RIGHT, "small", True)), rule=True, gap=2.0))
        for line in doc.lines:
            rows.append(Row((Cell(riyals(line.gross), 0.16, Align.LEFT), Cell(riyals(line.vat), 0.14, Align.LEFT),
                             Cell(str(line.quantity), 0.1, Align.CENTER),
                             Cell(_english_name(line) if both.english else "", 0.28, Align.LEFT),
                             Cell(line.name_ar or line.name_en, 0.32, Align.RIGHT)), rule=True))
        return rows
    if both.english:
        rows.append(Row((Cell(amount_en, 0.24, Align.LEFT, "small", True, True),
                         Cell(item_en, 0.36, Align.LEFT, "small", True, True),
                         Cell(f"{item_ar} / {amount_ar}", 0.4, Align.RIGHT, "small", True, True)), rule=True, gap=1.5))
    else:
        rows.append(Row((Cell(amount_ar, 0.3, Align.LEFT, "small", True, True),
                         Cell(item_ar, 0.7, Align.RIGHT, "small", True, True)), rule=True, gap=1.5))
    for line in doc.lines:
        qty = f"{line.quantity} × " if line.quantity != 1 else ""
        ar = f"{qty}{line.name_ar or line.name_en}"
        if both.english:
            rows.append(Row((Cell(riyals(line.gross), 0.24, Align.LEFT),
                             Cell(f"{qty}{_english_name(line)}" if _english_name(line) else "", 0.36, Align.LEFT),
                             Cell(ar, 0.4, Align.RIGHT))))
        else:
            rows.append(Row((Cell(riyals(line.gross), 0.3, Align.LEFT), Cell(ar, 0.7, Align.RIGHT))))
    return rows


def _english_name(line: DocumentLine) -> str:
    """The English name, unless it only repeats the Arabic column (an item typed once at the desk)."""
    return "" if line.name_en == line.name_ar else line.name_en


def _payment_rows(both: _Both, doc: IssuedInvoice, payments: Sequence[Payment]) -> list[AnyRow]:
    rows: list[AnyRow] = []
    if doc.kind is DocumentKind.CREDIT_NOTE:
        label = T_REFUNDED
        rows.append(_labelled(both, label, riyals(doc.gross), rule=True))
        return rows
    paid = [p for p in payments if p.status == "paid"]
    if paid:
        for i, p in enumerate(paid):
            detail = ""
            if p.method is TenderMethod.CARD:
                network = (p.card_network or "").upper() if p.card_network != "mada" else "mada"
                detail = f" {network} ••{p.card_last4 or ''} {p.approval_code or ''}".rstrip()
            row = _labelled(both, METHOD_LABELS.get(p.method.value, p.method.value), riyals(p.amount_halalas),
                            rule=i == 0)
            rows.append(row)
            if detail:
                rows.append(_centered(detail.strip(), "small", grey=True))
            if p.method is TenderMethod.CASH and p.tendered_halalas is not None and p.change_halalas:
                rows.append(_labelled(both, T_TENDERED, riyals(p.tendered_halalas), size="small"))
                rows.append(_labelled(both, T_CHANGE, riyals(p.change_halalas), size="small"))
    else:
        for i, (method, amount) in enumerate(doc.payments):
            rows.append(_labelled(both, METHOD_LABELS.get(method, method), riyals(amount), rule=i == 0))
    return rows
