"""WalkInsPage: walk-ins waiting now (with live waiting times and the use case's estimates), today's seated
and departed walk-ins greyed below, and the waitlist with offered slots highlighted.

    page = WalkInsPage(ctx)      # refreshes itself every minute and after every change
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Changes, WaitlistState, WalkInState
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.selection import select_row
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.latest import Latest
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.ui.theme import PALETTE, icon
from salon_desk.ui.walkins.actions import BoardActions
from salon_desk.ui.walkins.choices import ReferenceData, fill_staff, load_reference
from salon_desk.ui.walkins.form import WalkInForm
from salon_desk.ui.walkins.model import (
    W_ESTIMATE,
    W_STAFF,
    W_STATE,
    W_WAITED,
    WaitlistTableModel,
    WalkInTableModel,
)
from salon_desk.ui.walkins.tables import card, people_table, section_title, selected_row
from salon_desk.ui.walkins.waitlist_dialog import WaitlistDialog
from salon_desk.usecases.views import WaitlistLine, WalkInBoard, WalkInLine

MESSAGE_MS = 8000
REFERENCE_ENTITIES = ("service", "staff", "staff_service", "salon")
# desk.qss styles primary buttons without a disabled look; until it does, this page adds one.
DISABLED_PRIMARY_QSS = (
    f'QPushButton[primary="true"]:disabled {{ background: {PALETTE["surface_alt"]}; '
    f"border-color: {PALETTE['border']}; color: {PALETTE['border_strong']}; }}"
)


class WalkInsPage(QWidget):
    board_loaded = Signal(object)  # the WalkInBoard now shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WalkInsPage")
        self._ctx = ctx
        self._board = WalkInBoard((), ())
        self._reference = ReferenceData()
        self._board_loads = Latest(ctx.runner, parent=self)  # the newest board wins
        self.dialog: WaitlistDialog | None = None
        self.waiting_model = WalkInTableModel(ctx.l10n, ctx.now, self)
        self.history_model = WalkInTableModel(ctx.l10n, ctx.now, self)
        self.waitlist_model = WaitlistTableModel(ctx.l10n, ctx.now, self)
        self.board_actions = BoardActions(ctx, self)
        self._build()
        self.board_actions.message.connect(self.show_message)
        self.board_actions.walkin_added.connect(lambda _id: self.form.clear())
        ctx.events.changes_applied.connect(self._on_changes_applied)
        ctx.events.minute_ticked.connect(self._on_minute_ticked)
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.reload_reference()
        self.reload_board()

    # -- public ------------------------------------------------------------------------------------------
    @property
    def board(self) -> WalkInBoard:
        return self._board

    def refresh(self) -> None:
        self.reload_reference()
        self.reload_board()

    def reload_board(self) -> None:
        self._board_loads.run_now(
            self._ctx.desk.walkins.board, self._ctx.now(), on_done=self._on_board_loaded, on_error=self.show_error
        )

    def reload_reference(self) -> None:
        self._ctx.runner.db(
            load_reference,
            self._ctx.desk,
            on_done=self._on_reference_loaded,
            on_error=self.show_error,
            owner=self,
        )

    def select_walkin(self, walkin_id: str) -> bool:
        position = self.waiting_model.row_of(walkin_id)
        if position >= 0:
            select_row(self.waiting_table, position)
        return position >= 0

    def select_waitlist_entry(self, entry_id: str) -> bool:
        position = self.waitlist_model.row_of(entry_id)
        if position >= 0:
            select_row(self.waitlist_table, position)
        return position >= 0

    def open_waitlist_dialog(self) -> WaitlistDialog:
        dialog = WaitlistDialog(self._ctx, self._reference, self)
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        dialog.open()
        return dialog

    def show_message(self, text: str, error: bool = False) -> None:
        """One line above the lists; a confirmation fades after a few seconds, a refusal stays until the next
        action."""
        self._message_timer.stop()
        if text and not error:
            self._message_timer.start()
        show_message_line(self.message_label, text, error)

    def show_error(self, error: BaseException) -> None:
        text = error_text(error, self._ctx.l10n(), _("Something went wrong. Please try again."))
        self.show_message(text, error=True)

    def retranslate(self, *_args: Any) -> None:
        self.title_label.setText(_("Walk-ins and waitlist"))
        self.walkins_title.setText(_("Walk-ins"))
        self.history_title.setText(_("Earlier today"))
        self.waitlist_title.setText(_("Waitlist"))
        self.seat_label.setText(_("Seat with"))
        self.seat_button.setText(_("Seat now"))
        self.left_button.setText(_("Mark as left"))
        self.add_waitlist_button.setText(_("Add to waitlist"))
        self.book_slot_button.setText(_("Book this slot"))
        self.remove_button.setText(_("Remove"))
        self.form.retranslate(self._ctx.l10n().lang)
        for model in (self.waiting_model, self.history_model, self.waitlist_model):
            model.refresh()
        self._fill_seat_staff()
        self._show_counts()

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = named(QLabel(), "PageTitle")
        self.count_label = named(QLabel(), "PageSubtitle")
        self.message_label = named(QLabel(wordWrap=True), "PageMessage")
        self.message_label.hide()
        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_MS)
        self._message_timer.timeout.connect(self.message_label.hide)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.count_label)
        header.addStretch(1)
        # The queue at the door spans the width; below it the waitlist (leading side) and today's history.
        lower = named(QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False), "WalkInsLowerSplit")
        lower.setContentsMargins(1, 0, 1, 0)  # a mirrored QSplitter places its first child 1px too far
        lower.addWidget(self._build_waitlist())
        lower.addWidget(self._build_history())
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        page = named(QSplitter(Qt.Orientation.Vertical, childrenCollapsible=False), "WalkInsSplit")
        page.addWidget(self._build_walkins())
        page.addWidget(lower)
        page.setStretchFactor(0, 1)
        page.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(header)
        layout.addWidget(self.message_label)
        layout.addWidget(page, 1)
        self.setStyleSheet(DISABLED_PRIMARY_QSS)

    def _build_walkins(self) -> QWidget:
        self.walkins_title = section_title()
        self.form = WalkInForm(self)
        self.form.submitted.connect(self.board_actions.add_walkin)
        self.waiting_table = people_table(self.waiting_model, "WaitingWalkIns", hidden=(W_STATE,))
        self.seat_label = QLabel()
        self.seat_combo = named(QComboBox(), "SeatStaff")
        self.seat_button = named(QPushButton(), "SeatNow")
        self.seat_button.setProperty("primary", True)
        self.left_button = named(QPushButton(), "MarkLeft")
        self.seat_button.clicked.connect(self._on_seat_clicked)
        self.left_button.clicked.connect(self._on_left_clicked)
        self.waiting_table.selectionModel().selectionChanged.connect(self._on_walkin_selected)
        actions = QHBoxLayout()
        for widget in (self.seat_label, self.seat_combo, self.seat_button, self.left_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        return card(self.walkins_title, self.form, self.waiting_table, actions, stretch_index=2)

    def _build_history(self) -> QWidget:
        self.history_title = section_title()
        self.history_table = people_table(
            self.history_model, "WalkInHistory", hidden=(W_STAFF, W_WAITED, W_ESTIMATE)
        )
        return card(self.history_title, self.history_table, stretch_index=1)

    def _build_waitlist(self) -> QWidget:
        self.waitlist_title = section_title()
        self.add_waitlist_button = named(QPushButton(icon("plus"), ""), "AddToWaitlist")
        self.add_waitlist_button.clicked.connect(self.open_waitlist_dialog)
        self.waitlist_table = people_table(self.waitlist_model, "Waitlist")
        self.book_slot_button = named(QPushButton(), "BookOfferedSlot")
        self.book_slot_button.setProperty("primary", True)
        self.remove_button = named(QPushButton(), "RemoveFromWaitlist")
        self.book_slot_button.clicked.connect(self._on_book_slot_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.waitlist_table.selectionModel().selectionChanged.connect(self._update_waitlist_buttons)
        self.waitlist_table.doubleClicked.connect(lambda _index: self._on_book_slot_clicked())
        actions = QHBoxLayout()
        for widget in (self.book_slot_button, self.remove_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.add_waitlist_button)
        return card(self.waitlist_title, self.waitlist_table, actions, stretch_index=1)

    # -- loading -----------------------------------------------------------------------------------------
    def _on_board_loaded(self, board: WalkInBoard) -> None:
        walkin_id, entry_id = self._selected_walkin_id(), self._selected_entry_id()
        self._board = board
        self.waiting_model.set_rows([w for w in board.walkins if w.state == WalkInState.WAITING])
        self.history_model.set_rows([w for w in board.walkins if w.state != WalkInState.WAITING])
        self.waitlist_model.set_rows(board.waitlist)
        if walkin_id:
            self.select_walkin(walkin_id)
        if entry_id:
            self.select_waitlist_entry(entry_id)
        self._on_walkin_selected()
        self._update_waitlist_buttons()
        self._show_counts()
        self.board_loaded.emit(board)

    def _on_reference_loaded(self, reference: ReferenceData) -> None:
        self._reference = reference
        self.form.set_reference(reference, self._ctx.l10n().lang)
        self._fill_seat_staff()

    def _show_counts(self) -> None:
        waiting = self.waiting_model.rowCount()
        offered = sum(1 for line in self.waitlist_model.rows() if line.state == WaitlistState.OFFERED)
        loc = self._ctx.l10n()
        parts = [ngettext("{n} waiting", "{n} waiting", waiting).format(n=loc.number(waiting))]
        if offered:
            parts.append(
                ngettext("{n} slot offered", "{n} slots offered", offered).format(n=loc.number(offered))
            )
        self.count_label.setText(" · ".join(parts))

    # -- selection ---------------------------------------------------------------------------------------
    def _selected_walkin(self) -> WalkInLine | None:
        return selected_row(self.waiting_table, self.waiting_model)

    def _selected_entry(self) -> WaitlistLine | None:
        return selected_row(self.waitlist_table, self.waitlist_model)

    def _selected_walkin_id(self) -> str | None:
        line = self._selected_walkin()
        return line.id if line else None

    def _selected_entry_id(self) -> str | None:
        line = self._selected_entry()
        return line.id if line else None

    def _on_walkin_selected(self, *_args: Any) -> None:
        has_one = self._selected_walkin() is not None
        for widget in (self.seat_button, self.left_button, self.seat_combo):
            widget.setEnabled(has_one)
        self._fill_seat_staff()

    def _fill_seat_staff(self) -> None:
        line = self._selected_walkin()
        staff = self._reference.staff_for(line.service.id if line else None)
        fill_staff(self.seat_combo, staff, self._ctx.l10n().lang, _("Free soonest"))

    def _update_waitlist_buttons(self, *_args: Any) -> None:
        line = self._selected_entry()
        offered = line is not None and line.state == WaitlistState.OFFERED and line.offered_start is not None
        self.book_slot_button.setEnabled(offered)
        self.remove_button.setEnabled(
            line is not None and line.state in (WaitlistState.WAITING, WaitlistState.OFFERED)
        )

    # -- actions -----------------------------------------------------------------------------------------
    def _on_seat_clicked(self) -> None:
        line = self._selected_walkin()
        if line is not None:
            self.board_actions.seat(line, self.seat_combo.currentData())

    def _on_left_clicked(self) -> None:
        line = self._selected_walkin()
        if line is not None:
            self.board_actions.mark_left(line)

    def _on_book_slot_clicked(self) -> None:
        line = self._selected_entry()
        if line is not None and self.book_slot_button.isEnabled():
            self.board_actions.book_offered_slot(line)

    def _on_remove_clicked(self) -> None:
        line = self._selected_entry()
        if line is not None:
            self.board_actions.remove_entry(line)

    # -- events ------------------------------------------------------------------------------------------
    def _on_changes_applied(self, changes: Changes) -> None:
        if not changes:
            return
        self.reload_board()  # estimates depend on every booking, so any change can move them
        if any(changes.touches(entity) for entity in REFERENCE_ENTITIES):
            self.reload_reference()

    def _on_minute_ticked(self) -> None:
        self.waiting_model.refresh()  # minutes waited move on at once; estimates follow with the board
        self.reload_board()

    def _forget_dialog(self, dialog: WaitlistDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
