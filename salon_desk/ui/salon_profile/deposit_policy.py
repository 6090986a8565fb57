"""The salon's deposit policy as the owner chooses it (issue #12): one combo box per case, offering exactly the
choices domain.deposit_policy allows; the audit trail names the fields and choices with the same words."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from salon_desk.domain.deposit_policy import PROFILE_FIELDS, DepositAction, choices_for
from salon_desk.domain.i18n import N_
from salon_desk.ui.i18n import _

FIELD_LABELS = {
    "deposit_on_cancel": N_("Deposit if cancelled before the cutoff"),
    "deposit_on_late_cancel": N_("Deposit if cancelled after the cutoff"),
    "deposit_on_no_show": N_("Deposit on a no-show"),
    "deposit_on_reschedule": N_("Deposit when rescheduled"),
}
ACTION_LABELS = {
    DepositAction.REFUND: N_("Refund it"),
    DepositAction.KEEP: N_("Keep it (no refund)"),
    DepositAction.CARRY_OVER: N_("Carry it over to the new time"),
}
ORDER = (DepositAction.REFUND, DepositAction.KEEP, DepositAction.CARRY_OVER)


class DepositChoiceBox(QComboBox):
    """The choices of one of domain.deposit_policy.PROFILE_FIELDS; currentData() is the stored value."""

    def __init__(self, field: str) -> None:
        super().__init__()
        assert field in PROFILE_FIELDS
        self.field = field
        self.setObjectName(field)
        self.retranslate()

    def retranslate(self) -> None:
        current = self.currentData()
        self.clear()
        for action in ORDER:
            if action in choices_for(self.field):
                self.addItem(_(ACTION_LABELS[action]), action.value)
        self.select(current)

    def select(self, value: str | None) -> None:
        if value is not None:
            self.setCurrentIndex(max(0, self.findData(str(value))))

    def value(self) -> str:
        return str(self.currentData())
