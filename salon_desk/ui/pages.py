"""The page registry: which areas the navigation shows, and how each page is built.

`PAGES` maps a key to a factory `factory(ctx) -> QWidget`. Feature pages are imported lazily, so a build
without a feature still starts and says so honestly. Areas planned for later versions show what they will do.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from salon_desk.domain.i18n import N_
from salon_desk.ui import theme
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named

log = logging.getLogger(__name__)

PageFactory = Callable[[UiContext], QWidget]


@runtime_checkable
class DeskPage(Protocol):
    """What every page in the main window offers (checked with `isinstance`, pages stay QWidgets)."""

    def retranslate(self) -> None:
        """Sets every visible text again in the current UI language (after `language_changed`)."""

    def refresh(self) -> None:
        """Loads its data again from the desk (on the DB lane); the page shows the answer when it arrives."""


@runtime_checkable
class BookingPage(Protocol):
    """A page that can open the booking dialog (the calendar): the shell's Ctrl+N and a profile's "New booking"."""

    def open_booking_dialog(self, staff_id: str | None = None, start_at: datetime | None = None,
                            customer_id: str | None = None) -> object: ...


@dataclass(frozen=True, slots=True)
class NavEntry:
    key: str
    title: str  # English source, translated at display time
    icon: str  # resources/icons/<icon>.svg
    shortcut: str  # QKeySequence text


NAV: tuple[NavEntry, ...] = (
    NavEntry("calendar", N_("Calendar"), "calendar", "F1"),
    NavEntry("walkins", N_("Walk-ins"), "walkins", "F2"),
    NavEntry("customers", N_("Customers"), "customers", "F3"),
    NavEntry("conflicts", N_("Conflicts"), "alert", "F8"),
    NavEntry("staff", N_("Staff"), "staff", "F4"),
    NavEntry("checkout", N_("Checkout"), "checkout", "F5"),
    NavEntry("reports", N_("Reports"), "reports", "F6"),
    NavEntry("audit", N_("Audit trail"), "info", "F10"),
    NavEntry("settings", N_("Settings"), "settings", "F7"),
)
NAV_BY_KEY = {entry.key: entry for entry in NAV}


class InfoPage(QWidget):
    """A page that explains itself: the area's icon and title, a one-line state and a description."""

    def __init__(self, key: str, state: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"InfoPage_{key}")
        self.key = key
        self._state_source, self._description_source = state, description
        self.icon_label = QLabel()
        entry = NAV_BY_KEY.get(key)
        if entry is not None:
            self.icon_label.setPixmap(theme.icon(entry.icon, theme.ACCENT).pixmap(48, 48))
        self.title_label = named(QLabel(), "PageTitle")
        self.state_label = named(QLabel(wordWrap=True), "InfoState")
        self.description_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.description_label.setTextFormat(Qt.TextFormat.PlainText)
        card = named(QFrame(), "Card")
        card.setFixedWidth(640)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(28, 24, 28, 28)
        card_layout.setSpacing(10)
        for label in (self.icon_label, self.title_label, self.state_label, self.description_label):
            card_layout.addWidget(label)
        # Stretches (not alignment flags) place the card, so its wrapped labels get their full height.
        row = QHBoxLayout()
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 36, 40, 36)
        layout.addLayout(row)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        entry = NAV_BY_KEY.get(self.key)
        self.title_label.setText(_(entry.title) if entry is not None else self.key)
        self.state_label.setText(_(self._state_source))
        self.description_label.setText(_(self._description_source))

    def refresh(self) -> None:
        """Nothing to load."""


COMING_LATER: dict[str, str] = {
    "staff": N_(
        "Here managers will add staff members, choose which services each person performs, "
        "and set working hours, breaks and time off."
    ),
    "checkout": N_(
        "Here the desk will take payment in cash, by card (mada) or by payment link, "
        "and print simplified tax invoices and receipts."
    ),
    "reports": N_(
        "Here managers will see the daily close, sales and VAT, no-shows and how busy each staff member is."
    ),
}
COMING_LATER_STATE = N_("Coming in a later version.")
NOT_AVAILABLE_STATE = N_("This area is not available in this version of Salon Desk.")
NOT_AVAILABLE_DETAIL = N_(
    "The rest of the desk works as usual. Please ask your administrator to install the full version."
)


def coming_later_page(key: str) -> PageFactory:
    return lambda ctx: InfoPage(key, COMING_LATER_STATE, COMING_LATER[key])


def lazy_page(key: str, module: str, attribute: str) -> PageFactory:
    """Imports `module.attribute` on first use. Only a missing feature module means "not in this version";
    an import error inside an installed module is a bug and is raised."""

    def build(ctx: UiContext) -> QWidget:
        try:
            page_class = getattr(importlib.import_module(module), attribute)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
            log.warning("page %s is not available: %s", key, exc)
            return InfoPage(key, NOT_AVAILABLE_STATE, NOT_AVAILABLE_DETAIL)
        page = page_class(ctx)
        if not isinstance(page, QWidget):
            raise TypeError(f"{module}.{attribute} built {type(page).__name__}, not a page widget")
        return page

    return build


def _settings_page(ctx: UiContext) -> QWidget:
    from salon_desk.ui.settings_page import SettingsPage

    return SettingsPage(ctx)


# Demo mode only (`salon-desk --demo`): the embedded cloud's console messages, links clickable.
MESSAGES_NAV = NavEntry("messages", N_("Messages"), "info", "F9")


def with_demo_messages(
    pages: dict[str, PageFactory], nav: tuple[NavEntry, ...], cloud_url: str
) -> tuple[dict[str, PageFactory], tuple[NavEntry, ...]]:
    def messages(ctx: UiContext) -> QWidget:
        from salon_desk.ui.messages.panel import MessagesPanel

        return MessagesPanel(ctx, cloud_url)

    return {**pages, MESSAGES_NAV.key: messages}, (*nav, MESSAGES_NAV)


PAGES: dict[str, PageFactory] = {
    "calendar": lazy_page("calendar", "salon_desk.ui.calendar.day_view", "CalendarPage"),
    "walkins": lazy_page("walkins", "salon_desk.ui.walkins.page", "WalkInsPage"),
    "customers": lazy_page("customers", "salon_desk.ui.customers.page", "CustomersPage"),
    "conflicts": lazy_page("conflicts", "salon_desk.ui.conflicts.page", "ConflictsPage"),
    "staff": lazy_page("staff", "salon_desk.ui.staff.area", "ManagersPage"),  # issue #10
    "checkout": lazy_page("checkout", "salon_desk.ui.checkout.page", "CheckoutPage"),
    "reports": coming_later_page("reports"),
    "audit": lazy_page("audit", "salon_desk.ui.audit.page", "AuditPage"),
    "settings": _settings_page,
}
