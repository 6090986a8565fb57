"""Receipts: the 80 mm roll and A4 PDFs are written, the copy is marked, and the QR printed on the page decodes
(with zxing-cpp, an independent decoder) back to exactly the invoice's ZATCA fields, Arabic seller name included.

The PDF file itself is rasterised with PDFium (pypdfium2, a dev dependency; QtPdf is not in PySide6-Essentials)
and the QR decoded from that page image; the same page painted by the same code (`paint_rows`) onto an image
at a thermal printer's 203 dpi must decode too."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salon_desk.domain.checkout import Payment, TenderMethod
from salon_desk.domain.money import invoice_totals
from salon_desk.domain.zatca import (
    GENESIS_HASH,
    DocumentKind,
    DocumentLine,
    InvoiceDraft,
    IssuedInvoice,
    Seller,
    decode_qr,
    issue,
)
from salon_desk.ui.receipts import Paper, ReceiptOptions, receipt_rows, render_image, render_pdf
from salon_desk.ui.receipts.layout import QrRow, Row

zxingcpp = pytest.importorskip("zxingcpp")

AT = datetime(2026, 12, 5, 17, 42, 9, tzinfo=UTC)
SELLER = Seller("صالون لمسة الجمال للسيدات", "310122393500003", "Lamsat Al Jamal Ladies Salon",
                "طريق الملك فهد، الرياض", "1010101010")


def invoice(lines: list[tuple[str, str, int]], kind: DocumentKind = DocumentKind.INVOICE) -> IssuedInvoice:
    totals = invoice_totals([g for _, _, g in lines])
    doc_lines = tuple(DocumentLine(ar, en, 1, s.gross, s.net, s.vat) for (ar, en, _), s in
                      zip(lines, totals.lines, strict=True))
    draft = InvoiceDraft(kind, SELLER, AT, doc_lines, totals.net, totals.vat, totals.gross, 1500,
                         original_number="DTEST01-000001" if kind is DocumentKind.CREDIT_NOTE else None,
                         reason="الخدمة لم تكتمل" if kind is DocumentKind.CREDIT_NOTE else "")
    doc = issue(draft, id="i1", uuid="0190f7a4-3b1c-7d2e-9f00-1a2b3c4d5e6f", series="DTEST01", number=42,
                counter=42, previous_hash=GENESIS_HASH)
    return doc


PAYMENTS = (
    Payment("p1", "c1", None, TenderMethod.CASH, 10000, "paid", AT, None, "d", tendered_halalas=20000,
            change_halalas=10000),
    Payment("p2", "c1", None, TenderMethod.CARD, 17500, "paid", AT, None, "d", card_network="mada",
            approval_code="A1B2C3", card_last4="4242"),
)
LINES = [("قص شعر", "Haircut", 12000), ("سشوار", "Blow-dry", 10000), ("شامبو أرغان", "Argan shampoo", 5500)]


def pdf_page_image(pdf: Path, dpi: int):  # type: ignore[no-untyped-def]
    """Page 1 of `pdf` rasterised by PDFium (independent of Qt's painting) as a QImage."""
    pdfium = pytest.importorskip("pypdfium2")
    from PySide6.QtGui import QImage

    bitmap = pdfium.PdfDocument(str(pdf))[0].render(scale=dpi / 72, force_bitmap_format=pdfium.raw.FPDFBitmap_BGRA)
    return QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                  QImage.Format.Format_ARGB32).copy()


def decoded_qr(image) -> str:  # type: ignore[no-untyped-def]
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "exactly one QR on the receipt"
    return found[0].text


