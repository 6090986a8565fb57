"""The day calendar, the week view and the booking dialog.

Import the Qt parts from their modules (`day_view.CalendarPage`, `booking_dialog.BookingDialog`); this
package itself imports no Qt so that `geometry` stays importable without Qt.
"""

from salon_desk.ui.qt_runtime import keep_none_alive

keep_none_alive()  # see qt_runtime: PySide6 6.12 on Python 3.11 would otherwise abort the app
