"""Child process for the cold-start benchmark: starts either the desk on a data folder, through the same start
path as `salon-desk` (app.show_shell, then app.open_desk and app.open_into), or a bare PySide6 window with one
table. Prints the wall-clock instants of the first paint and, for the desk, of the usable day view (the day's
bookings loaded from the DB lane and painted), with the resident memory and whether SQLAlchemy was already
imported at the first paint (it must not be)."""

from __future__ import annotations

import os
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

    app = QApplication([])
    table = QTableWidget(30, 8)
    for r in range(30):
        for c in range(8):
            table.setItem(r, c, QTableWidgetItem(f"{r}:{c}"))
    screen = app.primaryScreen()
    table.setGeometry(screen.availableGeometry())  # the area the desk's first-run window covers
    table.show()
    table.grab()
    print(f"painted_at={time.time():.6f} rss_mb={_rss_mb():.1f}")


def desk(data_dir: str) -> None:
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from salon_desk.app import open_desk, open_into, show_shell

    app = QApplication([])
    ctx, window = show_shell(app)
    window.grab()
    painted_at = time.time()
    orm_at_paint = int("sqlalchemy" in sys.modules or "salon_desk.store" in sys.modules)
    from salon_desk.ui.screenshot import settle

    runtime = open_desk(Path(data_dir))
    open_into(ctx, window, runtime)
    settle(ctx)  # the day view's data arrives from the DB lane
    window.grab()
    usable_at = time.time()
    page = window.page("calendar")
    blocks = len(page.scene.block_items()) if page is not None and hasattr(page, "scene") else -1
    print(f"painted_at={painted_at:.6f} usable_at={usable_at:.6f} rss_mb={_rss_mb():.1f} "
          f"orm_at_paint={orm_at_paint} blocks={blocks}")
    ctx.runner.shutdown()
    runtime.close()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    desk(sys.argv[2]) if sys.argv[1] == "desk" else bare()
