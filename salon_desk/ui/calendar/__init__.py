"""The day calendar, the week view and the booking dialog.

Import the Qt parts from their modules (`day_view.CalendarPage`, `booking_dialog.BookingDialog`); this
package itself imports nothing so that `geometry` stays importable without Qt.
"""
