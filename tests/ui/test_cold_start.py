"""The desk's start path: the window's frame is painted before SQLAlchemy or the store are imported, then the
opened desk's real pages replace the empty ones and the calendar shows the day (issue 9, "Cold start").
The timing itself is measured by tests/benchmarks/test_desk_start_bench.py; nothing here is timed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from salon_desk.app import open_desk, open_into, show_shell
from salon_desk.ui.screenshot import settle
from tests.conftest import FixedClock

SHELL_ONLY = """
import sys
from PySide6.QtWidgets import QApplication
from salon_desk.app import show_shell
app = QApplication([])
ctx, window = show_shell(app)
window.grab()
loaded = sorted(m for m in ("sqlalchemy", "alembic", "salon_desk.store", "salon_desk.usecases") if m in sys.modules)
print("visible" if window.isVisible() else "hidden", window.current_key, ",".join(loaded) or "-")
ctx.runner.shutdown()
"""


def test_the_shell_is_painted_before_the_store_and_the_orm_are_imported(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", SHELL_ONLY], capture_output=True, text=True, env=env, timeout=120,
                         check=True)
    assert out.stdout.split() == ["visible", "calendar", "-"]


def test_the_opened_desk_replaces_the_empty_pages_and_shows_the_day(qapp, demo_db: Path, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "salon-desk.ini"), QSettings.Format.IniFormat)
    ctx, window = show_shell(qapp, settings=settings)
    runtime = None
    try:
        shell_page = window.page("calendar")
        assert shell_page is not None and shell_page.objectName() == "StartingPage"
        assert not ctx.has_desk  # nothing of the database yet

        runtime = open_desk(demo_db.parent, clock=FixedClock())
        open_into(ctx, window, runtime)
        settle(ctx)

        page = window.page("calendar")
        assert page is not None and page is not shell_page and page.objectName() != "StartingPage"
        assert window.stack.currentWidget() is page and window.current_key == "calendar"
        assert len(page.scene.block_items()) > 0  # the demo salon's bookings on DEMO_NOW's day
        assert ctx.user is not None and ctx.timezone == "Asia/Riyadh"
        window.show_page("customers")  # the other pages are the real ones too, built on first visit
        assert window.page("customers").objectName() != "StartingPage"
        settle(ctx)
    finally:
        ctx.runner.shutdown()
        window.close()
        if runtime is not None:
            runtime.close()
