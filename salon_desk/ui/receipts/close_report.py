"""The daily close as a printed slip (80 mm roll or A4), Arabic first with English beside it, painted by the
receipt engine: takings and refunds per method, discounts, VAT, the invoice range, the cash count and its
variance, who closed and when.

    render_close_pdf(close, Path("close.pdf"), ReceiptOptions(Paper.ROLL_80), seller_name="صالون …")
"""

from __future__ import annotations

from pathlib import Path

from salon_desk.domain.checkout import DailyClose
from salon_desk.domain.i18n import N_
from salon_desk.ui.receipts.layout import (
    METHOD_LABELS,
    Align,
    AnyRow,
    Cell,
    ReceiptOptions,
    Row,
    _Both,
    _centered,
    _labelled,
    riyals,
)
from salon_desk.ui.receipts.render import write_pdf

T_TITLE = N_("Daily close")
T_DAY = N_("Business day")
T_TAKINGS = N_("Takings")
T_REFUNDS = N_("Refunds")
T_NET = N_("Net takings")
T_DISCOUNTS = N_("Discounts given")
T_VAT = N_("VAT collected")
T_FIRST = N_("First invoice")
T_LAST = N_("Last invoice")
T_INVOICES = N_("Invoices")
T_CREDITS = N_("Credit notes")
T_EXPECTED = N_("Cash expected")
T_COUNTED = N_("Cash counted")
T_VARIANCE = N_("Variance")
T_CLOSED_BY = N_("Closed by")
T_CLOSED_AT = N_("Closed at")


def _amounts(value: object) -> dict[str, int]:
    return {str(k): int(str(v)) for k, v in dict(value).items()} if isinstance(value, dict) else {}


def close_rows(close: DailyClose, options: ReceiptOptions, seller_name: str = "") -> list[AnyRow]:
    both = _Both(options.english)
    f = close.figures
    rows: list[AnyRow] = []
    if seller_name:
        rows.append(_centered(seller_name, "heading", bold=True))
    title_ar, title_en = both.labels(T_TITLE)
    rows.append(_centered(title_ar, "heading", bold=True, gap=1.0))
    if title_en:
        rows.append(_centered(title_en, "body", bold=True))
    local = both.en.to_local(close.closed_at, options.timezone)
    rows.append(_labelled(both, T_DAY, close.business_day.isoformat(), rule=True, value_share=0.36))
    takings, refunds = _amounts(f.get("takings")), _amounts(f.get("refunds"))
    for i, (method, amount) in enumerate(sorted(takings.items())):
        source = METHOD_LABELS.get(method, method)
        rows.append(_labelled(both, source, riyals(amount), rule=i == 0))
    for method, amount in sorted(refunds.items()):
        ar, en = both.labels(METHOD_LABELS.get(method, method))
        refund_ar, refund_en = both.labels(T_REFUNDS)
        rows.append(_pair(both, f"{refund_ar}: {ar}", f"{refund_en}: {en}", riyals(-amount)))
    rows.append(_labelled(both, T_NET, riyals(sum(takings.values()) - sum(refunds.values())), bold=True))
    rows.append(_labelled(both, T_DISCOUNTS, riyals(int(str(f.get("discounts_halalas", 0)))), rule=True))
    rows.append(_labelled(both, T_VAT, riyals(int(str(f.get("vat_halalas", 0))))))
    rows.append(_labelled(both, T_INVOICES, str(f.get("invoice_count", 0)), rule=True))
    rows.append(_labelled(both, T_FIRST, str(f.get("invoice_first") or "—"), size="small", value_share=0.4))
    rows.append(_labelled(both, T_LAST, str(f.get("invoice_last") or "—"), size="small", value_share=0.4))
    rows.append(_labelled(both, T_CREDITS, str(f.get("credit_note_count", 0))))
    rows.append(_labelled(both, T_EXPECTED, riyals(close.expected_cash_halalas), rule=True))
    rows.append(_labelled(both, T_COUNTED, riyals(close.counted_cash_halalas)))
    rows.append(_labelled(both, T_VARIANCE, riyals(close.variance_halalas), bold=True))
    rows.append(_labelled(both, T_CLOSED_BY, close.closed_by_name, rule=True, value_share=0.4))
    rows.append(_labelled(both, T_CLOSED_AT, f"{local:%Y-%m-%d %H:%M}", value_share=0.4))
    return rows


def _pair(both: _Both, ar: str, en: str, value: str) -> AnyRow:
    if both.english:
        return Row((Cell(en, 0.3, Align.LEFT, "small"), Cell(value, 0.26, Align.CENTER),
                    Cell(ar, 0.44, Align.RIGHT, "small")))
    return Row((Cell(value, 0.4, Align.LEFT), Cell(ar, 0.6, Align.RIGHT, "small")))


def render_close_pdf(close: DailyClose, path: Path | str, options: ReceiptOptions, seller_name: str = "") -> Path:
    return write_pdf(close_rows(close, options, seller_name), path, options,
                     f"close {close.business_day.isoformat()}", "close")
