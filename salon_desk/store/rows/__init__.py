"""SQLAlchemy rows of the desk database. Rows never leave the store: repositories return domain objects."""

from .base import Base, Replicated
from .bookings import BookingItemRow, BookingRow
from .money import (
    CheckoutRow,
    CreditNoteRow,
    DailyCloseItemRow,
    DailyCloseRow,
    InvoiceCounterRow,
    InvoiceRow,
    PaymentRow,
    RefundRow,
)
from .online_payments import OnlinePaymentRow
from .people import CustomerRow, WaitlistEntryRow, WalkInRow
from .reference import (
    AvailabilityExceptionRow,
    AvailabilityRuleRow,
    DeskUserRow,
    PinAttemptRow,
    SalonRow,
    ServiceRow,
    StaffRow,
    StaffServiceRow,
)
from .salon_audit import AuditDeskRow, SalonAuditEventRow  # the other desks' audit events (#10)
from .sync import AuditEventRow, NotificationRow, OutboxRow, SupersededEditRow, SyncConflictRow, SyncStateRow

__all__ = [
    "AuditDeskRow", "SalonAuditEventRow",  # issue #10: the other desks' audit events
    "AuditEventRow", "AvailabilityExceptionRow", "AvailabilityRuleRow", "Base", "BookingItemRow", "BookingRow",
    "CheckoutRow", "DailyCloseItemRow", "DailyCloseRow",
    "CreditNoteRow", "CustomerRow", "DeskUserRow", "InvoiceCounterRow", "InvoiceRow", "NotificationRow",
    "OnlinePaymentRow", "OutboxRow", "PaymentRow", "PinAttemptRow", "RefundRow", "Replicated", "SalonRow", "ServiceRow", "StaffRow",
    "StaffServiceRow", "SupersededEditRow", "SyncConflictRow", "SyncStateRow", "WaitlistEntryRow", "WalkInRow",
]

# Replicated entity name (as on the wire) -> row class.
REPLICATED = {
    "salon": SalonRow, "staff": StaffRow, "service": ServiceRow, "staff_service": StaffServiceRow,
    "availability_rule": AvailabilityRuleRow, "availability_exception": AvailabilityExceptionRow,
    "desk_user": DeskUserRow, "customer": CustomerRow, "booking": BookingRow, "booking_item": BookingItemRow,
    "walk_in": WalkInRow, "waitlist_entry": WaitlistEntryRow, "payment": PaymentRow, "refund": RefundRow,
    "invoice": InvoiceRow, "credit_note": CreditNoteRow, "notification": NotificationRow,
    "sync_conflict": SyncConflictRow, "superseded_edit": SupersededEditRow,
    "checkout": CheckoutRow, "daily_close": DailyCloseRow,
    "online_payment": OnlinePaymentRow,  # issue #12: cloud-owned, read-only here
}
