"""Re-linking a desk whose database was restored from a backup (the cloud answered `device_rewound`).

    dialog = RelinkDialog(ctx, relink)    # relink(code) runs on the network lane; raises EnrolmentError
    dialog.relinked.connect(...)          # GUI thread: the hub restarts the sync loop with the new token

The code is an 8-digit enrolment code a manager issued for this very desk (`salon-cloud enrol-code
--rebind-device`, or a manager's desk); the desk keeps its identity and its unsent changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from salon_desk.ui.bidi import isolate_ltr
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named

Relink = Callable[[str], None]


class RelinkDialog(QDialog):
    relinked = Signal()

    def __init__(self, ctx: UiContext, relink: Relink, device_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RelinkDialog")
        self.setMinimumWidth(560)
        self._ctx, self._relink, self._device_id = ctx, relink, device_id
        self.intro = named(QLabel(wordWrap=True), "RelinkIntro")
        self.device_label = named(QLabel(wordWrap=True), "RelinkDeviceId")
        self.device_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_edit = named(QLineEdit(maxLength=12), "RelinkCode")
        self.code_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # digits read left to right
        self.code_label = QLabel()
        self.code_label.setBuddy(self.code_edit)
        self.error_label = named(QLabel(wordWrap=True), "RelinkError")
        self.error_label.setProperty("level", "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.relink_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        form = QFormLayout()
        form.addRow(self.code_label, self.code_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.device_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Re-link this desk"))
        self.intro.setText(
            _(
                "This desk's data was restored from a backup, so the cloud has changes this desk no longer "
                "remembers. Enter the re-link code a manager created for this desk. Changes not yet sent are "
                "kept and sent afterwards."
            )
        )
        if self._device_id:
            self.device_label.setText(
                _("This desk's identity (for the manager): {device}").format(
                    device=isolate_ltr(self._device_id)
                )
            )
        self.device_label.setVisible(bool(self._device_id))
        self.code_label.setText(_("Re-link code"))
        self.relink_button.setText(_("Re-link"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    def submit(self) -> None:
        self.relink_button.setEnabled(False)
        self.error_label.clear()
        self._ctx.runner.net(
            self._relink, self.code_edit.text(), on_done=self._on_done, on_error=self._on_error, owner=self
        )

    def _on_done(self, _result: object) -> None:
        self.relinked.emit()
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.relink_button.setEnabled(True)
        message = exc.message(self._ctx.l10n()) if hasattr(exc, "message") else error_text(exc)
        self.error_label.setText(message)
