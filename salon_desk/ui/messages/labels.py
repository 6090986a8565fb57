"""How the desk names a customer message and its delivery status (the booking tooltip's "messages" line).

The cloud owns the `notification` rows; the desk only shows them.
"""

from __future__ import annotations

from salon_desk.domain.i18n import N_
from salon_desk.ui.i18n import _

EVENT_LABELS = {
    "booking_created": N_("Booking received"),
    "booking_confirmed": N_("Booking confirmed"),
    "booking_rescheduled": N_("Appointment moved"),
    "booking_cancelled": N_("Booking cancelled"),
    "reminder_24h": N_("Reminder (a day before)"),
    "reminder_2h": N_("Reminder (2 hours before)"),
    "payment_link": N_("Payment link"),
    "receipt": N_("Receipt"),
}
STATUS_LABELS = {
    "pending": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("not sent yet, will retry"),
    "dead": N_("could not be delivered"),
    "skipped": N_("not sent (no longer needed)"),
}
MESSAGE_LINE = N_("Customer message: {event}, {status}")


def message_line(event: str, status: str) -> str:
    """e.g. "Customer message: Booking confirmed, sent"; unknown values are shown as they are."""
    event_text = _(EVENT_LABELS[event]) if event in EVENT_LABELS else event
    status_text = _(STATUS_LABELS[status]) if status in STATUS_LABELS else status
    return _(MESSAGE_LINE).format(event=event_text, status=status_text)
