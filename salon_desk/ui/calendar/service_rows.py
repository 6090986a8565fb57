"""The booking dialog's services: one row per service, each with a staff member or "anyone".

Services are listed under their category's heading (`desk.catalogue.by_category()`: offered services only,
standard categories first in their own order, in the UI language). Headings cannot be chosen, so the arrow
keys and typing a name's first letters step over them. Only staff qualified for the row's service are offered
(`desk.reference.qualified_staff`, fetched on the DB lane once per service and cached).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QGridLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from salon_desk.domain.catalogue import STANDARD_CATEGORIES
from salon_desk.domain.model import Service, Staff
from salon_desk.ui.catalogue.categories import category_label
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.names import name_in
from salon_desk.usecases.catalogue import Category

from .booking_plan import Part

ANYONE = ""  # the staff combo's data for "anyone qualified"


class ServiceRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)  # this row

    def __init__(self, owner: ServiceRows, staff_id: str | None = None) -> None:
        super().__init__(owner)
        self.owner = owner
        self.wanted_staff = staff_id  # prefilled staff (kept when qualified for the chosen service)
        self.service = QComboBox(self)
        self.service.setObjectName("ServiceChoice")
        self.service.setMinimumContentsLength(18)
        self.staff = QComboBox(self)
        self.staff.setObjectName("StaffChoice")
        self.staff.setMinimumContentsLength(12)
        self.remove = QToolButton(self)
        self.remove.setText("✕")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.service, 0, 0)
        layout.addWidget(self.staff, 0, 1)
        layout.addWidget(self.remove, 0, 2)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        self.service.currentIndexChanged.connect(self._on_service_changed)
        self.staff.currentIndexChanged.connect(self._on_staff_changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.fill_services()

    def fill_services(self) -> None:
        current = self.service_id()
        self.service.blockSignals(True)
        self.service.clear()
        self.service.addItem(_("Choose a service"), None)
        for category in self.owner.categories:
            if self.service.count() > 1:
                self.service.insertSeparator(self.service.count())
            self._add_heading(category_label(category.name) or _("Other services"))
            for service in sorted(category.services, key=self.owner.service_name):  # alphabetical as read
                self.service.addItem(self.owner.service_label(service), service.id)
                self.service.setItemData(self.service.count() - 1, f"{service.name_ar} · {service.name_en}",
                                         Qt.ItemDataRole.ToolTipRole)
        index = self.service.findData(current) if current else 0
        self.service.setCurrentIndex(max(index, 0))
        self.service.blockSignals(False)
        self.fill_staff()

    def _add_heading(self, text: str) -> None:
        """A category's name in bold that cannot be chosen (the keyboard steps over it)."""
        self.service.addItem(text, None)
        model = self.service.model()
        if isinstance(model, QStandardItemModel):
            item = model.item(self.service.count() - 1)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setAccessibleText(_("Category: {name}").format(name=text))

    def fill_staff(self) -> None:
        """ "Anyone" plus the qualified staff of the chosen service (all staff until a service is chosen)."""
        current = self.wanted_staff
        service_id = self.service_id()
        qualified = self.owner.qualified.get(service_id) if service_id else None
        members = [s for s in self.owner.staff if qualified is None or s.id in qualified]
        self.staff.blockSignals(True)
        self.staff.clear()
        self.staff.addItem(_("Anyone available"), ANYONE)
        for member in members:
            self.staff.addItem(self.owner.staff_name(member), member.id)
        index = self.staff.findData(current) if current else 0
        self.staff.setCurrentIndex(max(index, 0))
        self.staff.blockSignals(False)

    def _on_service_changed(self, _index: int) -> None:
        service_id = self.service_id()
        if service_id and service_id not in self.owner.qualified:
            self.owner.load_qualified(service_id)
        self.fill_staff()
        self.changed.emit()

    def _on_staff_changed(self, _index: int) -> None:
        self.wanted_staff = self.staff.currentData() or None
        self.changed.emit()

    def service_id(self) -> str | None:
        return self.service.currentData() if self.service.count() else None

    def staff_id(self) -> str | None:
        return self.staff.currentData() or None

    def part(self) -> Part | None:
        service = self.owner.service_by_id(self.service_id())
        if service is None:
            return None
        return Part(service.id, self.staff_id())


class ServiceRows(QWidget):
    """Rows plus an "add service" button. `parts()` is what the plan needs."""

    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.categories: tuple[Category, ...] = ()
        self.services: tuple[Service, ...] = ()
        self.staff: tuple[Staff, ...] = ()
        self.qualified: dict[str, frozenset[str]] = {}
        self.rows: list[ServiceRow] = []
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("AddService")
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add another service"))
        for row in self.rows:
            row.remove.setToolTip(_("Remove this service"))
            row.remove.setAccessibleName(_("Remove this service"))
            row.fill_services()

    def set_catalog(self, categories: Sequence[Category], staff: tuple[Staff, ...]) -> None:
        """The offered services by category (`desk.catalogue.by_category()`) and the staff."""
        standard = list(STANDARD_CATEGORIES)
        self.categories = tuple(sorted(categories, key=lambda c: (
            standard.index(c.name) if c.name in standard else len(standard), c.name)))
        self.services = tuple(s for c in self.categories for s in c.services)
        self.staff = tuple(staff)
        for row in self.rows:
            row.fill_services()

    def add_row(self, staff_id: str | None = None, focus: bool = False) -> ServiceRow:
        row = ServiceRow(self, staff_id)
        row.remove.setToolTip(_("Remove this service"))
        row.remove.setAccessibleName(_("Remove this service"))
        row.changed.connect(self.changed)
        row.remove_requested.connect(self.remove_row)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self._update_remove_buttons()
        if focus:
            row.service.setFocus()
        self.changed.emit()
        return row

    def remove_row(self, row: ServiceRow) -> None:
        if len(self.rows) <= 1:
            return
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._update_remove_buttons()
        self.rows[-1].service.setFocus()
        self.changed.emit()

    def _update_remove_buttons(self) -> None:
        for row in self.rows:
            row.remove.setEnabled(len(self.rows) > 1)

    def load_qualified(self, service_id: str) -> None:
        self.ctx.runner.db(
            self.ctx.desk.reference.qualified_staff,
            service_id,
            on_done=lambda ids: self._on_qualified(service_id, ids),
            owner=self,
        )

    def _on_qualified(self, service_id: str, staff_ids: tuple[str, ...]) -> None:
        self.qualified[service_id] = frozenset(staff_ids)
        for row in self.rows:
            if row.service_id() == service_id:
                row.fill_staff()
        self.changed.emit()

    def parts(self) -> tuple[Part, ...] | None:
        """None while a row has no service chosen."""
        parts = [part for row in self.rows if (part := row.part()) is not None]
        return None if len(parts) < len(self.rows) else tuple(parts)

    def service_by_id(self, service_id: str | None) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def service_name(self, service: Service) -> str:
        return name_in(service, self.ctx.l10n().lang)

    def staff_name(self, member: Staff) -> str:
        return name_in(member, self.ctx.l10n().lang)

    def service_label(self, service: Service) -> str:
        l10n = self.ctx.l10n()
        name = name_in(service, l10n.lang)
        n = service.duration_minutes
        minutes = ngettext("{n} minute", "{n} minutes", n).format(n=l10n.number(n))
        return f"{name} · {minutes} · {l10n.money(service.price_halalas)}"
