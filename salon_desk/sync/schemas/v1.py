"""Version 1 of the mutation schemas: one model per named command's args and per patch's fields, and the
stored-row models read-back uses. Released: never tighten a model here (add a v2 module instead).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from salon_desk.domain.booking import BookingSource, BookingStatus
from salon_desk.domain.model import Language, WaitlistState, WalkInState
from salon_desk.domain.rules import MAX_ITEMS_PER_BOOKING

from .fields import (
    MAX_PHASES,
    Halalas,
    Instant,
    Name,
    Notes,
    Phase,
    Phone,
    Reason,
    Resolution,
    Strict,
    Uuid,
    _check_times,
)


# ------------------------------------------------------------------------------------------- commands
class ItemArgs(Strict):
    id: Uuid
    service_id: Uuid
    staff_id: Uuid
    start_at: Instant
    end_at: Instant
    busy_until: Instant
    price_halalas: Halalas
    phases: list[Phase] = Field(default_factory=list, max_length=MAX_PHASES)

    @model_validator(mode="after")
    def _times(self) -> ItemArgs:
        _check_times(self.start_at, self.end_at, self.busy_until)
        return self


class MoveArgs(Strict):
    id: Uuid
    staff_id: Uuid
    start_at: Instant
    end_at: Instant
    busy_until: Instant

    @model_validator(mode="after")
    def _times(self) -> MoveArgs:
        _check_times(self.start_at, self.end_at, self.busy_until)
        return self


class CustomerCreateArgs(Strict):
    id: Uuid | None = None
    name: Name
    phone: Phone | None = None
    language: Language = Language.AR
    notes: Notes = ""
    consent_reminders: StrictBool = True
    consent_marketing: StrictBool = False


class BookingCustomerArgs(CustomerCreateArgs):
    id: Uuid  # a new customer inside a booking names its own id


class BookingCreateArgs(Strict):
    customer_id: Uuid | None = None
    customer: BookingCustomerArgs | None = None
    source: BookingSource = BookingSource.DESK
    status: BookingStatus = BookingStatus.REQUESTED
    notes: Notes = ""
    items: list[ItemArgs] = Field(min_length=1, max_length=MAX_ITEMS_PER_BOOKING)


class BookingRescheduleArgs(Strict):
    items: list[MoveArgs] = Field(min_length=1, max_length=MAX_ITEMS_PER_BOOKING)


class BookingTransitionArgs(Strict):
    to: BookingStatus
    reason: Reason | None = None
    # When the visit really started (to in_service) or ended (to completed); the cloud checks it against its clock.
    actual_start_at: Instant | None = None
    actual_end_at: Instant | None = None


class BookingCancelArgs(Strict):
    reason: Reason = ""
    by_salon: bool = False  # the salon cancelled, not the customer: a paid deposit goes back in full


class WalkInCreateArgs(Strict):
    name: Name = ""
    phone: Phone | None = None
    customer_id: Uuid | None = None
    service_id: Uuid
    preferred_staff_id: Uuid | None = None
    arrived_at: Instant


class WalkInSeatArgs(Strict):
    booking_id: Uuid
    staff_id: Uuid | None = None


class WaitlistCreateArgs(Strict):
    customer_id: Uuid | None = None
    name: Name = ""
    phone: Phone | None = None
    service_id: Uuid
    staff_id: Uuid | None = None
    window_start: Instant
    window_end: Instant
    notes: Notes = ""

    @model_validator(mode="after")
    def _window(self) -> WaitlistCreateArgs:
        if not self.window_start < self.window_end:
            raise ValueError("the window must end after it starts")
        return self


class ConflictResolveArgs(Strict):
    conflict_id: Uuid
    resolution: Resolution


# ---------------------------------------------------------------------------------------------- patches
class BookingFields(Strict):
    notes: Notes


class CustomerFields(Strict):
    name: Name = None  # type: ignore[assignment]
    phone: Phone | None = None
    language: Language = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    consent_reminders: StrictBool = None  # type: ignore[assignment]
    consent_marketing: StrictBool = None  # type: ignore[assignment]


class WalkInFields(Strict):
    name: Name = None  # type: ignore[assignment]
    phone: Phone | None = None
    customer_id: Uuid | None = None
    preferred_staff_id: Uuid | None = None
    state: WalkInState = None  # type: ignore[assignment]
    booking_id: Uuid | None = None
    left_at: Instant | None = None


class WaitlistFields(Strict):
    name: Name = None  # type: ignore[assignment]
    phone: Phone | None = None
    notes: Notes = None  # type: ignore[assignment]
    state: WaitlistState = None  # type: ignore[assignment]
    offered_start: Instant | None = None
    offered_staff_id: Uuid | None = None
    window_start: Instant = None  # type: ignore[assignment]
    window_end: Instant = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _window(self) -> WaitlistFields:
        both = self.window_start is not None and self.window_end is not None
        if both and not self.window_start < self.window_end:
            raise ValueError("the window must end after it starts")
        return self


# Fields a patch may name only when given a value (None would clear a NOT NULL column on the desk).
_NOT_NULL_FIELDS = frozenset(
    {"name", "language", "notes", "consent_reminders", "consent_marketing", "state", "window_start",
     "window_end"}
)


def _patch(fields_model: type[Strict]) -> type[Strict]:
    class PatchArgs(Strict):
        fields: fields_model = Field()  # type: ignore[valid-type]

        @model_validator(mode="before")
        @classmethod
        def _not_empty(cls, data: Any) -> Any:
            fields = data.get("fields") if isinstance(data, dict) else None
            if isinstance(fields, dict):
                if not fields:
                    raise ValueError("a patch names at least one field")
                nulls = sorted(k for k, v in fields.items() if v is None and k in _NOT_NULL_FIELDS)
                if nulls:
                    raise ValueError(f"{', '.join(nulls)} cannot be empty")
            return data

    PatchArgs.__name__ = f"{fields_model.__name__}Patch"
    return PatchArgs


# ------------------------------------------------------------------------------------------ stored rows
class StoredRow(BaseModel):
    """Read-back of a stored row in its wire form (protocol.encode_row): the same field rules as the args
    that wrote it; columns beyond them (server-only, added later) are not this check's business."""

    model_config = ConfigDict(extra="ignore", use_enum_values=True, frozen=True)


class BookingItemRow(StoredRow):
    id: Uuid
    booking_id: Uuid
    service_id: Uuid
    staff_id: Uuid
    start_at: Instant
    end_at: Instant
    busy_until: Instant
    price_halalas: Halalas
    phases: list[Phase] = Field(default_factory=list, max_length=MAX_PHASES)
    active: StrictBool

    @model_validator(mode="after")
    def _times(self) -> BookingItemRow:
        _check_times(self.start_at, self.end_at, self.busy_until)
        return self


class BookingRow(StoredRow):
    id: Uuid
    customer_id: Uuid | None = None
    status: BookingStatus
    source: BookingSource
    notes: Notes
    starts_at: Instant | None = None



BookingNotesPatch = _patch(BookingFields)
CustomerPatch = _patch(CustomerFields)
WalkInPatch = _patch(WalkInFields)
WaitlistPatch = _patch(WaitlistFields)
