"""The desk's main window: a navigation rail (on the reading side: right in Arabic, left in English), the
pages (built on first visit from the registry), the status bar and the keyboard shortcuts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_
from salon_desk.ui import i18n, theme
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text, show_error
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.names import local_name
from salon_desk.ui.pages import NAV, PAGES, BookingPage, DeskPage, InfoPage, NavEntry, PageFactory
from salon_desk.ui.status_bar import DeskStatusBar, MinuteTicker
from salon_desk.ui.window_state import (
    first_run_rect,
    restore_geometry,
    restore_splitters,
    save_geometry,
    save_splitters,
)

if TYPE_CHECKING:
    from salon_desk.usecases.views import SalonInfo

log = logging.getLogger(__name__)

RAIL_WIDTH = 216
PAGE_FAILED_STATE = N_("This page could not be opened.")
PAGE_FAILED_DETAIL = N_("The problem was recorded in the log. The other pages work as usual.")


class MainWindow(QMainWindow):
    new_booking_requested = Signal()  # Ctrl+N (also emitted as ctx.events.new_booking_requested)
    page_changed = Signal(str)  # the key of the page now shown

    def __init__(
        self,
        ctx: UiContext,
        pages: Mapping[str, PageFactory] | None = None,
        nav: tuple[NavEntry, ...] = NAV,
        start_page: str | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.ctx = ctx
        self._factories = dict(PAGES if pages is None else pages)
        self._nav = tuple(entry for entry in nav if entry.key in self._factories)
        self._pages: dict[str, QWidget] = {}
        self._salon_names: tuple[str, str] | None = None
        self._build_layout()
        self.setStatusBar(DeskStatusBar(ctx, self))
        self.ticker = MinuteTicker(ctx, self)
        self._build_shortcuts()
        ctx.events.language_changed.connect(self._on_language_changed)
        ctx.runner.task_failed.connect(self._on_task_failed)
        self.new_booking_requested.connect(ctx.events.new_booking_requested)
        ctx.events.booking_for_customer_requested.connect(self._on_booking_for_customer_requested)
        ctx.events.checkout_requested.connect(self._on_checkout_requested)
        self.retranslate()
        self.show_page(start_page or self._nav[0].key)
        self._focus_page()  # start in the work area; Tab/Shift+Tab reach the rail
        self._load_salon_name()

    # -- layout -------------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.rail = named(QFrame(), "NavRail")
        self.rail.setFixedWidth(RAIL_WIDTH)
        self.salon_label = named(QLabel(wordWrap=True), "SalonName")
        self.nav_list = named(QListWidget(), "NavList")
        self.nav_list.setIconSize(QSize(22, 22))
        self.nav_list.setFrameShape(QFrame.Shape.NoFrame)
        self.nav_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for entry in self._nav:
            item = QListWidgetItem(theme.icon(entry.icon, theme.TEXT_MUTED), "")
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setSizeHint(QSize(RAIL_WIDTH - 16, 44))
            self.nav_list.addItem(item)
        self.nav_list.currentRowChanged.connect(self._on_nav_row_changed)
        rail_layout = QVBoxLayout(self.rail)
        rail_layout.setContentsMargins(0, 0, 0, 8)
        rail_layout.addWidget(self.salon_label)
        rail_layout.addWidget(self.nav_list, 1)
        self.stack = named(QStackedWidget(), "PageStack")
        central = QWidget()
        row = QHBoxLayout(central)  # mirrors with the layout direction: the rail sits on the reading side
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.rail)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_shortcuts(self) -> None:
        bindings: dict[str, Callable[[], None]] = {
            "Ctrl+N": self._on_new_booking_shortcut,
            "Ctrl+F": self._on_search_shortcut,
            "Ctrl+T": self._on_today_shortcut,
            "Home": self._on_today_shortcut,
            "Ctrl+PgUp": lambda: self._step_day(-1),
            "Ctrl+PgDown": lambda: self._step_day(+1),
            "Alt+Left": lambda: self._on_arrow_shortcut(Qt.Key.Key_Left),
            "Alt+Right": lambda: self._on_arrow_shortcut(Qt.Key.Key_Right),
        }
        for entry in self._nav:
            bindings[entry.shortcut] = partial(self._on_page_shortcut, entry.key)
        self.shortcuts: dict[str, QShortcut] = {}
        for sequence, handler in bindings.items():
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(handler)
            self.shortcuts[sequence] = shortcut

    # -- size and place -----------------------------------------------------------------------------------
    def show_restored(self) -> None:
        """Shows the window where this user left it; the first time, maximized over a sensible size on the
        screen's available area (what "restore down" returns to)."""
        if not restore_geometry(self.ctx, "main", self):
            self.setGeometry(first_run_rect(self))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        self.show()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        save_geometry(self.ctx, "main", self)
        for key, page in self._pages.items():
            save_splitters(self.ctx, key, page)
        super().closeEvent(event)

    # -- pages --------------------------------------------------------------------------------------------
    @property
    def current_key(self) -> str:
        item = self.nav_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def page(self, key: str) -> QWidget | None:
        """The page if it was built already (pages are built on first visit)."""
        return self._pages.get(key)

    def show_page(self, key: str) -> QWidget:
        keys = [entry.key for entry in self._nav]
        self.nav_list.setCurrentRow(keys.index(key))  # builds and shows the page via _on_nav_row_changed
        return self._pages[key]

    def install_pages(self, pages: Mapping[str, PageFactory]) -> None:
        """Cold start: the window was painted with empty pages before the database opened (app.show_shell);
        the real pages replace them, the current one is built now (the rest on first visit), and the salon's
        name loads. The rail keeps its entries: `pages` has a factory for each."""
        self._factories = {**self._factories, **pages}
        for page in self._pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self._on_nav_row_changed(self.nav_list.currentRow())
        self._focus_page()
        self._load_salon_name()

    def _on_nav_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self._nav[row].key
        page = self._pages.get(key) or self._build_page(key)
        self.stack.setCurrentWidget(page)
        self.page_changed.emit(key)

    def _build_page(self, key: str) -> QWidget:
        try:
            page = self._factories[key](self.ctx)
        except Exception as exc:  # noqa: BLE001 - one broken page must not take the desk down
            log.error("building page %s failed", key, exc_info=exc)
            page = InfoPage(key, PAGE_FAILED_STATE, PAGE_FAILED_DETAIL)
            self._status_bar().show_error_message(error_text(exc))
        page.setProperty("page_key", key)
        restore_splitters(self.ctx, key, page)
        self._pages[key] = page
        self.stack.addWidget(page)
        return page

    def _focus_page(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        page = self.stack.currentWidget()
        if page is not None:
            page.setFocus(reason)

    # -- shortcuts ----------------------------------------------------------------------------------------
    def _on_page_shortcut(self, key: str) -> None:
        self.show_page(key)
        self._focus_page(Qt.FocusReason.ShortcutFocusReason)

    def _on_new_booking_shortcut(self) -> None:
        if "calendar" in self._factories:
            self.show_page("calendar")
        self.new_booking_requested.emit()

    def _on_booking_for_customer_requested(self, customer_id: str) -> None:
        """"New booking" from a customer's profile: the calendar opens the dialog with them chosen."""
        page = self.show_page("calendar")
        if isinstance(page, BookingPage):
            page.open_booking_dialog(customer_id=customer_id)

    def _on_checkout_requested(self, booking_id: str) -> None:
        """"Checkout" on a booking in the calendar: the checkout page opens that visit's bill."""
        if "checkout" not in self._factories:
            return
        page = self.show_page("checkout")
        open_for_booking = getattr(page, "open_for_booking", None)
        if open_for_booking is not None:
            open_for_booking(booking_id)

    def _on_search_shortcut(self) -> None:
        if "customers" in self._factories:
            self.show_page("customers")
        self.ctx.events.customer_search_requested.emit()

    def _on_today_shortcut(self) -> None:
        if "calendar" in self._factories:
            self.show_page("calendar")
        self.ctx.events.today_requested.emit()

    def _on_arrow_shortcut(self, key: Qt.Key) -> None:
        """Alt+arrow follows the reading direction: in Arabic the previous day is to the right."""
        towards_start = (key == Qt.Key.Key_Left) != i18n.is_rtl()
        self._step_day(-1 if towards_start else +1)

    def _step_day(self, delta: int) -> None:
        if "calendar" in self._factories:
            self.show_page("calendar")
        self.ctx.events.day_step_requested.emit(delta)

    # -- language, salon name, failures -------------------------------------------------------------------
    def retranslate(self) -> None:
        for row, entry in enumerate(self._nav):
            item = self.nav_list.item(row)
            item.setText(_(entry.title))
            item.setToolTip(f"{_(entry.title)} ({entry.shortcut})")
        self._show_salon_name()
        self._status_bar().retranslate()

    def _on_language_changed(self, _lang: str) -> None:
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.setFont(theme.ui_font(i18n.is_rtl()))
        self.retranslate()
        for key, page in self._pages.items():
            if not isinstance(page, DeskPage):
                log.warning("page %s is not a DeskPage (no retranslate/refresh)", key)
                continue
            try:
                page.retranslate()
            except Exception as exc:  # noqa: BLE001 - the other pages still switch language
                log.error("page %s failed to retranslate", key, exc_info=exc)

    def _load_salon_name(self) -> None:
        if self.ctx.has_desk:
            self.ctx.runner.db(self.ctx.desk.reference.salon_info, on_done=self._on_salon_info_loaded, owner=self)

    def _on_salon_info_loaded(self, info: SalonInfo) -> None:
        self._salon_names = (info.name_ar, info.name_en)
        self._show_salon_name()

    def _show_salon_name(self) -> None:
        name_ar, name_en = self._salon_names or ("", "")
        name = local_name(name_ar, name_en, i18n.current_language())
        self.salon_label.setText(name or _("Salon Desk"))
        self.setWindowTitle(f"{name} — {_('Salon Desk')}" if name else _("Salon Desk"))

    def _on_task_failed(self, exc: BaseException) -> None:
        """A background job failed and its caller gave no handler: a refusal goes to the status bar, anything
        unexpected to a dialog with details."""
        if isinstance(exc, DomainError):
            self._status_bar().show_error_message(error_text(exc))
        else:
            self._status_bar().show_error_message(error_text(exc))
            show_error(self, exc)

    def _status_bar(self) -> DeskStatusBar:
        bar = self.statusBar()
        assert isinstance(bar, DeskStatusBar)
        return bar
