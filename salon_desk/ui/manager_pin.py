"""A manager's PIN for one refused action: the one widget every manager page uses to elevate a save.

    run_elevated(ctx, page, lambda pin: desk.staff.update(staff_id, fields, manager_pin=pin),
                 on_done=page._done, on_error=page._show_error)

The action runs on the DB lane as the person signed in. When the use case refuses it for their role
(`permission.denied`), a small window-modal dialog shows that refusal in its own translated words with a PIN
field; the PIN re-runs that same action once, under the manager's authority (the use case checks the PIN:
`usecases.authority.authorise`). A wrong PIN (or a lock-out) is shown in the dialog and nothing is written;
Cancel leaves the page with the refusal. The PIN is never kept after the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget

from salon_desk.domain.errors import DomainError, Forbidden
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.ui.signin.view import pin_field

ELEVATABLE = "permission.denied"  # the refusal a manager's PIN can lift (a revoked user or a rank rule cannot)


def asks_for_pin(error: BaseException) -> bool:
    return isinstance(error, Forbidden) and error.code == ELEVATABLE


def _pin_refusal(error: BaseException) -> bool:
    """A refusal of the PIN itself (wrong, locked out, malformed): the dialog stays open to try again."""
    return isinstance(error, DomainError) and (asks_for_pin(error) or error.code.startswith("pin."))


class ManagerPinDialog(QDialog):
    """The refusal, a PIN field and "Allow once". `pin_given` carries the typed PIN; the caller answers with
    `refuse(text)` (stays open) or closes it."""

    pin_given = Signal(str)

    def __init__(self, refusal: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ManagerPinDialog")
        self.setWindowTitle(_("Manager PIN"))
        self.reason_label = named(QLabel(refusal, wordWrap=True), "ManagerPinReason")  # says a PIN allows it
        self.reason_label.setStyleSheet("font-weight: bold;")
        self.pin_label = QLabel(_("Manager PIN"))
        self.pin_field = pin_field()
        self.pin_field.setObjectName("ManagerPin")
        self.pin_field.setAccessibleName(_("Manager PIN"))
        self.pin_label.setBuddy(self.pin_field)
        self.error_label = named(QLabel(wordWrap=True), "FormError")
        show_message_line(self.error_label, "", error=True)
        buttons = QDialogButtonBox()
        self.allow_button: QPushButton = buttons.addButton(_("Allow once"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.allow_button.setProperty("primary", True)
        self.allow_button.setDefault(True)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._give)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with a wrapped refusal
        layout.setSpacing(10)
        for widget in (self.reason_label, self.pin_label, self.pin_field, self.error_label):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        self.reason_label.setMinimumWidth(400)  # the layout sets the dialog's minimum size from its contents
        self.adjustSize()
        self.pin_field.setFocus()

    def _give(self) -> None:
        pin = self.pin_field.text().strip()
        if not pin:
            self.refuse(_("Please enter the PIN."))
            return
        self.allow_button.setEnabled(False)
        self.pin_given.emit(pin)

    def refuse(self, text: str) -> None:
        """The PIN did not allow the action: say why, clear it, let them try again."""
        self.allow_button.setEnabled(True)
        show_message_line(self.error_label, text, error=True)
        self.adjustSize()
        self.pin_field.clear()
        self.pin_field.setFocus()

    def error_text(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text()


def run_elevated(ctx: UiContext, owner: QWidget, action: Callable[[str | None], Any], *,
                 on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
    """Runs `action(None)`; on a role refusal asks for a manager's PIN and runs `action(pin)` once more.
    The open dialog is kept as `owner.manager_pin_dialog` while it is shown (tests drive it)."""

    def refused(error: BaseException) -> None:
        if not asks_for_pin(error):
            on_error(error)
            return
        dialog = ManagerPinDialog(error_text(error, ctx.l10n()), owner)
        owner.manager_pin_dialog = dialog  # type: ignore[attr-defined]
        dialog.pin_given.connect(lambda pin: _with_pin(dialog, pin))
        dialog.rejected.connect(lambda: on_error(error))
        dialog.finished.connect(lambda _code: setattr(owner, "manager_pin_dialog", None))
        dialog.open()

    def _with_pin(dialog: ManagerPinDialog, pin: str) -> None:
        def done(result: Any) -> None:
            dialog.accept()
            on_done(result)

        def failed(error: BaseException) -> None:
            if _pin_refusal(error):
                dialog.refuse(error_text(error, ctx.l10n()))
                return
            dialog.accept()  # the PIN was good; the action itself was refused (bad input): the page says why
            on_error(error)

        ctx.runner.db(action, pin, on_done=done, on_error=failed, owner=dialog)

    ctx.runner.db(action, None, on_done=on_done, on_error=refused, owner=owner)
