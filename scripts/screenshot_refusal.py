"""Screenshots of a refused booking that names everything in the way: docs/screenshots/refusal-{ar,en}.png (issue 9).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_refusal.py [OUT_DIR]

A fresh demo salon at 10:00 Riyadh on its demo day (a fixed instant, never the real clock). The booking dialog
opens on Sara at 15:00 with styling (60 minutes and 10 of cleanup) for a customer: Sara is with Grace Dubois
14:45-15:15 and on a break 16:00-16:30, so the dialog refuses the time and names both.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # Wednesday 25 November 2026, 10:00 in Riyadh
START = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
STAFF, SERVICE = "Sara", "Styling"


def main(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    from salon_desk.app import build_ui_context, demo_data_dir, open_desk
    from salon_desk.ui import i18n, theme
    from salon_desk.ui.calendar.booking_dialog import BookingDialog
    from salon_desk.ui.qt_runtime import prepare_qt_runtime
    from salon_desk.ui.screenshot import settle

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    runtime = open_desk(demo_data_dir(NOW), clock=lambda: NOW)
    desk = runtime.desk
    staff = next(s for s in desk.reference.staff() if s.name_en == STAFF)
    service = next(s for s in desk.reference.services() if s.name_en == SERVICE)
    customer = desk.customers.search("", limit=1)[0]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in ("ar", "en"):
        ctx = build_ui_context(runtime)
        i18n.set_ui_language(lang, ctx.digit_style)
        theme.apply_theme(app, rtl=i18n.is_rtl())
        dialog = BookingDialog(ctx, staff_id=staff.id, start_at=START)
        dialog.show()
        settle(ctx)  # the catalogue fills the service and staff choices
        dialog.customer.choose(customer)
        combo = dialog.services.rows[0].service
        combo.setCurrentIndex(combo.findData(service.id))
        # The store's verdict arrives after the dialog's short pause in typing: wait for the refusal itself.
        deadline = QDeadlineTimer(15_000)
        while not (dialog.problems.isVisible() and "Grace Dubois" in dialog.problems.text()):
            if deadline.hasExpired():
                raise TimeoutError(f"no refusal shown ({lang}): {dialog.problems.text()!r}")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            ctx.runner.wait_idle(100)
        settle(ctx)  # as the receptionist sees it: no adjustSize(), the dialog grows itself for a longer refusal
        out = out_dir / f"refusal-{lang}.png"
        if not dialog.grab().save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
        written.append(out)
        dialog.close()
        dialog.deleteLater()
        ctx.runner.shutdown()
    runtime.close()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")):
        print(path)
