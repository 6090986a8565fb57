"""WalkInForm: the always-visible "add walk-in" row. Name and mobile are optional; the service is not."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.theme import icon
from salon_desk.ui.walkins.choices import ReferenceData, fill_services, fill_staff
from salon_desk.usecases.commands import AddWalkIn


class WalkInForm(QWidget):
    submitted = Signal(object)  # an AddWalkIn

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WalkInForm")
        self._reference = ReferenceData()
        self._lang = "ar"
        self.name_edit = named(QLineEdit(), "WalkInName")
        self.phone_edit = named(QLineEdit(), "WalkInPhone")
        self.phone_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.service_combo = named(QComboBox(), "WalkInService")
        self.staff_combo = named(QComboBox(), "WalkInStaff")
        self.add_button = named(QPushButton(icon("plus", color="#FFFFFF"), ""), "AddWalkIn")
        self.add_button.setProperty("primary", True)
        self._labels = [QLabel() for _ in range(4)]
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (label, field) in enumerate(
            zip(
                self._labels,
                (self.name_edit, self.phone_edit, self.service_combo, self.staff_combo),
                strict=True,
            )
        ):
            label.setProperty("muted", True)
            grid.addWidget(label, 0, column)
            grid.addWidget(field, 1, column)
            grid.setColumnStretch(column, 1)
        grid.addWidget(self.add_button, 1, 4)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.name_edit.returnPressed.connect(self._on_add_clicked)
        self.phone_edit.returnPressed.connect(self._on_add_clicked)
        self.service_combo.currentIndexChanged.connect(self._on_service_changed)

    def set_reference(self, reference: ReferenceData, lang: str) -> None:
        self._reference, self._lang = reference, lang
        fill_services(self.service_combo, reference.services, lang)
        self._on_service_changed()
        self.add_button.setEnabled(bool(reference.services))

    def command(self) -> AddWalkIn | None:
        service_id = self.service_combo.currentData()
        if service_id is None:
            return None
        return AddWalkIn(
            service_id=service_id,
            name=self.name_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            preferred_staff_id=self.staff_combo.currentData(),
        )

    def clear(self) -> None:
        self.name_edit.clear()
        self.phone_edit.clear()
        self.staff_combo.setCurrentIndex(0)
        self.name_edit.setFocus()

    def retranslate(self, lang: str) -> None:
        for label, text in zip(
            self._labels,
            (_("Name (optional)"), _("Mobile (optional)"), _("Service"), _("Preferred staff")),
            strict=True,
        ):
            label.setText(text)
        self.phone_edit.setPlaceholderText("05X XXX XXXX")
        self.add_button.setText(_("Add walk-in"))
        self.set_reference(self._reference, lang)

    def _on_service_changed(self, *_args: object) -> None:
        staff = self._reference.staff_for(self.service_combo.currentData())
        fill_staff(self.staff_combo, staff, self._lang, _("Anyone"))

    def _on_add_clicked(self) -> None:
        command = self.command()
        if command is not None:
            self.submitted.emit(command)
