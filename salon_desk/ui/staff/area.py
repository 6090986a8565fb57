"""ManagersPage: the Staff entry of the navigation holds the managers' half of the desk in three tabs:
Staff (people and their weeks), Services (the catalogue) and Salon (the owner's profile and policies)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from salon_desk.ui.catalogue.page import CataloguePage
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.salon_profile.page import SalonProfilePage

from .page import StaffPage

TABS = ("staff", "services", "salon")


class ManagersPage(QTabWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ManagersPage")
        self.staff_page = StaffPage(ctx)
        self.catalogue_page = CataloguePage(ctx)
        self.salon_page = SalonProfilePage(ctx)
        for page in (self.staff_page, self.catalogue_page, self.salon_page):
            self.addTab(page, "")
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()

    def show_tab(self, key: str) -> None:
        self.setCurrentIndex(TABS.index(key))

    def retranslate(self) -> None:
        for index, text in enumerate((_("Staff"), _("Services"), _("Salon profile"))):
            self.setTabText(index, text)

    def refresh(self) -> None:
        for page in (self.staff_page, self.catalogue_page, self.salon_page):
            page.refresh()
