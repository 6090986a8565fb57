"""An audit event in plain words: what was done ("Cancelled a booking") and what changed
("Status: Confirmed → Cancelled"), translated at display time. Personal data is never in the trail (events
keep ids and field names), so "Edited a customer: name, phone" is as far as a line goes."""

from __future__ import annotations

from typing import Any

from salon_desk.domain.i18n import N_
from salon_desk.l10n import Localizer
from salon_desk.ui.i18n import _
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
}


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
    if isinstance(value, list):
        return l10n.number(len(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return l10n.isolate(l10n.money(value)) if field.endswith("halalas") else l10n.number(value)
    return l10n.isolate(str(value))


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
