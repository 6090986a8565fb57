"""Connecting this desk to the salon's cloud (a manager action, from Settings).

    section = EnrolSection(ctx, enrol, on_enrolled)   # a group box for the Settings page
    enrol(cloud_url, code, device_name) -> link       # runs on the network lane; raises DomainError
    on_enrolled(link)                                 # GUI thread: the app starts the sync controller

The code is the 8-digit enrolment code a manager creates in the cloud (10 minutes, single use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named

if TYPE_CHECKING:
    from salon_desk.usecases.enrolment import CloudLink

Enrol = Callable[[str, str, str], "CloudLink"]
MANAGER_ROLES = frozenset({"manager", "owner"})


def is_manager(ctx: UiContext) -> bool:
    return ctx.user is not None and ctx.user.role in MANAGER_ROLES


class EnrolDialog(QDialog):
    enrolled = Signal(object)  # the CloudLink

    def __init__(self, ctx: UiContext, enrol: Enrol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EnrolDialog")
        self.setMinimumWidth(560)
        self._ctx, self._enrol = ctx, enrol
        self.url_edit = named(QLineEdit(), "CloudUrl")
        self.code_edit = named(QLineEdit(maxLength=12), "EnrolCode")
        self.name_edit = named(QLineEdit(), "DeskName")
        for edit in (self.url_edit, self.code_edit):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # addresses and digits read LTR
        self.error_label = named(QLabel(wordWrap=True), "EnrolError")
        self.error_label.setProperty("level", "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.form = QFormLayout()
        self.intro = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.field_labels = [QLabel(), QLabel(), QLabel()]
        for label, edit in zip(
            self.field_labels, (self.url_edit, self.code_edit, self.name_edit), strict=True
        ):
            label.setBuddy(edit)
            self.form.addRow(label, edit)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Connect this desk to the cloud"))
        self.intro.setText(
            _(
                "Enter the salon's cloud address and the 8-digit enrolment code a manager created for this desk."
            )
        )
        texts = (_("Cloud address"), _("Enrolment code"), _("Desk name"))
        for label, text in zip(self.field_labels, texts, strict=True):
            label.setText(text)
        self.name_edit.setPlaceholderText(_("Reception"))
        self.connect_button.setText(_("Connect"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    def submit(self) -> None:
        self.connect_button.setEnabled(False)
        self.error_label.clear()
        args = (self.url_edit.text(), self.code_edit.text(), self.name_edit.text() or _("Reception"))
        self._ctx.runner.net(self._enrol, *args, on_done=self._on_done, on_error=self._on_error, owner=self)

    def _on_done(self, link: CloudLink) -> None:
        self.enrolled.emit(link)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.connect_button.setEnabled(True)
        message = exc.message(self._ctx.l10n()) if hasattr(exc, "message") else error_text(exc)
        self.error_label.setText(message)


class EnrolSection(QGroupBox):
    """Settings' "Cloud" box: the link state and the manager's Connect… button."""

    def __init__(
        self, ctx: UiContext, enrol: Enrol, on_enrolled: Callable[[CloudLink], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EnrolSection")
        self._ctx, self._enrol, self._on_enrolled = ctx, enrol, on_enrolled
        self.state_label = named(QLabel(wordWrap=True), "CloudState")
        self.enrol_button = named(QPushButton(), "EnrolButton")
        self.enrol_button.clicked.connect(self.open_dialog)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.enrol_button)
        self.dialog: EnrolDialog | None = None
        self._linked: CloudLink | None = None
        self._language_handle = ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()

    def set_link(self, link: CloudLink | None) -> None:
        self._linked = link
        self.retranslate()

    def retranslate(self, *_args: Any) -> None:
        self.setTitle(_("Cloud"))
        if self._linked is None:
            self.state_label.setText(_("This desk is not connected to the salon's cloud."))
        else:
            address = self._ctx.l10n().isolate(self._linked.cloud_url)
            self.state_label.setText(_("Connected to {address}").format(address=address))
        self.enrol_button.setText(
            _("Connect this desk…") if self._linked is None else _("Re-enrol this desk…")
        )
        manager = is_manager(self._ctx)
        self.enrol_button.setEnabled(manager)
        self.enrol_button.setToolTip("" if manager else _("Only a manager can connect a desk."))

    def open_dialog(self) -> EnrolDialog:
        self.dialog = EnrolDialog(self._ctx, self._enrol, self)
        self.dialog.enrolled.connect(self._done)
        self.dialog.open()
        return self.dialog

    def _done(self, link: CloudLink) -> None:
        self.set_link(link)
        self._on_enrolled(link)
