"""CommandDialog: the one shape of a form that saves one use-case command (add a customer, put someone on the
waitlist, ...). The dialog saves through the desk itself on the DB lane, so a refusal is shown translated
under the form, the dialog stays open and nothing typed is lost.

    class CustomerDialog(CommandDialog[AddCustomer]):
        def command(self) -> AddCustomer | None: ...        # what the form asks for (None: nothing to save)
        def write(self, command) -> Result: ...             # the desk call, e.g. self._ctx.desk.customers.add(command)
        # in _build: build a QFormLayout, then self.lay_out(form) (Save, Cancel, the refusal line)

    command = CustomerDialog(ctx, parent).ask()   # the saved command, or None when cancelled
"""

from __future__ import annotations

import logging
from typing import Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.errors import DomainError
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.usecases.result import Result

log = logging.getLogger(__name__)
C = TypeVar("C")


class CommandDialog(QDialog, Generic[C]):
    """Subclasses build the form (with `self.save_button` and `self.error_label` in it) and say `command()`
    and `write()`; saving, the busy state, the refusal text and `ask()` live here."""

    saved = Signal(object)  # the use case's Result after a successful save
    save_button: QPushButton

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._saved_command: C | None = None
        self._saved_result: Result | None = None
        self.error_label = named(QLabel(wordWrap=True), "FormError")
        show_message_line(self.error_label, "", error=True)

    # -- what a subclass says ------------------------------------------------------------------------------
    def command(self) -> C | None:
        raise NotImplementedError

    def write(self, command: C) -> Result:
        """Runs on the DB lane: the one desk call that saves `command`."""
        raise NotImplementedError

    def nothing_to_save(self) -> None:
        """`command()` gave None (an edit that changed nothing, an incomplete form): stay open by default."""

    def refused(self, error: BaseException) -> None:
        """After a refusal was shown: e.g. outline the field it is about."""

    def lay_out(self, form: QFormLayout) -> None:
        """The form, the refusal line under it, then Save (primary, default) and Cancel."""
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.cancel_button = buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    # -- public --------------------------------------------------------------------------------------------
    def ask(self) -> C | None:
        """Shows the dialog modally; returns the command that was saved, or None when cancelled."""
        self.exec()
        return self._saved_command

    @property
    def saved_command(self) -> C | None:
        return self._saved_command

    @property
    def saved_result(self) -> Result | None:
        return self._saved_result

    def error_text(self) -> str:
        """The refusal shown under the form ("" when none is shown)."""
        return "" if self.error_label.isHidden() else self.error_label.text()

    # -- saving --------------------------------------------------------------------------------------------
    def save(self) -> None:
        command = self.command()
        if command is None:
            self.nothing_to_save()
            return
        self.save_button.setEnabled(False)
        self._ctx.runner.db(
            self.write,
            command,
            on_done=lambda result: self._on_saved(command, result),
            on_error=self._on_refused,
            owner=self,
        )

    def _on_saved(self, command: C, result: Result) -> None:
        self.save_button.setEnabled(True)
        self._saved_command, self._saved_result = command, result
        self._ctx.events.changes_applied.emit(result.changes)
        self.saved.emit(result)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, DomainError):
            log.error("saving a form failed", exc_info=error)
        show_message_line(
            self.error_label, error_text(error, self._ctx.l10n(), _("Could not save. Please try again.")), error=True
        )
        self.refused(error)
