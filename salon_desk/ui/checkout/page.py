"""CheckoutPage: the bill of a visit or a walk-in sale, split tender, the invoice and its receipt.

    page = CheckoutPage(ctx)
    page.open_for_booking(booking_id)   # from the calendar after "complete", or straight away
    page.new_sale()                     # a walk-in sale: lines typed at the desk

Lines and discounts are edited locally and priced by `desk.checkout.preview` (no write); the bill is saved
(`open`/`set_lines`) in the same background job that records the first tender, so nothing half-typed is
stored. Each tender gets its own idempotency key, made when the tender form is filled, so a double click
records one payment. When the balance reaches zero the use case issues the invoice; the page shows the
receipt and can print it (80 mm roll or A4 PDF). Open bills (partly paid visits) stay listed on the left.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.checkout import (
    Bill,
    CardNetwork,
    CheckoutLine,
    CheckoutStatus,
    Discount,
    DiscountKind,
    LineKind,
    Tender,
    TenderMethod,
)
from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import Changes
from salon_desk.ui.checkout.money_input import parse_riyals
from salon_desk.ui.checkout.online_panel import OnlinePaymentsPanel
from salon_desk.ui.checkout.online_text import card_network_text
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.ui.receipts import Paper, ReceiptOptions, render_image, render_pdf
from salon_desk.ui.receipts.layout import riyals
from salon_desk.ui.walkins.tables import card, section_title
from salon_desk.usecases.checkout import CheckoutView, OpenCheckout, SetCheckoutLines, TakePayment
from salon_desk.usecases.checkout_reads import deposit_paid

COL_NAME, COL_QTY, COL_PRICE, COL_DISCOUNT, COL_TOTAL = range(5)
RECEIPT_ENGLISH_KEY = "receipts/english"


def _save_and_pay(desk: Any, checkout_id: str | None, booking_id: str | None, lines: tuple[CheckoutLine, ...],
                  order_discount: Discount | None, pin: str | None, tender: Tender, key: str) -> CheckoutView:
    """One background job: saves the bill as edited, records the tender, returns the bill as it now stands."""
    if checkout_id is None:
        checkout_id = desk.checkout.open(OpenCheckout(booking_id, extra_lines=lines, order_discount=order_discount,
                                                      include_booked=False, manager_pin=pin)).id
    else:
        current = desk.checkout.get(checkout_id)
        if current.checkout.lines != lines or current.checkout.order_discount != order_discount:
            desk.checkout.set_lines(SetCheckoutLines(checkout_id, lines, order_discount, pin))
    desk.checkout.pay(TakePayment(checkout_id, tender, key))
    view: CheckoutView = desk.checkout.get(checkout_id)
    return view


class CheckoutPage(QWidget):
    bill_loaded = Signal(object)  # the CheckoutView now shown (after a load or a payment)
    receipt_ready = Signal(object)  # the issued invoice whose receipt is shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CheckoutPage")
        self._ctx = ctx
        self._view: CheckoutView | None = None
        self._booking_id: str | None = None
        self._lines: list[CheckoutLine] = []
        self._order_discount: Discount | None = None
        self._bill: Bill | None = None
        self._tender_key = str(uuid.uuid4())
        self._deposit = 0  # paid on the booking before its bill was opened (counted by the view once it exists)
        self._open_bills: list[CheckoutView] = []
        self._services: tuple[Any, ...] = ()
        self._build()
        ctx.events.language_changed.connect(self.retranslate)
        ctx.events.changes_applied.connect(lambda *_a: self._load_open_bills())
        ctx.events.changes_applied.connect(self._on_online_changed)
        self.retranslate()
        self.refresh()

    # -- public ------------------------------------------------------------------------------------------
    @property
    def view(self) -> CheckoutView | None:
        return self._view

    @property
    def bill(self) -> Bill | None:
        return self._bill

    def refresh(self) -> None:
        self._load_open_bills()
        self._ctx.runner.db(self._ctx.desk.reference.services, on_done=self._on_services,
                            on_error=self.show_error, owner=self)

    def new_sale(self) -> None:
        """An empty bill for a walk-in sale."""
        self._reset(None, [])

    def open_for_booking(self, booking_id: str) -> None:
        """The booking's bill: its open one (with what is paid), else its booked services as new lines."""

        def load(desk: Any) -> tuple[CheckoutView | None, tuple[CheckoutLine, ...], int]:
            existing = desk.checkout.claim_online(booking_id)  # a deposit paid online opens the bill with it
            if existing is not None:
                return existing, (), 0
            return None, desk.checkout.booked_lines(booking_id), deposit_paid(desk.checkout, booking_id)

        def shown(answer: tuple[CheckoutView | None, tuple[CheckoutLine, ...], int]) -> None:
            existing, lines, deposit = answer
            if existing is not None:
                self._show_view(existing)
                self._load_open_bills()  # a deposit paid online may just have opened it
            else:
                self._reset(booking_id, list(lines), deposit)

        self._ctx.runner.db(load, self._ctx.desk, on_done=shown, on_error=self.show_error, owner=self)

    def open_first_visit_of_day(self) -> None:
        """Shows the bill of the day's first payable visit with more than one service (screenshots, demos):
        nothing is written until a payment is taken."""

        def first(desk: Any, now: Any) -> str | None:
            blocks = desk.calendar.day_view(desk.calendar.business_day(now)).blocks
            payable = [b for b in blocks if b.status not in ("cancelled", "no_show")]
            counts: dict[str, int] = {}
            for b in payable:
                counts[b.booking_id] = counts.get(b.booking_id, 0) + 1
            best = sorted(payable, key=lambda b: (-counts[b.booking_id], b.start_at))
            return best[0].booking_id if best else None

        def chosen(booking_id: str | None) -> None:
            if booking_id:
                self.open_for_booking(booking_id)

        self._ctx.runner.db(first, self._ctx.desk, self._ctx.now(), on_done=chosen, on_error=self.show_error,
                            owner=self)

    def open_bill(self, checkout_id: str) -> None:
        self._ctx.runner.db(self._ctx.desk.checkout.get, checkout_id, on_done=self._show_view,
                            on_error=self.show_error, owner=self)

    def add_line(self, name_ar: str, name_en: str, price_halalas: int, quantity: int = 1,
                 kind: LineKind = LineKind.PRODUCT, service_id: str | None = None) -> None:
        self._lines.append(CheckoutLine(str(uuid.uuid4()), kind, name_ar, name_en, price_halalas, quantity,
                                        service_id=service_id))
        self._reprice()

    def show_message(self, text: str, error: bool = False) -> None:
        show_message_line(self.message_label, text, error)

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, DomainError) and error.code == "checkout.discount_over_limit":
            self.pin_edit.show()
            self.pin_label.show()
        self.show_message(error_text(error, self._ctx.l10n(), _("Something went wrong. Please try again.")), True)

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(), "PageSubtitle")
        self.message_label = named(QLabel(wordWrap=True), "PageMessage")
        self.message_label.hide()
        self.close_day_button = named(QPushButton(), "DailyClose")
        self.close_day_button.clicked.connect(self.open_daily_close)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.subtitle_label)
        header.addStretch(1)
        header.addWidget(self.close_day_button)
        body = QHBoxLayout()
        body.addWidget(self._build_open_bills(), 2)
        body.addWidget(self._build_bill(), 5)
        body.addWidget(self._build_pay(), 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(header)
        layout.addWidget(self.message_label)
        layout.addLayout(body, 1)

    def _build_open_bills(self) -> QWidget:
        self.open_title = section_title()
        self.open_list = named(QListWidget(), "OpenBills")
        self.open_list.setWordWrap(True)
        self.open_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_list.itemActivated.connect(lambda item: self.open_bill(item.data(Qt.ItemDataRole.UserRole)))
        self.open_list.itemClicked.connect(lambda item: self.open_bill(item.data(Qt.ItemDataRole.UserRole)))
        self.new_sale_button = named(QPushButton(), "NewSale")
        self.new_sale_button.clicked.connect(self.new_sale)
        self.open_empty = named(QLabel(wordWrap=True), "PageSubtitle")
        return card(self.open_title, self.open_list, self.open_empty, self.new_sale_button, stretch_index=1)

    def _build_bill(self) -> QWidget:
        self.bill_title = section_title()
        self.table = named(QTableWidget(0, 5), "BillLines")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(44)  # Qt derives 112 px from the Arabic font otherwise
        for col in range(1, 5):
            header.setSectionResizeMode(col, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, header.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Adding a line: a service from the catalogue, or a product typed with its own price.
        self.service_combo = named(QComboBox(), "AddService")
        self.add_service_button = named(QPushButton(), "AddServiceLine")
        self.add_service_button.clicked.connect(self._on_add_service)
        self.product_name = named(QLineEdit(), "ProductName")
        self.product_price = named(QLineEdit(), "ProductPrice")
        self.product_price.setMaximumWidth(110)
        self.product_qty = named(QSpinBox(minimum=1, maximum=999), "ProductQty")
        self.add_product_button = named(QPushButton(), "AddProductLine")
        self.add_product_button.clicked.connect(self._on_add_product)
        self.remove_button = named(QPushButton(), "RemoveLine")
        self.remove_button.clicked.connect(self._on_remove_line)
        add_service = QHBoxLayout()
        add_service.addWidget(self.service_combo, 1)
        add_service.addWidget(self.add_service_button)
        add_service.addWidget(self.remove_button)
        add_product = QHBoxLayout()
        add_product.addWidget(self.product_name, 1)
        add_product.addWidget(self.product_qty)
        add_product.addWidget(self.product_price)
        add_product.addWidget(self.add_product_button)
        # Discounts: on the selected line or on the whole bill, an amount or a percent.
        self.discount_label = QLabel()
        self.discount_value = named(QLineEdit(), "DiscountValue")
        self.discount_value.setMaximumWidth(90)
        self.discount_kind = named(QComboBox(), "DiscountKind")
        self.line_discount_button = named(QPushButton(), "DiscountLine")
        self.line_discount_button.clicked.connect(lambda: self._on_discount(whole=False))
        self.bill_discount_button = named(QPushButton(), "DiscountBill")
        self.bill_discount_button.clicked.connect(lambda: self._on_discount(whole=True))
        self.pin_label = QLabel()
        self.pin_edit = named(QLineEdit(), "ManagerPin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaximumWidth(90)
        self.pin_label.hide()
        self.pin_edit.hide()
        discounts = QHBoxLayout()
        for w in (self.discount_label, self.discount_value, self.discount_kind, self.line_discount_button,
                  self.bill_discount_button, self.pin_label, self.pin_edit):
            discounts.addWidget(w)
        discounts.addStretch(1)
        # Totals.
        self.totals = QGridLayout()
        self.total_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate(("subtotal", "discount", "vat", "gross", "paid", "balance")):
            caption, value = QLabel(), named(QLabel(), f"Total_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            if key in ("gross", "balance"):
                for w in (caption, value):
                    w.setStyleSheet("font-size: 14pt; font-weight: bold;")
            self.totals.addWidget(caption, row, 0)
            self.totals.addWidget(value, row, 1)
            self.total_labels[key] = (caption, value)
        return card(self.bill_title, self.table, add_service, add_product, discounts, self.totals, stretch_index=1)

    def _build_pay(self) -> QWidget:
        self.pay_title = section_title()
        self.method_combo = named(QComboBox(), "TenderMethod")
        self.method_combo.currentIndexChanged.connect(self._on_method_changed)
        self.amount_edit = named(QLineEdit(), "TenderAmount")
        self.amount_edit.textEdited.connect(lambda _t: self._new_tender())
        self.received_edit = named(QLineEdit(), "CashReceived")
        self.received_edit.textChanged.connect(self._show_change)
        self.change_label = named(QLabel(), "ChangeDue")
        self.change_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.network_combo = named(QComboBox(), "CardNetwork")
        self.approval_edit = named(QLineEdit(), "ApprovalCode")
        self.last4_edit = named(QLineEdit(), "CardLast4")
        self.last4_edit.setMaxLength(4)
        self.link_note = named(QLabel(wordWrap=True), "LinkNote")
        self.pay_button = named(QPushButton(), "TakePayment")
        self.pay_button.setProperty("primary", True)
        self.pay_button.clicked.connect(self.take_payment)
        self.void_button = named(QPushButton(), "VoidBill")
        self.void_button.setProperty("danger", True)
        self.void_button.clicked.connect(self.open_void_dialog)
        self.form = QFormLayout()
        self.form_labels = {k: QLabel() for k in ("method", "amount", "received", "change", "network", "approval",
                                                  "last4")}
        self.form.addRow(self.form_labels["method"], self.method_combo)
        self.form.addRow(self.form_labels["amount"], self.amount_edit)
        self.form.addRow(self.form_labels["received"], self.received_edit)
        self.form.addRow(self.form_labels["change"], self.change_label)
        self.form.addRow(self.form_labels["network"], self.network_combo)
        self.form.addRow(self.form_labels["approval"], self.approval_edit)
        self.form.addRow(self.form_labels["last4"], self.last4_edit)
        self.payments_title = section_title()
        self.payments_list = named(QListWidget(), "Payments")
        self.payments_list.setMaximumHeight(110)
        # Once invoiced: the receipt, printing and refunds.
        self.receipt_label = named(QLabel(), "ReceiptPreview")
        self.receipt_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        receipt_scroll = QScrollArea()
        receipt_scroll.setWidget(self.receipt_label)
        receipt_scroll.setWidgetResizable(True)
        self.print_button = named(QPushButton(), "PrintReceipt")
        self.print_button.clicked.connect(lambda: self.print_receipt(copy=False))
        self.a4_button = named(QPushButton(), "SaveA4")
        self.a4_button.clicked.connect(self._on_save_a4)
        self.reprint_button = named(QPushButton(), "Reprint")
        self.reprint_button.clicked.connect(lambda: self.print_receipt(copy=True))
        self.refund_button = named(QPushButton(), "Refund")
        self.refund_button.clicked.connect(self.open_refund_dialog)
        self.credit_button = named(QPushButton(), "SaveCreditNote")
        self.credit_button.clicked.connect(self._on_save_credit_note)
        done_buttons = QGridLayout()
        done_buttons.addWidget(self.print_button, 0, 0)
        done_buttons.addWidget(self.a4_button, 0, 1)
        done_buttons.addWidget(self.reprint_button, 1, 0)
        done_buttons.addWidget(self.refund_button, 1, 1)
        done_buttons.addWidget(self.credit_button, 2, 0, 1, 2)
        tender = QWidget()
        tender_layout = QVBoxLayout(tender)
        tender_layout.setContentsMargins(0, 0, 0, 0)
        tender_layout.addLayout(self.form)
        tender_layout.addWidget(self.link_note)
        tender_layout.addWidget(self.pay_button)
        tender_layout.addStretch(1)
        tender_layout.addWidget(self.void_button)
        done = QWidget()
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(receipt_scroll, 1)
        done_layout.addLayout(done_buttons)
        self.pay_stack = QStackedWidget()
        self.pay_stack.addWidget(tender)
        self.pay_stack.addWidget(done)
        self.online_panel = OnlinePaymentsPanel(self._ctx)  # issue #12: pay links and their live state
        pay_card = card(self.pay_title, self.pay_stack, self.payments_title, self.payments_list, self.online_panel,
                        stretch_index=1)
        pay_layout = pay_card.layout()
        if isinstance(pay_layout, QVBoxLayout):
            pay_layout.setStretch(4, 2)  # most of the spare height goes to the online payments list
        return pay_card

    # -- text --------------------------------------------------------------------------------------------
    def retranslate(self, *_args: Any) -> None:
        self.title_label.setText(_("Checkout"))
        self.close_day_button.setText(_("Daily close…"))
        self.open_title.setText(_("Open bills"))
        self.open_empty.setText(_("Partly paid visits stay here until they are paid."))
        self.new_sale_button.setText(_("New walk-in sale"))
        self.bill_title.setText(_("Bill"))
        self.table.setHorizontalHeaderLabels([_("Item"), _("Qty"), _("Price"), _("Discount"), _("Total")])
        self.add_service_button.setText(_("Add service"))
        self.remove_button.setText(_("Remove line"))
        self.product_name.setPlaceholderText(_("Product or other item"))
        self.product_price.setPlaceholderText(_("Price (SAR)"))
        self.add_product_button.setText(_("Add item"))
        self.discount_label.setText(_("Discount"))
        self.discount_value.setPlaceholderText("0")
        kind = self.discount_kind.currentIndex()
        self.discount_kind.clear()
        self.discount_kind.addItem(_("SAR"), DiscountKind.AMOUNT)
        self.discount_kind.addItem("%", DiscountKind.PERCENT)
        self.discount_kind.setCurrentIndex(max(0, kind))
        self.line_discount_button.setText(_("On the line"))
        self.bill_discount_button.setText(_("On the whole bill"))
        self.pin_label.setText(_("Manager PIN"))
        captions = {"subtotal": _("Subtotal"), "discount": _("Discounts"), "vat": _("VAT 15% (included)"),
                    "gross": _("Total incl. VAT"), "paid": _("Paid (deposit included)"), "balance": _("Balance due")}
        for key, (caption, _value) in self.total_labels.items():
            caption.setText(captions[key])
        self.pay_title.setText(_("Payment and receipt"))
        method = self.method_combo.currentIndex()
        self.method_combo.blockSignals(True)
        self.method_combo.clear()
        self.method_combo.addItem(_("Cash"), TenderMethod.CASH)
        self.method_combo.addItem(_("Card (mada, Visa)"), TenderMethod.CARD)
        self.method_combo.addItem(_("Payment link"), TenderMethod.MOYASAR_LINK)
        self.method_combo.setCurrentIndex(max(0, method))
        self.method_combo.blockSignals(False)
        network = self.network_combo.currentIndex()
        self.network_combo.clear()
        for label, value in ((_("mada"), CardNetwork.MADA), ("Visa", CardNetwork.VISA),
                             ("Mastercard", CardNetwork.MASTERCARD), (_("Other"), CardNetwork.OTHER)):
            self.network_combo.addItem(label, value)
        self.network_combo.setCurrentIndex(max(0, network))
        labels = {"method": _("Method"), "amount": _("Amount (SAR)"), "received": _("Cash received"),
                  "change": _("Change due"), "network": _("Card"), "approval": _("Approval code"),
                  "last4": _("Last four digits")}
        for key, label in labels.items():
            self.form_labels[key].setText(label)
        self.link_note.setText(_("Send the customer a pay link from Online payments below; it shows here once paid."))
        self.pay_button.setText(_("Take payment"))
        self.void_button.setText(_("Cancel the bill…"))
        self.payments_title.setText(_("Payments"))
        self.print_button.setText(_("Print receipt"))
        self.a4_button.setText(_("Save A4 PDF…"))
        self.reprint_button.setText(_("Reprint (copy)"))
        self.refund_button.setText(_("Refund…"))
        self.credit_button.setText(_("Save the credit note as PDF…"))
        self._fill_services()
        self._on_method_changed()
        self._show_bill()
        self._show_open_bills()

    # -- loading -----------------------------------------------------------------------------------------
    def _load_open_bills(self) -> None:
        self._ctx.runner.db(self._ctx.desk.checkout.open_bills, on_done=self._on_open_bills,
                            on_error=self.show_error, owner=self)

    def _on_open_bills(self, bills: list[CheckoutView]) -> None:
        self._open_bills = list(bills)
        self._show_open_bills()

    def _show_open_bills(self) -> None:
        self.open_list.clear()
        l10n = self._ctx.l10n()
        for bill in self._open_bills:
            names = " + ".join((p.line.name_ar if l10n.lang == "ar" else p.line.name_en) or p.line.name_en
                               for p in bill.bill.lines[:2])
            text = _("{items} · {balance} due").format(items=names, balance=l10n.money(bill.balance_halalas))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, bill.id)
            self.open_list.addItem(item)
        self.open_empty.setVisible(not self._open_bills)

    def _on_services(self, services: tuple[Any, ...]) -> None:
        self._services = tuple(s for s in services if s.price_halalas > 0)
        self._fill_services()

    def _fill_services(self) -> None:
        current = self.service_combo.currentData()
        self.service_combo.clear()
        l10n = self._ctx.l10n()
        for s in self._services:
            name = s.name_ar if l10n.lang == "ar" else s.name_en
            self.service_combo.addItem(f"{name} — {l10n.money(s.price_halalas)}", s.id)
        if current is not None:
            self.service_combo.setCurrentIndex(max(0, self.service_combo.findData(current)))

    def _reset(self, booking_id: str | None, lines: list[CheckoutLine], deposit: int = 0) -> None:
        self._view = None
        self._deposit = deposit
        self._booking_id = booking_id
        self._lines = lines
        self._order_discount = None
        self._new_tender()
        self.pay_stack.setCurrentIndex(0)
        self._reprice()

    def _show_view(self, view: CheckoutView) -> None:
        self._view = view
        self._deposit = 0
        self._booking_id = view.checkout.booking_id
        self._lines = list(view.checkout.lines)
        self._order_discount = view.checkout.order_discount
        self._bill = view.bill
        self._new_tender()
        self._show_bill()
        if view.invoice is not None:
            self._show_receipt()
        else:
            self.pay_stack.setCurrentIndex(0)
        self.bill_loaded.emit(view)

    # -- editing -----------------------------------------------------------------------------------------
    def _editable(self) -> bool:
        return self._view is None or self._view.status is CheckoutStatus.OPEN

    def _reprice(self) -> None:
        try:
            self._bill = self._ctx.desk.checkout.preview(tuple(self._lines), self._order_discount) \
                if self._lines else None
        except DomainError as error:
            self.show_error(error)
            return
        self._show_bill()
        self.bill_loaded.emit(self._view)

    def _on_add_service(self) -> None:
        service = next((s for s in self._services if s.id == self.service_combo.currentData()), None)
        if service is None or not self._editable():
            return
        self.add_line(service.name_ar, service.name_en, service.price_halalas, kind=LineKind.SERVICE,
                      service_id=service.id)

    def _on_add_product(self) -> None:
        if not self._editable():
            return
        name = " ".join(self.product_name.text().split())
        price = parse_riyals(self.product_price.text())
        if not name:
            self.show_message(_("Type the item's name."), True)
            return
        if price is None or price == 0:
            self.show_message(_("Type the price in riyals, e.g. 45 or 45.50."), True)
            return
        self.add_line(name, name, price, self.product_qty.value())
        self.product_name.clear()
        self.product_price.clear()
        self.product_qty.setValue(1)
        self.show_message("")

    def _on_remove_line(self) -> None:
        row = self.table.currentRow()
        if not self._editable() or not 0 <= row < len(self._lines):
            return
        del self._lines[row]
        self._reprice()

    def _on_discount(self, whole: bool) -> None:
        if not self._editable():
            return
        text = self.discount_value.text().strip() or "0"
        value = parse_riyals(text)
        if value is None:
            self.show_message(_("Type the discount as a number, e.g. 10 or 12.5."), True)
            return
        kind = DiscountKind(self.discount_kind.currentData())
        discount = None if value == 0 else Discount(kind, value)
        lines_before, order_before = list(self._lines), self._order_discount
        if whole:
            self._order_discount = discount
        else:
            row = self.table.currentRow()
            if not 0 <= row < len(self._lines):
                self.show_message(_("Choose a line first."), True)
                return
            self._lines[row] = replace(self._lines[row], discount=discount)
        before = self._bill
        self._reprice()
        if self._bill is before:  # refused (the message says why): undo the change
            self._lines, self._order_discount = lines_before, order_before
        else:
            self.show_message("")
            limit = self._view.discount_limit_bp if self._view else 2000
            over = self._bill is not None and self._bill.discount_bp_effective > limit
            self.pin_label.setVisible(over)
            self.pin_edit.setVisible(over)

    # -- paying ------------------------------------------------------------------------------------------
    def _new_tender(self) -> None:
        self._tender_key = str(uuid.uuid4())

    def _on_online_changed(self, changes: Any) -> None:
        """Online money moved (by pull, or this desk's own request): refunds become credit notes on the desk
        that counted the money, and the visit shown counts what was paid meanwhile (issue #12)."""
        if not (isinstance(changes, Changes) and changes.touches("online_payment")):
            return
        booking_id = self._booking_id

        def settle(desk: Any) -> CheckoutView | None:
            desk.checkout.settle_online_refunds()
            return desk.checkout.claim_online(booking_id) if booking_id else None

        def shown(view: CheckoutView | None) -> None:
            if view is not None and self._booking_id == booking_id:
                self._show_view(view)

        self._ctx.runner.db(settle, self._ctx.desk, on_done=shown, on_error=self.show_error, owner=self)

    def _balance(self) -> int:
        if self._view is not None and self._bill is not None:
            return max(0, self._bill.gross - self._view.paid_halalas)
        return max(0, self._bill.gross - self._deposit) if self._bill else 0

    def _on_method_changed(self, *_args: Any) -> None:
        method = self.method_combo.currentData()
        cash, card_ = method == TenderMethod.CASH, method == TenderMethod.CARD
        for key, visible in (("received", cash), ("change", cash), ("network", card_), ("approval", card_),
                             ("last4", card_)):
            self.form.setRowVisible(self.form_labels[key], visible)
        link = method == TenderMethod.MOYASAR_LINK
        self.link_note.setVisible(link)
        self.pay_button.setEnabled(not link and self._bill is not None)
        self._new_tender()

    def _show_change(self) -> None:
        amount = parse_riyals(self.amount_edit.text())
        received = parse_riyals(self.received_edit.text())
        if amount is not None and received is not None and received >= amount:
            self.change_label.setText(self._ctx.l10n().money(received - amount))
        else:
            self.change_label.setText("—")

    def tender(self) -> Tender | None:
        """The tender as typed, or None with a message saying what is wrong."""
        method = TenderMethod(self.method_combo.currentData())
        amount = parse_riyals(self.amount_edit.text())
        if amount is None or amount == 0:
            self.show_message(_("Type the amount in riyals, e.g. 150 or 150.50."), True)
            return None
        if method is TenderMethod.CASH:
            text = self.received_edit.text().strip()
            received = parse_riyals(text) if text else None
            if text and received is None:
                self.show_message(_("Type the cash received in riyals, e.g. 200."), True)
                return None
            return Tender(method, amount, tendered_halalas=received)
        if method is TenderMethod.CARD:
            return Tender(method, amount, card_network=CardNetwork(self.network_combo.currentData()),
                          approval_code=self.approval_edit.text().strip(), card_last4=self.last4_edit.text().strip())
        return None

    def take_payment(self) -> None:
        if self._bill is None or not self._lines:
            self.show_message(_("Add at least one line to the bill."), True)
            return
        tender = self.tender()
        if tender is None:
            return
        self.pay_button.setEnabled(False)
        pin = self.pin_edit.text().strip() or None
        self._ctx.runner.db(
            _save_and_pay, self._ctx.desk, self._view.id if self._view else None, self._booking_id,
            tuple(self._lines), self._order_discount, pin, tender, self._tender_key,
            on_done=self._on_paid, on_error=self._on_pay_error, owner=self)

    def _on_pay_error(self, error: BaseException) -> None:
        self.pay_button.setEnabled(True)
        self.show_error(error)

    def _on_paid(self, view: CheckoutView) -> None:
        self.pay_button.setEnabled(True)
        self.received_edit.clear()
        self.approval_edit.clear()
        self.last4_edit.clear()
        self.pin_edit.clear()
        self._show_view(view)
        l10n = self._ctx.l10n()
        last = view.payments[-1] if view.payments else None
        if view.invoice is not None:
            text = _("Paid in full. Invoice {number} issued.").format(number=view.invoice.number_text)
        else:
            text = _("Payment taken. {balance} still due.").format(balance=l10n.money(view.balance_halalas))
        if last is not None and last.change_halalas:
            text += " " + _("Change due: {change}.").format(change=l10n.money(last.change_halalas))
        self.show_message(text)
        self._load_open_bills()

    # -- showing -----------------------------------------------------------------------------------------
    def _show_bill(self) -> None:
        l10n = self._ctx.l10n()
        bill = self._bill
        self.table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            priced = bill.lines[row] if bill is not None and row < len(bill.lines) else None
            name = (line.name_ar if l10n.lang == "ar" else line.name_en) or line.name_en or line.name_ar
            discount = (priced.line_discount + priced.order_discount) if priced else 0
            cells = (name, l10n.number(line.quantity), l10n.money(line.unit_price_halalas),
                     l10n.money(-discount) if discount else "", l10n.money(priced.gross) if priced else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col != COL_NAME:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        paid = self._view.paid_halalas if self._view else self._deposit
        values = {
            "subtotal": bill.subtotal if bill else 0, "discount": -(bill.discount_total if bill else 0),
            "vat": bill.vat if bill else 0, "gross": bill.gross if bill else 0, "paid": paid,
            "balance": self._balance(),
        }
        for key, (_caption, value) in self.total_labels.items():
            value.setText(l10n.money(values[key]))
        self.total_labels["paid"][0].setVisible(bool(paid))
        self.total_labels["paid"][1].setVisible(bool(paid))
        booking = _("Booked visit") if self._booking_id else _("Walk-in sale")
        status = {None: _("New bill"), CheckoutStatus.OPEN: _("Partly paid"), CheckoutStatus.PAID: _("Paid"),
                  CheckoutStatus.INVOICED: _("Invoiced"), CheckoutStatus.VOID: _("Bill cancelled")}[
            self._view.status if self._view else None]
        self.subtitle_label.setText(f"{booking} · {status}")
        editable = self._editable()
        for w in (self.add_service_button, self.add_product_button, self.remove_button,
                  self.line_discount_button, self.bill_discount_button):
            w.setEnabled(editable)
        self.amount_edit.setText(riyals(self._balance()).replace(",", "") if self._balance() else "")
        self._show_change()
        self.pay_button.setEnabled(editable and bill is not None and
                                   self.method_combo.currentData() != TenderMethod.MOYASAR_LINK)
        self.void_button.setVisible(self._view is not None and self._view.status is CheckoutStatus.OPEN
                                    and bool(self._view.payments))
        self.payments_list.clear()
        for p in self._view.payments if self._view else ():
            label = {TenderMethod.CASH: _("Cash"), TenderMethod.CARD: _("Card"),
                     TenderMethod.MOYASAR_LINK: _("Paid online")}[p.method]
            network = card_network_text(l10n, p.card_network or "")
            extra = f" · {network} ••{p.card_last4}" if p.method is TenderMethod.CARD else ""
            if p.method is TenderMethod.MOYASAR_LINK and p.card_network:  # as Moyasar said: mada, Visa, Apple Pay
                extra = " · " + network
            self.payments_list.addItem(f"{label} {l10n.money(p.amount_halalas)}{extra}")
        for r in self._view.refunds if self._view else ():
            self.payments_list.addItem(_("Refund {amount}").format(amount=l10n.money(-r.amount_halalas)))
        self.online_panel.set_visit(self._booking_id, self._view.id if self._view else None, self._balance())

    def receipt_options(self, paper: Paper = Paper.ROLL_80, copy: bool = False) -> ReceiptOptions:
        english = str(self._ctx.settings.value(RECEIPT_ENGLISH_KEY, "true")).lower() != "false"
        return ReceiptOptions(paper, english=english, copy=copy)

    def _show_receipt(self) -> None:
        view = self._view
        if view is None or view.invoice is None:
            return
        image = render_image(view.invoice, self.receipt_options(), view.payments, dpi=96)
        self.receipt_label.setPixmap(QPixmap.fromImage(image))
        self.pay_stack.setCurrentIndex(1)
        self.refund_button.setEnabled(sum(c.gross for c in view.credit_notes) < view.invoice.gross)
        self.credit_button.setVisible(bool(view.credit_notes))
        self.receipt_ready.emit(view.invoice)

    # -- receipts, refunds, close -------------------------------------------------------------------------
    def print_receipt(self, copy: bool = False) -> bool:
        """Prints the 80 mm receipt on the default printer; False (with a message) when there is none."""
        view = self._view
        if view is None or view.invoice is None:
            return False
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        from salon_desk.ui.receipts import print_receipt

        if QPrinterInfo.defaultPrinter().isNull():
            self.show_message(_("No printer is set up on this computer; save the receipt as a PDF instead."), True)
            return False
        printer = QPrinter(QPrinterInfo.defaultPrinter(), QPrinter.PrinterMode.HighResolution)
        print_receipt(view.invoice, printer, self.receipt_options(Paper.ROLL_80, copy), view.payments)
        self.show_message(_("Receipt sent to the printer."))
        return True

    def save_pdf(self, path: Path, paper: Paper = Paper.A4, copy: bool = False) -> Path | None:
        view = self._view
        if view is None or view.invoice is None:
            return None
        out = render_pdf(view.invoice, path, self.receipt_options(paper, copy), view.payments)
        self.show_message(_("Saved {file}.").format(file=out.name))
        return out

    def save_credit_note_pdf(self, path: Path, paper: Paper = Paper.ROLL_80) -> Path | None:
        """The latest credit note of this bill's invoice as a PDF (printed for the customer with the refund)."""
        view = self._view
        if view is None or not view.credit_notes:
            return None
        note = max(view.credit_notes, key=lambda c: c.counter)
        out = render_pdf(note, path, self.receipt_options(paper))
        self.show_message(_("Saved {file}.").format(file=out.name))
        return out

    def _on_save_credit_note(self) -> None:
        if self._view is None or not self._view.credit_notes:
            return
        note = max(self._view.credit_notes, key=lambda c: c.counter)
        name, _filter = QFileDialog.getSaveFileName(self, _("Save the credit note as PDF…"),
                                                    f"{note.number_text}.pdf", "PDF (*.pdf)")
        if name:
            self.save_credit_note_pdf(Path(name))

    def _on_save_a4(self) -> None:
        if self._view is None or self._view.invoice is None:
            return
        name, _filter = QFileDialog.getSaveFileName(self, _("Save A4 PDF…"),
                                                    f"{self._view.invoice.number_text}.pdf", "PDF (*.pdf)")
        if name:
            self.save_pdf(Path(name))

    def open_refund_dialog(self) -> QWidget | None:
        if self._view is None or self._view.invoice is None:
            return None
        from salon_desk.ui.checkout.refund_dialog import RefundDialog

        dialog = RefundDialog(self._ctx, self._view, self)
        dialog.refunded.connect(lambda _note: self.open_bill(self._view.id) if self._view else None)
        dialog.open()
        return dialog

    def open_void_dialog(self) -> QWidget | None:
        if self._view is None or self._view.status is not CheckoutStatus.OPEN:
            return None
        from salon_desk.ui.checkout.refund_dialog import VoidDialog

        dialog = VoidDialog(self._ctx, self._view, self)
        dialog.voided.connect(self._on_voided)
        dialog.open()
        return dialog

    def _on_voided(self, checkout_id: str) -> None:
        self.show_message(_("The bill is cancelled and what was paid is given back."))
        self.open_bill(checkout_id)
        self._load_open_bills()

    def open_daily_close(self) -> QWidget:
        from salon_desk.ui.checkout.close_dialog import DailyCloseDialog

        dialog = DailyCloseDialog(self._ctx, self)
        dialog.open()
        return dialog
