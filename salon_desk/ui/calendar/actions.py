"""Status actions on a booking (confirm, check in, start, complete, no-show, cancel) for menus and keys.

Only what `desk.bookings.allowed_transitions(booking_id)` returns is offered; every action goes through the DB lane
(`transition_booking`, or `cancel_booking` after asking for a reason) and announces its Changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.errors import DomainError
from salon_desk.ui.bidi import isolate
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.usecases.commands import CancelBooking, TransitionBooking
from salon_desk.usecases.result import Result
from salon_desk.usecases.views import BookingBlock

S = BookingStatus
# The next step a receptionist takes most often, in order of preference (space bar).
FORWARD = (S.CONFIRMED, S.CHECKED_IN, S.IN_SERVICE, S.COMPLETED)


def action_label(current: str, target: str) -> str:
    """What the menu item says for moving a booking from `current` to `target`."""
    if target == S.CONFIRMED and current == S.CHECKED_IN:
        return _("Undo check-in")
    labels = {
        S.CONFIRMED: _("Confirm booking"),
        S.CHECKED_IN: _("Check in"),
        S.IN_SERVICE: _("Start service"),
        S.COMPLETED: _("Complete"),
        S.NO_SHOW: _("Mark as no-show"),
        S.CANCELLED: _("Cancel booking…"),
        S.REQUESTED: _("Back to awaiting confirmation"),
    }
    return labels.get(S(target), target)


def cancel_reason_presets() -> list[str]:
    return [reason for reason, _by_salon in cancel_reason_choices()]


def cancel_reason_choices() -> list[tuple[str, bool]]:
    """The preset reasons, each with whether it is the salon's doing (it ticks "the salon is cancelling")."""
    return [
        (_("At the customer's request"), False),
        (_("The customer is ill"), False),
        (_("The staff member is unavailable"), True),
        (_("Booked by mistake"), True),
    ]


@dataclass(frozen=True)
class CancelChoice:
    reason: str
    by_salon: bool = False  # the salon cancels, not the customer: a paid deposit goes back in full


