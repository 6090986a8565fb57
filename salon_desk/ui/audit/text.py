"""An audit event in plain words: what was done ("Cancelled a booking") and what changed
("Status: Confirmed → Cancelled"), translated at display time. Personal data is never in the trail (events
keep ids and field names), so "Edited a customer: name, phone" is as far as a line goes."""

from __future__ import annotations

from typing import Any

from salon_desk.domain.deposit_policy import DepositAction
from salon_desk.domain.i18n import N_
from salon_desk.l10n import Localizer
from salon_desk.ui.i18n import _
from salon_desk.ui.salon_profile.deposit_policy import ACTION_LABELS
from salon_desk.ui.salon_profile.deposit_policy import FIELD_LABELS as DEPOSIT_POLICY_LABELS
from salon_desk.usecases.audit_view import AuditLine

ACTIONS: dict[str, str] = {
    "booking.create": N_("Booked an appointment"),
    "booking.reschedule": N_("Moved a booking"),
    "booking.transition": N_("Changed a booking's status"),
    "booking.cancel": N_("Cancelled a booking"),
    "booking.patch_notes": N_("Edited a booking's notes"),
    "customer.create": N_("Added a customer"),
    "customer.patch": N_("Edited a customer"),
    "walk_in.create": N_("Added a walk-in"),
    "walk_in.patch": N_("Updated a walk-in"),
    "walkin.seat": N_("Seated a walk-in"),
    "waitlist_entry.create": N_("Added to the waitlist"),
    "waitlist_entry.patch": N_("Updated a waitlist entry"),
    "conflict.resolve": N_("Resolved a conflict"),
    "desk_user.create": N_("Gave a person access"),
    "desk_user.patch": N_("Changed a person's access"),
    "online_payment.link_sent": N_("Sent a pay link"),  # issue #12: asked of the cloud from this desk
    "online_payment.refund": N_("Refunded an online payment"),
    "checkout.save": N_("Saved a bill"),
    "payment.record": N_("Took a payment"),
    "invoice.issue": N_("Issued an invoice"),
    "credit_note.issue": N_("Issued a credit note"),
    "refund.record": N_("Recorded a refund"),
    "daily_close.record": N_("Closed the day"),
    "staff.create": N_("Added a staff member"),
    "staff.patch": N_("Edited a staff member"),
    "staff.set_services": N_("Changed the services a staff member performs"),
    "availability.set_week": N_("Changed working hours"),
    "service.create": N_("Added a service"),
    "service.patch": N_("Edited a service"),
    "availability_exception.create": N_("Added time off or an extra shift"),
    "availability_exception.delete": N_("Removed time off or an extra shift"),
    "salon.patch": N_("Edited the salon profile"),
}
ENTITIES: dict[str, str] = {
    "booking": N_("Booking"),
    "customer": N_("Customer"),
    "walk_in": N_("Walk-in"),
    "waitlist_entry": N_("Waitlist"),
    "sync_conflict": N_("Conflict"),
    "desk_user": N_("Desk user"),
    "staff": N_("Staff"),
    "service": N_("Service"),
    "salon": N_("Salon"),
    "payment": N_("Payment"),
    "invoice": N_("Invoice"),
    "online_payment": N_("Online payment"),
    "checkout": N_("Bill"),
    "credit_note": N_("Credit note"),
    "refund": N_("Refund"),
    "daily_close": N_("Daily close"),
    "availability": N_("Working hours"),
    "availability_exception": N_("Time off or extra shift"),
}
FIELDS: dict[str, str] = {
    "status": N_("Status"),
    "role": N_("Role"),
    "name": N_("Name"),
    "active": N_("Access"),
    "pin_hash": N_("PIN"),
    "fields": N_("Fields"),
    "items": N_("Services"),
    "resolution": N_("Resolution"),
    "kind": N_("Kind"),
    "notes": N_("Notes"),
    "phone": N_("Mobile"),
    "language": N_("Language"),
    "consent_reminders": N_("Reminders"),
    "consent_marketing": N_("Marketing messages"),
    "name_ar": N_("Name (Arabic)"),
    "name_en": N_("Name (English)"),
    "title_ar": N_("Job title (Arabic)"),
    "title_en": N_("Job title (English)"),
    "colour": N_("Colour"),
    "display_order": N_("Display order"),
    "services": N_("Services"),
    "rules": N_("Working hours"),
    "price_halalas": N_("Price"),
    "duration_minutes": N_("Duration"),
    "category": N_("Category"),
    "opening_hours": N_("Business hours"),
    "closures": N_("Closed days"),
    "dated_hours": N_("Dated hours"),
    "vat_number": N_("VAT number"),
    "commercial_registration": N_("Commercial registration"),
    "address": N_("Address"),
    "sms_sender": N_("SMS sender name"),
    "digit_style": N_("Digits"),
    "cancel_cutoff_minutes": N_("Cancellation cutoff (minutes)"),
    "deposit_halalas": N_("Deposit"),
    "discount_limit_percent": N_("Discount limit (%)"),
    "idle_lock_minutes": N_("Lock after idle (minutes)"),
    "link_expiry_hours": N_("Payment links expire after (hours)"),
    "zatca_phase": N_("ZATCA phase"),
    **DEPOSIT_POLICY_LABELS,
    "gross_halalas": N_("Total"),
    "discount_halalas": N_("Discounts"),
    "amount_halalas": N_("Amount"),
    "method": N_("Method"),
    "number": N_("Number"),
    "invoice": N_("Invoice"),
    "staff_id": N_("Staff"),
    "by_salon": N_("Cancelled by the salon"),
}
# Schedules and lists kept whole in an event: the line says that they changed, the values are too long to read.
WHOLE_VALUES = frozenset({"opening_hours", "dated_hours", "rules"})


