"""CustomerDialog: add a customer or edit one. The use case validates (name required, phone normalised and
unique); a refusal is shown translated under the form and the dialog stays open with what was typed.

    command = CustomerDialog(ctx, profile, parent).ask()   # the saved AddCustomer/UpdateCustomer, or None
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from salon_desk.domain.errors import DomainError, ValidationError
from salon_desk.domain.model import Language
from salon_desk.domain.phone import format_national
from salon_desk.ui.command_dialog import CommandDialog
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.model import language_label
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.usecases.commands import AddCustomer, UpdateCustomer
from salon_desk.usecases.result import Result
from salon_desk.usecases.views import CustomerProfile

CustomerCommand = AddCustomer | UpdateCustomer


class CustomerDialog(CommandDialog[CustomerCommand]):
    def __init__(
        self, ctx: UiContext, profile: CustomerProfile | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self._profile = profile
        self._build()
        self._fill(profile)
        self.retranslate()

    # -- public ------------------------------------------------------------------------------------------
    def command(self) -> CustomerCommand | None:
        """What the form asks for; for an edit only the changed fields (None when nothing changed)."""
        name, phone = self.name_edit.text().strip(), self.phone_edit.text().strip()
        language = Language(self.language_combo.currentData())
        notes = self.notes_edit.toPlainText().strip()
        reminders, marketing = self.reminders_check.isChecked(), self.marketing_check.isChecked()
        if self._profile is None:
            return AddCustomer(
                name=name,
                phone=phone,
                language=language,
                notes=notes,
                consent_reminders=reminders,
                consent_marketing=marketing,
            )
        wanted = {
            "name": name,
            "phone": phone,
            "language": language,
            "notes": notes,
            "consent_reminders": reminders,
            "consent_marketing": marketing,
        }
        changed = {key: value for key, value in wanted.items() if value != self._initial[key]}
        return UpdateCustomer(self._profile.summary.id, changed) if changed else None

    def retranslate(self) -> None:
        editing = self._profile is not None
        self.setWindowTitle(_("Edit customer") if editing else _("Add customer"))
        self._labels["name"].setText(_("Name"))
        self._labels["phone"].setText(_("Mobile"))
        self._labels["language"].setText(_("Language"))
        self._labels["notes"].setText(_("Notes"))
        self.reminders_check.setText(_("Send appointment reminders"))
        self.marketing_check.setText(_("Send offers and promotions"))
        self.phone_edit.setPlaceholderText("05X XXX XXXX")
        for position in range(self.language_combo.count()):
            self.language_combo.setItemText(position, language_label(self.language_combo.itemData(position)))
        self.save_button.setText(_("Save"))
        self.cancel_button.setText(_("Cancel"))

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setMinimumWidth(420)
        self.name_edit = named(QLineEdit(), "CustomerName")
        self.phone_edit = named(QLineEdit(), "CustomerPhone")
        # A phone number reads left to right in Arabic too.
        self.phone_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.phone_edit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.language_combo = named(QComboBox(), "CustomerLanguage")
        for language in (Language.AR, Language.EN):
            self.language_combo.addItem("", language.value)
        self.notes_edit = named(QPlainTextEdit(), "CustomerNotes")
        self.notes_edit.setFixedHeight(72)
        self.reminders_check = named(QCheckBox(), "ConsentReminders")
        self.marketing_check = named(QCheckBox(), "ConsentMarketing")
        self._labels = {key: QLabel() for key in ("name", "phone", "language", "notes")}
        form = QFormLayout()
        form.addRow(self._labels["name"], self.name_edit)
        form.addRow(self._labels["phone"], self.phone_edit)
        form.addRow(self._labels["language"], self.language_combo)
        form.addRow(self._labels["notes"], self.notes_edit)
        form.addRow("", self.reminders_check)
        form.addRow("", self.marketing_check)
        self.lay_out(form)
        for edit in (self.name_edit, self.phone_edit):
            edit.textEdited.connect(self._clear_error)

    def _fill(self, profile: CustomerProfile | None) -> None:
        if profile is None:
            self.reminders_check.setChecked(True)
            self._initial: dict[str, Any] = {}
            return
        summary = profile.summary
        phone = _editable_phone(summary.phone)
        self.name_edit.setText(summary.name)
        self.phone_edit.setText(phone)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(summary.language.value)))
        self.notes_edit.setPlainText(profile.notes)
        self.reminders_check.setChecked(profile.consent_reminders)
        self.marketing_check.setChecked(profile.consent_marketing)
        self._initial = {
            "name": summary.name,
            "phone": phone,
            "language": summary.language,
            "notes": profile.notes,
            "consent_reminders": profile.consent_reminders,
            "consent_marketing": profile.consent_marketing,
        }

    # -- saving ------------------------------------------------------------------------------------------
    def write(self, command: CustomerCommand) -> Result:
        if isinstance(command, AddCustomer):
            return self._ctx.desk.customers.add(command)
        return self._ctx.desk.customers.update(command)

    def nothing_to_save(self) -> None:
        self.reject()  # an edit that changed nothing

    def refused(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            self._mark_invalid(error.code)

    def _mark_invalid(self, code: str) -> None:
        """Outlines the field a refusal is about (codes like "phone.invalid", "customer.name_required")."""
        field = self.phone_edit if "phone" in code else self.name_edit if "name" in code else None
        if field is not None:
            _set_invalid(field, True)
            field.setFocus()

    def _clear_error(self) -> None:
        self.error_label.hide()
        for edit in (self.name_edit, self.phone_edit):
            _set_invalid(edit, False)


def _set_invalid(widget: QWidget, invalid: bool) -> None:
    """Toggles the stylesheet's red outline (QLineEdit[invalid="true"])."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _editable_phone(e164: str | None) -> str:
    """The stored number as people type it (050 123 4567), without display marks."""
    if not e164:
        return ""
    try:
        return format_national(e164)
    except ValidationError:
        return e164
