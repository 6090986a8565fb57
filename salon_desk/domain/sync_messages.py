"""Codes of the shared mutation schemas (salon_desk/sync/schemas.py) and the mutations' names, for the edges.

They live in the domain so the desk (Localizer.message) and the cloud (cloud/i18n.translate falls back to
the domain table) translate a refused mutation's code the same way.
"""

from __future__ import annotations

from .i18n import N_

MESSAGES = {
    "sync.invalid_args": N_("This change holds a value the server cannot accept ({field}); it was not applied."),
    "sync.forbidden_field": N_("This desk may not change {fields}."),
    "sync.unknown_mutation": N_("This desk version sends a change the server does not know."),
    "sync.cloud_owned": N_("Only the cloud may change {entity}; this change from a desk was refused."),
    "sync.invalid_row": N_("A stored record holds a value the server cannot read ({field})."),
    "sync.quarantined": N_("This booking held values the server could not read; it was set aside for review."),
}

# A mutation's name as people read it (conflict cards, sync details), keyed by its wire name: one entry per
# `salon_desk.sync.schemas.names.MutationName` (the domain may not import it; tests/unit/test_mutation_names.py
# checks that the two agree).
MUTATION_LABELS = {
    "booking.create": N_("New booking"),
    "booking.reschedule": N_("Booking moved"),
    "booking.transition": N_("Booking status changed"),
    "booking.cancel": N_("Booking cancelled"),
    "booking.patch_notes": N_("Booking notes edited"),
    "customer.create": N_("New customer"),
    "customer.patch": N_("Customer edited"),
    "walk_in.create": N_("New walk-in"),
    "walk_in.patch": N_("Walk-in edited"),
    "walkin.seat": N_("Walk-in seated"),
    "waitlist_entry.create": N_("Added to the waitlist"),
    "waitlist_entry.patch": N_("Waitlist entry edited"),
    "conflict.resolve": N_("Conflict resolved"),
    "checkout.save": N_("Bill updated"),
    "payment.record": N_("Payment taken"),
    "invoice.issue": N_("Invoice issued"),
    "credit_note.issue": N_("Credit note issued"),
    "refund.record": N_("Refund paid"),
    "daily_close.record": N_("Day closed"),
    "desk_user.create": N_("Access given"),
    "desk_user.patch": N_("Access changed"),
    "staff.create": N_("Staff member added"),  # issue #10
    "staff.patch": N_("Staff member edited"),
    "staff.set_services": N_("Services performed changed"),
    "availability.set_week": N_("Working hours changed"),
    "service.create": N_("Service added"),
    "service.patch": N_("Service edited"),
    "availability_exception.create": N_("Time off or extra shift added"),
    "availability_exception.delete": N_("Time off or extra shift removed"),
    "salon.patch": N_("Salon settings changed"),
}
