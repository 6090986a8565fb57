"""Screenshots of a day with a visit that finished early: docs/screenshots/finish-early-{ar,en}.png (issue 9).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_finish_early.py [OUT_DIR]

A fresh demo salon at 11:00 Riyadh on its demo day; the Moroccan bath booked 10:00-11:30 is completed now, half
an hour early, so its block ends at 11:00 and the freed booked time shows as a faint dashed outline. The day is
scrolled so the whole visit shows (the calendar opens at the current time).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 25 November 2026, 11:00 in Riyadh


def main(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from salon_desk.app import build_ui_context, demo_data_dir, open_desk
    from salon_desk.ui import i18n, theme
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.qt_runtime import prepare_qt_runtime
    from salon_desk.ui.screenshot import settle
    from salon_desk.usecases.commands import TransitionBooking

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    runtime = open_desk(demo_data_dir(NOW), clock=lambda: NOW)
    desk = runtime.desk
    visit = next(b for b in desk.calendar.day_view(desk.calendar.business_day(NOW)).blocks
                 if b.status == "in_service" and b.service_name_en == "Moroccan bath" and b.end_at > NOW)
    desk.bookings.transition(TransitionBooking(visit.booking_id, "completed"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in ("ar", "en"):
        ctx = build_ui_context(runtime)
        i18n.set_ui_language(lang, ctx.digit_style)
        theme.apply_theme(app, rtl=i18n.is_rtl())
        window = MainWindow(ctx, None, start_page="calendar")
        page = window.show_page("calendar")
        page.set_mode("day")
        window.resize(1440, 900)
        window.show()
        settle(ctx)
        page.board.scroll_to(visit.start_at + timedelta(minutes=15))
        settle(ctx)
        out = out_dir / f"finish-early-{lang}.png"
        if not window.grab().save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
        written.append(out)
        window.close()
        window.deleteLater()
        ctx.runner.shutdown()
    runtime.close()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")):
        print(path)
