"""Schemas of the staff, services, availability and salon-profile commands (issue #10).

Whole-object commands for what a manager saves at once: `availability.set_week` carries one staff member's
whole week (the cloud checks it again for overlaps and replaces the rules it held), `staff.set_services` the
services one person performs. Field patches for the rest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from .fields import Halalas, Instant, Name, Notes, Phase, Phone, Strict, Uuid

MAX_RULES = 100  # spans in one person's week (7 days x a handful each, with dated variants)
MAX_SERVICES = 300
WallTime = Annotated[str, Field(strict=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Day = Annotated[str, Field(strict=True, pattern=r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]$")]
Colour = Annotated[str, Field(strict=True, pattern=r"^(#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?)?$")]
Title = Annotated[Name, Field(max_length=120)]
Minutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]
Buffer = Annotated[StrictInt, Field(ge=0, le=24 * 60)]
SortOrder = Annotated[StrictInt, Field(ge=0, le=10_000)]
Category = Annotated[Name, Field(max_length=60)]
ExceptionKind = Literal["time_off", "break", "extra_hours", "kept"]
DigitStyle = Literal["latn", "arab"]
# domain.deposit_policy.CANCEL_CHOICES and RESCHEDULE_CHOICES (the cloud checks them again with check_profile)
DepositOnCancel = Literal["refund", "keep"]
DepositOnReschedule = Literal["carry_over", "refund"]


def _patch_not_empty(data: Any, nullable: frozenset[str] = frozenset()) -> Any:
    fields = data.get("fields") if isinstance(data, dict) else None
    if isinstance(fields, dict):
        if not fields:
            raise ValueError("a patch names at least one field")
        if any(v is None and k not in nullable for k, v in fields.items()):
            raise ValueError("only a nullable field may be emptied")
    return data


class StaffCreateArgs(Strict):
    name_ar: Name
    name_en: Name
    title_ar: Title = ""
    title_en: Title = ""
    color: Colour = ""
    phone: Phone | None = None
    sort_order: SortOrder = 0
    active: StrictBool = True


class StaffFields(Strict):
    name_ar: Name = None  # type: ignore[assignment]
    name_en: Name = None  # type: ignore[assignment]
    title_ar: Title = None  # type: ignore[assignment]
    title_en: Title = None  # type: ignore[assignment]
    color: Colour = None  # type: ignore[assignment]
    phone: Phone | None = None
    sort_order: SortOrder = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class StaffPatch(Strict):
    fields: StaffFields

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        return _patch_not_empty(data, frozenset({"phone"}))


class ServiceCreateArgs(Strict):
    name_ar: Name
    name_en: Name
    category: Category = ""
    duration_minutes: Minutes
    buffer_minutes: Buffer = 0
    price_halalas: Halalas
    phases: list[Phase] = Field(default_factory=list, max_length=10)
    color: Colour = ""
    active: StrictBool = True
    can_run_alongside: StrictBool = False


class ServiceFields(Strict):
    name_ar: Name = None  # type: ignore[assignment]
    name_en: Name = None  # type: ignore[assignment]
    category: Category = None  # type: ignore[assignment]
    duration_minutes: Minutes = None  # type: ignore[assignment]
    buffer_minutes: Buffer = None  # type: ignore[assignment]
    price_halalas: Halalas = None  # type: ignore[assignment]
    phases: list[Phase] = Field(default=None, max_length=10)  # type: ignore[arg-type]
    color: Colour = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]
    can_run_alongside: StrictBool = None  # type: ignore[assignment]


class ServicePatch(Strict):
    fields: ServiceFields

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        return _patch_not_empty(data)


class PerformedService(Strict):
    id: Uuid
    service_id: Uuid
    duration_minutes: Minutes | None = None
    price_halalas: Halalas | None = None


class StaffServicesArgs(Strict):
    services: list[PerformedService] = Field(max_length=MAX_SERVICES)


class WeeklyRule(Strict):
    id: Uuid
    weekday: Annotated[StrictInt, Field(ge=0, le=6)]
    start_time: WallTime
    end_time: WallTime
    valid_from: Day | None = None
    valid_to: Day | None = None


class SetWeekArgs(Strict):
    rules: list[WeeklyRule] = Field(max_length=MAX_RULES)


class ExceptionCreateArgs(Strict):
    staff_id: Uuid
    kind: ExceptionKind
    start_at: Instant
    end_at: Instant
    note: Notes = ""

    @model_validator(mode="after")
    def _ordered(self) -> ExceptionCreateArgs:
        if not self.start_at < self.end_at:
            raise ValueError("an exception ends after it starts")
        return self


class ExceptionDeleteArgs(Strict):
    staff_id: Uuid  # whose exception it is (the cloud checks it is that person's)


class OpeningSpan(Strict):
    weekday: Annotated[StrictInt, Field(ge=0, le=6)]
    start: WallTime
    end: WallTime


class DatedHoursSpec(Strict):
    """Ramadan or other dated salon hours (domain.scheduling.dated_hours checks the rest)."""

    name: Annotated[Name, Field(max_length=60)]
    first_day: Day
    last_day: Day
    hours: list[OpeningSpan] = Field(max_length=50)


class SalonFields(Strict):
    name_ar: Name = None  # type: ignore[assignment]
    name_en: Name = None  # type: ignore[assignment]
    vat_number: Annotated[str, Field(strict=True, pattern=r"^(3[0-9]{13}3)?$")] = None  # type: ignore[assignment]
    commercial_registration: Annotated[str, Field(strict=True, pattern=r"^[0-9]{0,20}$")] = None  # type: ignore[assignment]
    address: Notes = None  # type: ignore[assignment]
    opening_hours: list[OpeningSpan] = Field(default=None, max_length=50)  # type: ignore[arg-type]
    closures: list[Day] = Field(default=None, max_length=400)  # type: ignore[arg-type]
    cancel_cutoff_minutes: Annotated[StrictInt, Field(ge=0, le=7 * 24 * 60)] = None  # type: ignore[assignment]
    deposit_halalas: Halalas = None  # type: ignore[assignment]
    sms_sender: Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9 .&-]{0,11}$")] = None  # type: ignore[assignment]
    digit_style: DigitStyle = None  # type: ignore[assignment]
    idle_lock_minutes: Annotated[StrictInt, Field(ge=1, le=240)] = None  # type: ignore[assignment]
    discount_limit_percent: Annotated[StrictInt, Field(ge=0, le=100)] = None  # type: ignore[assignment]
    link_expiry_hours: Annotated[StrictInt, Field(ge=1, le=24 * 30)] = None  # type: ignore[assignment]
    zatca_phase: Annotated[StrictInt, Field(ge=1, le=2)] = None  # type: ignore[assignment]
    dated_hours: list[DatedHoursSpec] = Field(default=None, max_length=50)  # type: ignore[arg-type]
    deposit_on_cancel: DepositOnCancel = None  # type: ignore[assignment]
    deposit_on_late_cancel: DepositOnCancel = None  # type: ignore[assignment]
    deposit_on_no_show: DepositOnCancel = None  # type: ignore[assignment]
    deposit_on_reschedule: DepositOnReschedule = None  # type: ignore[assignment]


class SalonPatch(Strict):
    fields: SalonFields

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        return _patch_not_empty(data)


# (mutation wire name, entity, model): registered in the package's SCHEMAS.
COMMANDS: tuple[tuple[str, str, type[Strict]], ...] = (
    ("staff.create", "staff", StaffCreateArgs),
    ("staff.patch", "staff", StaffPatch),
    ("staff.set_services", "staff", StaffServicesArgs),
    ("availability.set_week", "staff", SetWeekArgs),
    ("service.create", "service", ServiceCreateArgs),
    ("service.patch", "service", ServicePatch),
    ("availability_exception.create", "availability_exception", ExceptionCreateArgs),
    ("availability_exception.delete", "availability_exception", ExceptionDeleteArgs),
    ("salon.patch", "salon", SalonPatch),
)
