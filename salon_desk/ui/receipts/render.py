"""Paints receipt rows (`layout.receipt_rows`) with QPainter: to a PDF (QPdfWriter), a printer (QPrinter, the
80 mm thermal roll or A4) or an image (QImage, for the screen and the tests).

    render_pdf(invoice, Path("r.pdf"), ReceiptOptions(Paper.ROLL_80), payments)
    image = render_image(invoice, ReceiptOptions(Paper.A4), dpi=200)

Layout units are tenths of a millimetre ("du") and fonts are sized in them, so a page looks the same on every
device; the painter is scaled from du to the device's pixels. The roll receipt's page is exactly as long as its
content; A4 breaks pages between rows. The QR is drawn module by module (segno computes the matrix) with a
4-module quiet zone, at least 0.5 mm per module so a thermal print at 203 dpi scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from salon_desk.domain.checkout import Payment
from salon_desk.domain.zatca import IssuedInvoice
from salon_desk.ui.receipts.layout import Align, AnyRow, Paper, QrRow, ReceiptOptions, Row, receipt_rows
from salon_desk.ui.theme import ARABIC_FAMILY, LATIN_FAMILY, load_fonts

DU_PER_MM = 10
DU_DPI = 254  # 10 du per mm


@dataclass(frozen=True, slots=True)
class Metrics:
    paper_width_mm: float
    margin_mm: float
    page_height_mm: float | None  # None: as long as the content (roll)
    sizes: dict[str, float]  # font pixel sizes in du
    cell_pad: float = 8.0  # du between cells


ROLL = Metrics(80, 4, None, {"title": 44, "heading": 34, "body": 27, "small": 23, "tiny": 17})
A4 = Metrics(210, 15, 297, {"title": 60, "heading": 44, "body": 36, "small": 31, "tiny": 24})
GREY = QColor("#555555")


def metrics_of(paper: Paper) -> Metrics:
    return A4 if paper is Paper.A4 else ROLL


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR's modules (True = dark), without the quiet zone; error correction M (or better if it fits)."""
    code = segno.make_qr(payload, error="m", boost_error=True)
    return [[bool(v) for v in row] for row in code.matrix]


class _Painter:
    """Lays out (measures) and paints rows; `painter` None measures only."""

    def __init__(self, metrics: Metrics) -> None:
        load_fonts()
        self.m = metrics
        self.width = (metrics.paper_width_mm - 2 * metrics.margin_mm) * DU_PER_MM
        self.left = metrics.margin_mm * DU_PER_MM
        self._heights: dict[int, tuple[AnyRow, float]] = {}
        self._fonts: dict[tuple[str, bool, bool], QFont] = {}

    def font(self, size: str, bold: bool, text: str) -> QFont:
        arabic = any("\u0600" <= ch <= "\u06ff" for ch in text)
        cached = self._fonts.get((size, bold, arabic))
        if cached is not None:
            return cached
        font = QFont()
        font.setFamilies([ARABIC_FAMILY, LATIN_FAMILY] if arabic else [LATIN_FAMILY, ARABIC_FAMILY])
        font.setPixelSize(max(1, round(self.m.sizes[size])))
        font.setBold(bold)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        self._fonts[(size, bold, arabic)] = font
        return font

    def _cell_rects(self, row: Row) -> list[QRectF]:
        x = self.left
        rects = []
        for cell in row.cells:
            w = self.width * cell.share
            rects.append(QRectF(x, 0, max(1.0, w - self.m.cell_pad), 1.0))
            x += w
        return rects

    @staticmethod
    def _flags(align: Align) -> int:
        horizontal = {Align.LEFT: Qt.AlignmentFlag.AlignLeft, Align.CENTER: Qt.AlignmentFlag.AlignHCenter,
                      Align.RIGHT: Qt.AlignmentFlag.AlignRight}[align]
        return int(horizontal | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignTop
                   | Qt.TextFlag.TextWordWrap)

    def height(self, row: AnyRow) -> float:
        key = id(row)
        cached = self._heights.get(key)
        if cached is None or cached[0] is not row:
            cached = (row, self._measure(row))
            self._heights[key] = cached
        return cached[1]

    def _measure(self, row: AnyRow) -> float:
        gap = row.gap * DU_PER_MM
        if isinstance(row, QrRow):
            return gap + row.size_mm * DU_PER_MM
        tallest = 0.0
        for cell, rect in zip(row.cells, self._cell_rects(row), strict=True):
            if not cell.text:
                continue
            metrics = QFontMetricsF(self.font(cell.size, cell.bold, cell.text))
            bound = metrics.boundingRect(QRectF(0, 0, rect.width(), 1e6), self._flags(cell.align), cell.text)
            tallest = max(tallest, bound.height())
        pad = 10.0 if row.box else 0.0
        rule = 8.0 if row.rule else 2.0
        return gap + rule + tallest + 2 * pad

    def paint(self, p: QPainter, row: AnyRow, top: float) -> None:
        y = top + row.gap * DU_PER_MM
        if isinstance(row, QrRow):
            self._paint_qr(p, row, y)
            return
        if row.rule:
            p.setPen(QPen(GREY, 2.0))
            p.drawLine(QPointF(self.left, y + 3), QPointF(self.left + self.width, y + 3))
            y += 8.0
        else:
            y += 2.0
        pad = 10.0 if row.box else 0.0
        if row.box:
            p.setPen(QPen(QColor("black"), 4.0))
            p.drawRect(QRectF(self.left + self.width * 0.15, y, self.width * 0.7,
                              self.height(row) - (y - top) - 2.0 - row.gap * DU_PER_MM + 0.0))
        for cell, rect in zip(row.cells, self._cell_rects(row), strict=True):
            if not cell.text:
                continue
            p.setFont(self.font(cell.size, cell.bold, cell.text))
            p.setPen(GREY if cell.grey else QColor("black"))
            arabic = any("\u0600" <= ch <= "\u06ff" for ch in cell.text)
            p.setLayoutDirection(Qt.LayoutDirection.RightToLeft if arabic else Qt.LayoutDirection.LeftToRight)
            p.drawText(QRectF(rect.x(), y + pad, rect.width(), 1e5), self._flags(cell.align), cell.text)

    def _paint_qr(self, p: QPainter, row: QrRow, y: float) -> None:
        matrix = qr_matrix(row.payload)
        n = len(matrix)
        side = row.size_mm * DU_PER_MM
        module = side / (n + 8)  # 4 quiet modules each side
        x0 = self.left + (self.width - side) / 2
        p.fillRect(QRectF(x0, y, side, side), QColor("white"))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("black"))
        for r, values in enumerate(matrix):
            c = 0
            while c < n:  # one rectangle per horizontal run of dark modules
                if not values[c]:
                    c += 1
                    continue
                end = c
                while end < n and values[end]:
                    end += 1
                # a hair of overlap so no white seams appear between rows
                p.drawRect(QRectF(x0 + (c + 4) * module, y + (r + 4) * module, (end - c) * module + 0.3,
                                  module + 0.3))
                c = end
        p.setBrush(Qt.BrushStyle.NoBrush)


