"""Input rules shared by the use cases on the desk and the cloud: names, notes, lookups."""

from __future__ import annotations

from typing import TypeVar

from .errors import NotFound, ValidationError
from .i18n import N_

T = TypeVar("T")

MAX_NAME = 120
MAX_NOTES = 2000
MAX_ITEMS_PER_BOOKING = 10

MESSAGES = {
    "name.required": N_("Please enter a name."),
    "text.too_long": N_("This text is too long (at most {max} characters)."),
    "text.unreadable": N_("This text contains characters that cannot be saved. Please type it again."),
    "service.not_found": N_("This service does not exist or is no longer offered."),
    "staff.not_found": N_("This staff member does not exist or no longer works here."),
    "customer.not_found": N_("This customer could not be found."),
    "booking.not_found": N_("This booking could not be found."),
    "walkin.not_found": N_("This walk-in could not be found."),
    "waitlist.not_found": N_("This waitlist entry could not be found."),
    "staff.not_qualified": N_("{staff} does not perform {service}."),
    "customer.phone_taken": N_("Another customer already has this phone number: {name}."),
    "customer.required": N_("Please choose a customer or enter a new one."),
    "customer.unknown_field": N_("This customer detail cannot be changed here."),
    "booking.no_items": N_("Please add at least one service."),
    "booking.too_many_items": N_("A booking can have at most {max} services."),
    "booking.in_past": N_("This time has already passed. Please choose a later time."),
    "booking.naive_time": N_("This time has no time zone, so it cannot be placed. Please choose the time again."),
    "customer.consent_invalid": N_("A consent can only be yes or no."),
    "booking.item_unknown": N_("This service is not part of the booking."),
    "walkin.not_waiting": N_("This walk-in is no longer waiting."),
    "walkin.nobody_free": N_("Nobody who performs this service is free now. The soonest is {staff} at {time}."),
    "walkin.nobody_today": N_("Nobody who performs this service is free for the rest of the day."),
    "waitlist.window_invalid": N_("The end of the time window must be after its start."),
    "waitlist.not_open": N_("This waitlist entry is no longer open."),
    "salon.not_set_up": N_("This desk has no salon yet. Enrol it or load the demo salon."),
    "conflict.not_found": N_("This conflict no longer exists."),
    "conflict.already_resolved": N_("This conflict was already resolved."),
    "conflict.fix_not_offered": N_("This fix does not apply to this conflict."),
    "conflict.fix_unavailable": N_(
        "This fix is no longer possible: the time was taken meanwhile. Please choose another."
    ),
}


def _readable(text: str) -> str:
    """NUL, other control characters and lone surrogates (a broken paste) can be neither stored nor synced."""
    for char in text:
        if (char < " " and char not in "\n\t\r") or "\ud800" <= char <= "\udfff":
            raise ValidationError("text.unreadable")
    return text


def clean_name(value: str) -> str:
    name = " ".join(_readable(value or "").split())
    if not name:
        raise ValidationError("name.required")
    if len(name) > MAX_NAME:
        raise ValidationError("text.too_long", max=MAX_NAME)
    return name


def clean_notes(value: str) -> str:
    notes = _readable(value or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError("text.too_long", max=MAX_NOTES)
    return notes


def found(value: T | None, code: str, **params: object) -> T:
    if value is None:
        raise NotFound(code, **params)
    return value
