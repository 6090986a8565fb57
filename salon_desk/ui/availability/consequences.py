"""ConsequencesDialog: the bookings a change would leave outside working hours, shown before saving; for
each the manager chooses: keep it as an exception, move it to someone free then, or cancel and notify the
customer. Nothing is saved until every booking has a choice (the dialog starts each on "keep")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.scheduling.consequences import Settlement
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.named import named
from salon_desk.ui.names import local_name
from salon_desk.usecases.availability import AffectedBooking, Settle


def load_choices(desk: object, affected: Sequence[AffectedBooking]) -> dict[str, list[str]]:
    """On the DB lane: who is free for each affected booking (to offer "move to ...")."""
    area = desk.availability  # type: ignore[attr-defined]
    return {a.item_id: area.free_staff(a.item_id, a.booking_id) for a in affected}


class ConsequencesDialog(QDialog):
    def __init__(self, affected: Sequence[AffectedBooking], free: Mapping[str, list[str]],
                 staff_name: Callable[[str], str], lang: str, timezone: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConsequencesDialog")
        self.setWindowTitle(_("Bookings that no longer fit"))
        self.affected = list(affected)
        zone = ZoneInfo(timezone)
        intro = named(QLabel(wordWrap=True), "PageSubtitle")
        intro.setText(ngettext(
            "This change leaves {n} booking outside working hours. Choose what happens to it before saving.",
            "This change leaves {n} bookings outside working hours. Choose what happens to each before saving.",
            len(self.affected)).format(n=len(self.affected)))
        self.table = QTableWidget(len(self.affected), 4, self)
        self.table.setObjectName("ConsequencesTable")
        self.table.setHorizontalHeaderLabels([_("When"), _("Customer"), _("Service"), _("What happens")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.choices: list[QComboBox] = []
        for row, a in enumerate(self.affected):
            start = a.start_at.astimezone(zone)
            self.table.setItem(row, 0, QTableWidgetItem(f"{start:%Y-%m-%d %H:%M}"))
            self.table.setItem(row, 1, QTableWidgetItem(a.customer_name))
            self.table.setItem(row, 2, QTableWidgetItem(local_name(a.service_name_ar, a.service_name_en, lang)))
            box = QComboBox()
            box.addItem(_("Keep it as an exception"), (Settlement.KEEP.value, None))
            for staff_id in free.get(a.item_id, []):
                box.addItem(_("Move to {name}").format(name=staff_name(staff_id)), (Settlement.MOVE.value, staff_id))
            box.addItem(_("Cancel and notify the customer"), (Settlement.CANCEL.value, None))
            self.table.setCellWidget(row, 3, box)
            self.choices.append(box)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def settlements(self) -> dict[str, Settle]:
        out = {}
        for a, box in zip(self.affected, self.choices, strict=True):
            choice, staff_id = box.currentData()
            out[a.item_id] = Settle(Settlement(choice), staff_id, _("Working hours changed"))
        return out