@pytest.mark.parametrize("paper", [Paper.ROLL_80, Paper.A4])
def test_pdf_written_and_qr_decodes_to_the_invoice(qapp, tmp_path: Path, paper: Paper) -> None:
    doc = invoice(LINES)
    options = ReceiptOptions(paper, english=True)
    pdf = render_pdf(doc, tmp_path / f"r-{paper}.pdf", options, PAYMENTS)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    box = [float(v) for v in re.search(rb"/MediaBox \[([^\]]+)\]", data).group(1).split()]  # type: ignore[union-attr]
    width_mm = (box[2] - box[0]) / 72 * 25.4
    assert width_mm == pytest.approx(80 if paper is Paper.ROLL_80 else 210, abs=0.5)
    assert decoded_qr(pdf_page_image(pdf, 203)) == doc.qr_payload  # the PDF as printed at 203 dpi
    image = render_image(doc, options, PAYMENTS, dpi=203)  # the same painting, straight to an image
    text = decoded_qr(image)
    assert text == doc.qr_payload
    fields = decode_qr(text)
    assert (fields.seller_name, fields.vat_number, fields.issued_at, fields.total_halalas, fields.vat_halalas) == (
        SELLER.name, SELLER.vat_number, AT, doc.gross, doc.vat)


def test_roll_receipt_is_arabic_first_with_english_beside_and_sums() -> None:
    doc = invoice(LINES)
    rows = receipt_rows(doc, ReceiptOptions(Paper.ROLL_80, english=True), PAYMENTS)
    texts = [c.text for r in rows if isinstance(r, Row) for c in r.cells]
    assert texts[0] == SELLER.name  # Arabic name first
    assert "فاتورة ضريبية مبسطة" in texts and "Simplified tax invoice" in texts
    assert "275.00" in texts and "DTEST01-000042" in texts
    assert "الباقي" in texts or any("الباقي" in t for t in texts)  # change due on the cash tender
    assert not any("نسخة" in t for t in texts)
    arabic_only = receipt_rows(doc, ReceiptOptions(Paper.ROLL_80, english=False), PAYMENTS)
    only = [c.text for r in arabic_only if isinstance(r, Row) for c in r.cells]
    assert "Simplified tax invoice" not in only and "Haircut" not in only
    assert sum(isinstance(r, QrRow) for r in rows) == 1


def test_reprint_is_marked_as_a_copy_and_credit_note_names_the_original(qapp) -> None:
    doc = invoice(LINES)
    rows = receipt_rows(doc, ReceiptOptions(copy=True))
    boxed = [c.text for r in rows if isinstance(r, Row) and r.box for c in r.cells]
    assert boxed == ["نسخة — COPY"]
    note = invoice(LINES[:1], DocumentKind.CREDIT_NOTE)
    texts = [c.text for r in receipt_rows(note, ReceiptOptions()) if isinstance(r, Row) for c in r.cells]
    assert "إشعار دائن" in texts and "DTEST01-000001" in texts
    assert decoded_qr(render_image(note, ReceiptOptions(copy=True))) == note.qr_payload


def test_long_bill_on_a4_breaks_pages(qapp, tmp_path: Path) -> None:
    many = [(f"خدمة رقم {i}", f"Service number {i}", 1000 + i) for i in range(60)]
    pdf = render_pdf(invoice(many), tmp_path / "long.pdf", ReceiptOptions(Paper.A4))
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) >= 2


def test_print_path_sizes_the_roll_to_the_content(qapp, tmp_path: Path) -> None:
    """`print_receipt` takes any paged device (a QPrinter at the desk); here a PDF writer stands in for it."""
    from PySide6.QtGui import QPageLayout, QPdfWriter

    from salon_desk.ui.receipts import print_receipt

    writer = QPdfWriter(str(tmp_path / "printed.pdf"))
    writer.setResolution(203)
    assert print_receipt(invoice(LINES), writer, ReceiptOptions(Paper.ROLL_80), PAYMENTS) == 1
    size = writer.pageLayout().fullRect(QPageLayout.Unit.Millimeter).size()
    assert size.width() == pytest.approx(80, abs=0.5) and size.height() > 150
    del writer
    assert decoded_qr(pdf_page_image(tmp_path / "printed.pdf", 203)) == invoice(LINES).qr_payload