def content_height(rows: Sequence[AnyRow], metrics: Metrics, engine: _Painter | None = None) -> float:
    """The rows' total height in du, margins included (the roll's page length)."""
    painter = engine or _Painter(metrics)
    return sum(painter.height(r) for r in rows) + 2 * metrics.margin_mm * DU_PER_MM


def paint_rows(device: QPaintDevice, rows: Sequence[AnyRow], metrics: Metrics, page_height_du: float,
               engine: _Painter | None = None) -> int:
    """Paints `rows` on `device` (a new page when A4 is full); returns the number of pages."""
    engine = engine or _Painter(metrics)
    p = QPainter(device)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        scale = device.logicalDpiX() / DU_DPI
        p.scale(scale, scale)
        top_margin = metrics.margin_mm * DU_PER_MM
        y = top_margin
        pages = 1
        for row in rows:
            h = engine.height(row)
            if y + h > page_height_du - top_margin and y > top_margin and isinstance(device, QPagedPaintDevice):
                device.newPage()
                pages += 1
                y = top_margin
            engine.paint(p, row, y)
            y += h
        return pages
    finally:
        p.end()


def _page_size(options: ReceiptOptions, rows: Sequence[AnyRow]) -> tuple[Metrics, QSizeF, _Painter]:
    metrics = metrics_of(options.paper)
    engine = _Painter(metrics)
    height_mm = metrics.page_height_mm or content_height(rows, metrics, engine) / DU_PER_MM
    return metrics, QSizeF(metrics.paper_width_mm, height_mm), engine


def write_pdf(rows: Sequence[AnyRow], path: Path | str, options: ReceiptOptions, title: str, page_name: str) -> Path:
    """Writes laid-out rows as a PDF on the options' paper (vector text, a QR as rectangles); returns the path."""
    metrics, size, engine = _page_size(options, rows)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(out))
    writer.setResolution(DU_DPI)
    writer.setTitle(title)
    writer.setCreator("Salon Desk")
    writer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Millimeter, page_name),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Millimeter))
    paint_rows(writer, rows, metrics, size.height() * DU_PER_MM, engine)
    del writer  # flushes the file
    return out


def render_pdf(doc: IssuedInvoice, path: Path | str, options: ReceiptOptions,
               payments: Sequence[Payment] = ()) -> Path:
    """Writes the receipt as a PDF; returns the path."""
    return write_pdf(receipt_rows(doc, options, payments), path, options, doc.number_text, "receipt")


def render_image(doc: IssuedInvoice, options: ReceiptOptions, payments: Sequence[Payment] = (),
                 dpi: int = 203) -> QImage:
    """The receipt's first page as an image at `dpi` (203 is a thermal printer's resolution)."""
    rows = receipt_rows(doc, options, payments)
    metrics, size, engine = _page_size(options, rows)
    px = dpi / 25.4
    image = QImage(round(size.width() * px), round(size.height() * px), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor("white"))
    paint_rows(image, rows, metrics, size.height() * DU_PER_MM, engine)
    return image


def print_receipt(doc: IssuedInvoice, printer: QPagedPaintDevice, options: ReceiptOptions,
                  payments: Sequence[Payment] = ()) -> int:
    """Prints on a QPrinter (or any paged device); the roll's page length follows the content. Returns pages."""
    rows = receipt_rows(doc, options, payments)
    metrics, size, engine = _page_size(options, rows)
    printer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Millimeter, "receipt"),
                                      QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                      QPageLayout.Unit.Millimeter))
    return paint_rows(printer, rows, metrics, size.height() * DU_PER_MM, engine)