def action_text(action: str) -> str:
    source = ACTIONS.get(action)
    return _(source) if source else action


def entity_text(entity: str) -> str:
    source = ENTITIES.get(entity)
    return _(source) if source else entity


def value_text(l10n: Localizer, field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "status":
        return l10n.status_label(str(value))
    if field == "role":
        return l10n.role_label(str(value))
    if field == "active":
        return _("Allowed") if value else _("Revoked")
    if field == "pin_hash":
        return _("changed")
    if field == "fields" and isinstance(value, list):
        return l10n.gettext(", ").join(field_name(v) for v in value)
    if field == "kind" and str(value) in KINDS:
        return _(KINDS[str(value)])
    if field in DEPOSIT_POLICY_LABELS and str(value) in ACTION_LABELS:
        return _(ACTION_LABELS[DepositAction(str(value))])
    if field in WHOLE_VALUES or isinstance(value, dict):
        return _("changed")
    if field == "closures" and isinstance(value, list):
        return l10n.gettext(", ").join(l10n.isolate(str(day)) for day in value)
    if isinstance(value, list):
        return l10n.number(len(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return l10n.isolate(l10n.money(value)) if field.endswith("halalas") else l10n.number(value)
    return l10n.isolate(str(value))


KINDS: dict[str, str] = {
    "time_off": N_("Time off"),
    "break": N_("Break"),
    "extra_hours": N_("Extra shift"),
    "kept": N_("Kept booking"),
}


def field_name(field: str) -> str:
    source = FIELDS.get(field)
    return _(source) if source else field


def changes_text(l10n: Localizer, line: AuditLine) -> str:
    """ "Status: Confirmed → Cancelled; PIN: changed": every field of the event, before → after."""
    parts = []
    for field in list(dict.fromkeys([*line.before, *line.after])):
        after = value_text(l10n, field, line.after.get(field))
        if field in line.before and line.before.get(field) != line.after.get(field):
            before = value_text(l10n, field, line.before.get(field))
            # The arrow points from before to after in the reading direction (Arabic: ←).
            parts.append(_("{field}: {before} → {after}").format(field=field_name(field), before=before, after=after))
        else:
            parts.append(_("{field}: {value}").format(field=field_name(field), value=after))
    return _("; ").join(parts)


def desk_text(l10n: Localizer, line: AuditLine) -> str:
    """The desk by the name it was enrolled under; this desk before its first sync; otherwise a short id."""
    if line.desk_name:
        return l10n.isolate(line.desk_name)
    if line.own:
        return _("This desk")
    return l10n.isolate(line.desk_id[:8])