class CancelReasonDialog(QDialog):
    """Asks why a booking is cancelled (a reason is required; it is kept with the booking) and whether the salon
    is the one cancelling, which decides what happens to a paid deposit (domain.deposit_policy)."""

    def __init__(self, customer_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Cancel booking"))
        self.setObjectName("CancelReasonDialog")
        prompt = QLabel(
            _("Reason for cancelling the booking of {name}:").format(name=isolate(customer_name))
        )
        prompt.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(cancel_reason_presets())
        self.reason.setCurrentIndex(-1)
        line_edit = self.reason.lineEdit()
        assert line_edit is not None  # the combo box is editable
        line_edit.setPlaceholderText(_("Choose or type a reason"))
        self.by_salon = QCheckBox(_("The salon is cancelling, not the customer (a paid deposit is refunded in full)"))
        self.by_salon.setObjectName("CancelBySalon")
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(_("Cancel booking"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setProperty("danger", True)
        self.buttons.addButton(_("Keep booking"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.editTextChanged.connect(self._on_text_changed)
        self.reason.currentIndexChanged.connect(self._on_preset)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.reason)
        layout.addWidget(self.by_salon)
        layout.addWidget(self.buttons)
        self._on_text_changed(self.reason.currentText())

    def _on_preset(self, index: int) -> None:
        choices = cancel_reason_choices()
        if 0 <= index < len(choices) and self.reason.currentText() == choices[index][0]:
            self.by_salon.setChecked(choices[index][1])

    def _on_text_changed(self, text: str) -> None:
        self.ok.setEnabled(bool(text.strip()))

    def text(self) -> str:
        return self.reason.currentText().strip()

    def answer(self) -> CancelChoice:
        return CancelChoice(self.text(), self.by_salon.isChecked())

    def ask(self) -> CancelChoice | None:
        return self.answer() if self.exec() == QDialog.DialogCode.Accepted and self.text() else None


AskReason = Callable[[BookingBlock, QWidget], "CancelChoice | None"]


def ask_cancel_reason(block: BookingBlock, parent: QWidget) -> CancelChoice | None:
    return CancelReasonDialog(block.customer_name, parent).ask()


class BookingActions(QObject):
    """Runs status actions for one calendar. Tests may replace `ask_reason` to answer the reason prompt."""

    menu_shown = Signal(QMenu)  # the menu, once it pops up (tests trigger its actions)
    action_done = Signal(str, str)  # booking id, target status
    action_refused = Signal(str, str)  # booking id, translated reason

    def __init__(self, ctx: UiContext, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.ctx = ctx
        self.parent_widget = parent_widget
        self.ask_reason: AskReason = ask_cancel_reason
        self.menu: QMenu | None = None

    def open_menu(self, block: BookingBlock, global_pos: QPoint) -> None:
        """Fetches the allowed transitions on the DB lane, then pops up the menu where it was asked for."""
        self._with_transitions(block, lambda targets: self._show_menu(block, targets, global_pos))

    def _show_menu(self, block: BookingBlock, targets: list[str], global_pos: QPoint) -> None:
        menu = QMenu(self.parent_widget)
        menu.setObjectName("BookingActionsMenu")
        title = menu.addAction(f"{block.customer_name} · {self.ctx.l10n().status_label(block.status)}")
        title.setEnabled(False)
        menu.addSeparator()
        for target in targets:
            if target == S.NEEDS_ATTENTION:
                continue
            action = QAction(action_label(block.status, target), menu)
            action.setData(target)
            action.triggered.connect(lambda _checked=False, t=target: self.run(block, t))
            if target in (S.CANCELLED, S.NO_SHOW):
                menu.addSeparator()
            menu.addAction(action)
        if not targets:
            menu.addAction(_("No status change is possible")).setEnabled(False)
        if block.status not in (S.CANCELLED, S.NO_SHOW):  # issue #11: take payment for the visit
            menu.addSeparator()
            checkout = menu.addAction(_("Checkout…"))
            checkout.setObjectName("CheckoutBooking")
            checkout.triggered.connect(lambda _checked=False: self.ctx.events.checkout_requested.emit(block.booking_id))
        self.menu = menu
        menu.popup(global_pos)
        self.menu_shown.emit(menu)

    def run_primary(self, block: BookingBlock) -> None:
        """The space bar: the next forward step that is allowed (confirm, check in, start, complete)."""

        def chosen(targets: list[str]) -> None:
            forward = [
                t for t in FORWARD if t in targets and not (t == S.CONFIRMED and block.status == S.CHECKED_IN)
            ]
            if forward:
                self.run(block, forward[0])

        self._with_transitions(block, chosen)

    def request_cancel(self, block: BookingBlock) -> None:
        """Delete: cancel after a reason, only when cancelling is allowed for this booking."""

        def chosen(targets: list[str]) -> None:
            if S.CANCELLED in targets:
                self.run(block, S.CANCELLED)

        self._with_transitions(block, chosen)

    def _with_transitions(self, block: BookingBlock, chosen: Callable[[list[str]], None]) -> None:
        """Asks the desk (DB lane) which status changes this booking allows now, then calls `chosen`."""
        self.ctx.runner.db(
            self.ctx.desk.bookings.allowed_transitions,
            block.booking_id,
            on_done=chosen,
            on_error=lambda exc: self._refused(block, exc),
            owner=self,
        )

    def run(self, block: BookingBlock, target: str) -> None:
        if target == S.CANCELLED:
            answer = self.ask_reason(block, self.parent_widget)
            if answer is None or not answer.reason:
                return
            cancel = CancelBooking(block.booking_id, answer.reason, by_salon=answer.by_salon)
            job: Callable[[], Result] = lambda: self.ctx.desk.bookings.cancel(cancel)  # noqa: E731
        else:
            move = TransitionBooking(block.booking_id, target)
            job = lambda: self.ctx.desk.bookings.transition(move)  # noqa: E731
        self.ctx.runner.db(
            job,
            on_done=lambda result: self._done(block, target, result),
            on_error=lambda exc: self._refused(block, exc),
            owner=self,
        )

    def _done(self, block: BookingBlock, target: str, result: Result) -> None:
        self.ctx.events.changes_applied.emit(result.changes)
        self.action_done.emit(block.booking_id, str(target))

    def _refused(self, block: BookingBlock, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            raise exc
        reason = self.ctx.l10n().error(exc)
        self.ctx.events.message_posted.emit(reason)
        self.action_refused.emit(block.booking_id, reason)
