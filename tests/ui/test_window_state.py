"""The main window opens maximized the first time and afterwards where each user left it, splitters too."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QSplitter

from salon_desk.ui.context import DeskEvents, SignedInUser, UiContext
from salon_desk.ui.main_window import MainWindow


def open_window(qtbot, ctx: UiContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show_restored()
    qtbot.waitExposed(window)
    return window


def context_for(ctx: UiContext, settings: QSettings, user: str) -> UiContext:
    return UiContext(ctx.desk, ctx.runner, DeskEvents(), now=ctx.now, user=SignedInUser(user, "receptionist"),
                     settings=settings)


def test_first_run_is_maximized_over_a_size_that_fits_the_screen(qtbot, ui_context) -> None:
    window = open_window(qtbot, ui_context)
    assert window.isMaximized()
    window.showNormal()
    available = window.screen().availableGeometry()  # the offscreen screen is 800 x 800
    assert available.contains(window.geometry().topLeft())
    wanted = QSize(int(available.width() * 0.9), int(available.height() * 0.9))
    assert window.size() == wanted.expandedTo(window.minimumSizeHint())  # never below what the pages need


def test_geometry_and_splitters_saved_on_close_come_back_on_the_next_open(qtbot, ui_context, ui_settings) -> None:
    window = open_window(qtbot, ui_context)
    window.showNormal()
    window.setGeometry(60, 40, 700, 520)
    page = window.show_page("customers")
    splitter = page.findChild(QSplitter, "CustomersSplit")
    splitter.setSizes([200, 460])
    sizes = splitter.sizes()
    geometry = window.geometry()
    window.close()

    reopened_settings = QSettings(ui_settings.fileName(), QSettings.Format.IniFormat)
    again = open_window(qtbot, context_for(ui_context, reopened_settings, ui_context.user.name))
    assert not again.isMaximized()
    assert again.geometry().size() == geometry.size()
    assert again.show_page("customers").findChild(QSplitter, "CustomersSplit").sizes() == sizes

    other = open_window(qtbot, context_for(ui_context, reopened_settings, "Hind"))  # another receptionist
    assert other.isMaximized()
