"""Checkout figures (issue #11).

1. Checkout to printed PDF receipt: a walk-in bill of three lines opened, paid part cash and part card (the
   invoice is issued with the last tender), then the 80 mm receipt written as a PDF with its QR. Baseline in
   the same run: the same receipt's text lines drawn as static text into a PDF of the same page size (no
   database, no layout, no QR), the floor of writing such a PDF with Qt.
2. Daily close over the year salon's busiest day: every booking of the busiest business day is checked out
   (part cash, part card; set-up, not timed), then `close_preview` (what the close computes) is timed beside
   a raw sqlite3 GROUP BY over the same payments.

Run: pytest tests/benchmarks/test_checkout_bench.py -m benchmark -s   (SALON_BENCH_QUICK=1: demo salon, fewer runs)
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QMarginsF, QPointF, QSizeF  # noqa: E402
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter  # noqa: E402

from salon_desk.demo.build import build_demo  # noqa: E402
from salon_desk.demo.seed import write_demo  # noqa: E402
from salon_desk.domain.booking import Role  # noqa: E402
from salon_desk.domain.checkout import CardNetwork, CheckoutLine, LineKind, Tender, TenderMethod  # noqa: E402
from salon_desk.domain.model import Actor  # noqa: E402
from salon_desk.store.engine import make_engine  # noqa: E402
from salon_desk.store.migrate import upgrade  # noqa: E402
from salon_desk.store.uow import make_uow_factory  # noqa: E402
from salon_desk.ui.receipts import Paper, ReceiptOptions, receipt_rows, render_pdf  # noqa: E402
from salon_desk.ui.receipts.layout import Row  # noqa: E402
from salon_desk.usecases.checkout import OpenCheckout, TakePayment  # noqa: E402
from salon_desk.usecases.desk import DeskService  # noqa: E402
from tests.benchmarks.report import Recorder, scaled  # noqa: E402

pytestmark = pytest.mark.benchmark
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
RUNS = scaled(30, 4)
OWNER = Actor("00000000-0000-7000-8000-0000000000ff", Role.OWNER, "desk-bench", "Owner")


def _desk(tmp: Path, scale: str) -> tuple[DeskService, Path]:
    db = tmp / "salon-desk.db"
    engine = make_engine(db)
    upgrade(engine)
    write_demo(engine, build_demo(TODAY, NOW, scale))
    return DeskService(make_uow_factory(engine, lambda: NOW), OWNER), db


def _pay_all(desk: DeskService, checkout_id: str) -> object:
    gross = desk.checkout.get(checkout_id).balance_halalas
    cash = gross // 2
    desk.checkout.pay(TakePayment(checkout_id, Tender(TenderMethod.CASH, cash, tendered_halalas=cash + 500),
                                  str(uuid.uuid4())))
    return desk.checkout.pay(TakePayment(checkout_id, Tender(
        TenderMethod.CARD, gross - cash, card_network=CardNetwork.MADA, approval_code="A1B2C3", card_last4="4242"),
        str(uuid.uuid4()))).invoice


def _static_pdf(path: Path, lines: list[str], size: QSizeF) -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(254)
    writer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Millimeter, "receipt"),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Millimeter))
    painter = QPainter(writer)
    font = QFont("Noto Sans Arabic")
    font.setPixelSize(27)
    painter.setFont(font)
    for i, text in enumerate(lines):
        painter.drawText(QPointF(40, 60 + i * 40), text)
    painter.end()
    del writer


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def test_checkout_to_printed_pdf(qapp, tmp_path: Path, bench: Recorder) -> None:
    desk, _db = _desk(tmp_path, "demo")
    lines = (CheckoutLine("l1", LineKind.SERVICE, "قص شعر", "Haircut", 12_000),
             CheckoutLine("l2", LineKind.SERVICE, "سشوار", "Blow-dry", 10_000),
             CheckoutLine("l3", LineKind.PRODUCT, "شامبو أرغان", "Argan shampoo", 5_500, 2))
    ours: list[float] = []
    pdf_only: list[float] = []
    static: list[float] = []
    for run in range(RUNS):
        start = time.perf_counter()
        cid = desk.checkout.open(OpenCheckout(extra_lines=tuple(
            CheckoutLine(str(uuid.uuid4()), line.kind, line.name_ar, line.name_en, line.unit_price_halalas,
                         line.quantity) for line in lines))).id
        invoice = _pay_all(desk, cid)
        view = desk.checkout.get(cid)
        assert invoice is not None
        rendering = time.perf_counter()
        render_pdf(view.invoice, tmp_path / f"r{run}.pdf", ReceiptOptions(Paper.ROLL_80), view.payments)
        ours.append(time.perf_counter() - start)
        pdf_only.append(time.perf_counter() - rendering)
        texts = [" ".join(c.text for c in r.cells) for r in receipt_rows(view.invoice, ReceiptOptions())
                 if isinstance(r, Row)]
        start = time.perf_counter()
        _static_pdf(tmp_path / f"s{run}.pdf", texts, QSizeF(80, 200))
        static.append(time.perf_counter() - start)
    bench("checkout (open, cash + card, invoice) to 80 mm PDF receipt, median", _median_ms(ours), "ms",
          baseline=_median_ms(static), baseline_name="same receipt text as a static-text PDF")
    bench("of which the 80 mm receipt PDF (layout, QR, write), median", _median_ms(pdf_only), "ms",
          baseline=_median_ms(static), baseline_name="same receipt text as a static-text PDF")


def test_daily_close_busiest_day(tmp_path: Path, bench: Recorder) -> None:
    desk, db = _desk(tmp_path, scaled("year", "demo"))
    with sqlite3.connect(db) as raw:
        day, count = raw.execute(
            "SELECT date(i.start_at, '+3 hours') AS d, COUNT(DISTINCT b.id) FROM booking_item i "
            "JOIN booking b ON b.id = i.booking_id WHERE b.status NOT IN ('cancelled', 'no_show') "
            "GROUP BY d ORDER BY 2 DESC LIMIT 1").fetchone()
        bookings = [r[0] for r in raw.execute(
            "SELECT DISTINCT b.id FROM booking_item i JOIN booking b ON b.id = i.booking_id "
            "WHERE date(i.start_at, '+3 hours') = ? AND b.status NOT IN ('cancelled', 'no_show')", (day,))]
    paid = 0
    for booking_id in bookings[:scaled(len(bookings), 20)]:
        try:
            cid = desk.checkout.open(OpenCheckout(booking_id)).id
        except Exception:  # noqa: BLE001 - a booking with a zero price or already paid: skip it
            continue
        if desk.checkout.get(cid).balance_halalas > 0:
            _pay_all(desk, cid)
            paid += 1
    business_day = desk.calendar.business_day(NOW)
    ours, raw_times = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        figures = desk.checkout.close_preview(business_day)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        with sqlite3.connect(db) as raw:
            sums = dict(raw.execute("SELECT method, SUM(amount_halalas) FROM payment WHERE business_day = ? "
                                    "GROUP BY method", (business_day.isoformat(),)).fetchall())
        raw_times.append(time.perf_counter() - start)
    assert figures.takings == sums
    bench(f"daily close preview, busiest day ({paid} visits paid cash + card, {count} booked on {day})",
          _median_ms(ours), "ms", baseline=_median_ms(raw_times), baseline_name="raw sqlite3 SUM by method")
