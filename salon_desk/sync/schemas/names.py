"""The mutations' names: one enum for the desk's use cases, the shared schemas and the cloud's handlers.

The values are the wire strings (unchanged since rules version 1, including the historical `walkin.seat`
beside `walk_in.create`); a StrEnum member compares and serialises as its string, so rows already in an
outbox and mutations from older desks keep matching.
"""

from __future__ import annotations

from enum import StrEnum


class MutationName(StrEnum):
    BOOKING_CREATE = "booking.create"
    BOOKING_RESCHEDULE = "booking.reschedule"
    BOOKING_TRANSITION = "booking.transition"
    BOOKING_CANCEL = "booking.cancel"
    BOOKING_PATCH_NOTES = "booking.patch_notes"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_PATCH = "customer.patch"
    WALK_IN_CREATE = "walk_in.create"
    WALK_IN_PATCH = "walk_in.patch"
    WALK_IN_SEAT = "walkin.seat"
    WAITLIST_CREATE = "waitlist_entry.create"
    WAITLIST_PATCH = "waitlist_entry.patch"
    CONFLICT_RESOLVE = "conflict.resolve"
    CHECKOUT_SAVE = "checkout.save"  # issue #11: a bill's lines, discounts and status (open, paid, invoiced, void)
    PAYMENT_RECORD = "payment.record"  # a tender taken at the desk (cash, card terminal, paid Moyasar link)
    INVOICE_ISSUE = "invoice.issue"  # an issued simplified tax invoice, numbered by the desk, never renumbered
    CREDIT_NOTE_ISSUE = "credit_note.issue"  # a credit note and the refunds paid back with it
    REFUND_RECORD = "refund.record"  # a refund without a credit note (voiding a bill before its invoice)
    DAILY_CLOSE_RECORD = "daily_close.record"  # a desk drawer's close of one business day
    DESK_USER_CREATE = "desk_user.create"  # issue #10: desk users replicated to every desk of the salon
    DESK_USER_PATCH = "desk_user.patch"  # name, role, PIN hash, active (revoked)
    STAFF_CREATE = "staff.create"  # issue #10: staff, services catalogue, availability, salon profile
    STAFF_PATCH = "staff.patch"
    STAFF_SET_SERVICES = "staff.set_services"  # the whole list of services one person performs
    AVAILABILITY_SET_WEEK = "availability.set_week"  # one person's whole weekly hours
    SERVICE_CREATE = "service.create"
    SERVICE_PATCH = "service.patch"
    EXCEPTION_CREATE = "availability_exception.create"  # time off, sick day, break, extra shift
    EXCEPTION_DELETE = "availability_exception.delete"
    SALON_PATCH = "salon.patch"  # the salon profile and policies (owner)
