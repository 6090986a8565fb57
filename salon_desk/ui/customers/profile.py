"""CustomerProfilePanel: one customer at a glance (visits, no-shows, notes, language, consents) with Edit
and New booking. It shows a CustomerProfile it is given; the page loads it on the DB lane."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.model import language_label
from salon_desk.ui.customers.visits_model import SERVICES, VisitTableModel
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.named import named
from salon_desk.ui.theme import icon
from salon_desk.usecases.views import CustomerProfile


class CustomerProfilePanel(QFrame):
    edit_requested = Signal(str)  # customer id
    booking_requested = Signal(str)  # customer id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._ctx = ctx
        self._profile: CustomerProfile | None = None
        self.upcoming_model = VisitTableModel(ctx.l10n, self)
        self.past_model = VisitTableModel(ctx.l10n, self)
        self._build()
        self.show_profile(None)

    @property
    def profile(self) -> CustomerProfile | None:
        return self._profile

    def show_profile(self, profile: CustomerProfile | None) -> None:
        self._profile = profile
        self.upcoming_model.set_rows(profile.upcoming if profile else ())
        self.past_model.set_rows(profile.past if profile else ())
        self._content.setVisible(profile is not None)
        self.empty_label.setVisible(profile is None)
        self.retranslate()

    def retranslate(self) -> None:
        self.empty_label.setText(_("Select a customer to see the profile."))
        self.edit_button.setText(_("Edit"))
        self.book_button.setText(_("New booking"))
        self.upcoming_model.retranslate()
        self.past_model.retranslate()
        profile = self._profile
        upcoming, past = (len(profile.upcoming), len(profile.past)) if profile else (0, 0)
        self.tabs.setTabText(0, _("Upcoming ({n})").format(n=self._number(upcoming)))
        self.tabs.setTabText(1, _("Past ({n})").format(n=self._number(past)))
        if profile is not None:
            self._show_details(profile)

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.name_label = named(QLabel(wordWrap=True), "PageTitle")
        self.phone_label = named(QLabel(), "ProfilePhone")
        self.phone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stats_label = named(QLabel(), "ProfileStats")
        self.language_label = named(QLabel(), "ProfileLanguage")
        self.consents_label = named(QLabel(wordWrap=True), "ProfileConsents")
        self.notes_label = named(QLabel(wordWrap=True), "ProfileNotes")
        for label in (self.language_label, self.consents_label):
            label.setProperty("muted", True)
        self.edit_button = named(QPushButton(), "EditCustomer")
        self.book_button = named(QPushButton(icon("calendar", color="#FFFFFF"), ""), "NewBooking")
        self.book_button.setProperty("primary", True)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.book_button.clicked.connect(self._on_book_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.book_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        self.tabs = named(QTabWidget(), "ProfileVisits")
        self.tabs.addTab(self._visit_table(self.upcoming_model, "UpcomingVisits"), "")
        self.tabs.addTab(self._visit_table(self.past_model, "PastVisits"), "")
        self._content = QWidget()
        content = QVBoxLayout(self._content)
        content.setContentsMargins(0, 0, 0, 0)
        for widget in self._detail_labels():
            content.addWidget(widget)
        content.addLayout(buttons)
        content.addWidget(self.tabs, 1)
        self.empty_label = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True), "PageSubtitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self._content, 1)
        layout.addWidget(self.empty_label, 1)

    def _visit_table(self, model: VisitTableModel, name: str) -> QTableView:
        table = named(QTableView(), name)
        table.setModel(model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SERVICES, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        return table

    # -- showing -----------------------------------------------------------------------------------------
    def _show_details(self, profile: CustomerProfile) -> None:
        summary, loc = profile.summary, self._ctx.l10n()
        # A QLabel aligns by its text's own direction; a Latin name would hug the left edge of an Arabic panel.
        side = Qt.AlignmentFlag.AlignRight if loc.is_rtl else Qt.AlignmentFlag.AlignLeft
        for label in self._detail_labels():
            label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | side | Qt.AlignmentFlag.AlignVCenter)
        self.name_label.setText(summary.name)
        self.phone_label.setText(loc.phone(summary.phone) if summary.phone else _("No mobile"))
        visits = ngettext("{n} visit", "{n} visits", summary.visits).format(n=self._number(summary.visits))
        no_shows = ngettext("{n} no-show", "{n} no-shows", summary.no_shows).format(
            n=self._number(summary.no_shows)
        )
        last = _("last visit {date}").format(date=loc.date(summary.last_visit)) if summary.last_visit else ""
        self.stats_label.setText(" · ".join(part for part in (visits, no_shows, last) if part))
        self.language_label.setText(
            _("Language: {language}").format(language=language_label(summary.language))
        )
        reminders = _("Reminders: yes") if profile.consent_reminders else _("Reminders: no")
        marketing = _("Offers: yes") if profile.consent_marketing else _("Offers: no")
        self.consents_label.setText(f"{reminders} · {marketing}")
        self.notes_label.setText(profile.notes or _("No notes."))
        self.notes_label.setProperty("muted", not profile.notes)

    def _detail_labels(self) -> tuple[QLabel, ...]:
        return (
            self.name_label,
            self.phone_label,
            self.stats_label,
            self.language_label,
            self.consents_label,
            self.notes_label,
        )

    def _number(self, value: int) -> str:
        return self._ctx.l10n().number(value)

    def _on_edit_clicked(self) -> None:
        if self._profile is not None:
            self.edit_requested.emit(self._profile.summary.id)

    def _on_book_clicked(self) -> None:
        if self._profile is not None:
            self.booking_requested.emit(self._profile.summary.id)
