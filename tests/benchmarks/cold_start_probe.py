"""Child process for the cold-start benchmark: starts either the desk on a data folder or a bare PySide6
window with one table, paints once, and prints the wall-clock instant of that first paint and its RSS."""

from __future__ import annotations

import os
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _report(app) -> None:  # type: ignore[no-untyped-def]
    print(f"painted_at={time.time():.6f} rss_mb={_rss_mb():.1f}")
    app.quit()


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

    app = QApplication([])
    table = QTableWidget(30, 8)
    for r in range(30):
        for c in range(8):
            table.setItem(r, c, QTableWidgetItem(f"{r}:{c}"))
    table.resize(1440, 900)
    table.show()
    table.grab()
    _report(app)


def desk(data_dir: str) -> None:
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from salon_desk.app import build_ui_context, open_desk
    from salon_desk.ui import i18n, theme
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.screenshot import settle

    app = QApplication([])
    runtime = open_desk(Path(data_dir))
    ctx = build_ui_context(runtime)
    i18n.set_ui_language("ar")
    theme.apply_theme(app, rtl=True)
    window = MainWindow(ctx)
    window.resize(1440, 900)
    window.show()
    settle(ctx)  # the day view's data arrives from the DB lane
    window.grab()
    _report(app)
    ctx.runner.shutdown()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    desk(sys.argv[2]) if sys.argv[1] == "desk" else bare()
