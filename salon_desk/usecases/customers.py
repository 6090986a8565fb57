"""Customer use cases: find, add, edit, profile."""

from __future__ import annotations

from datetime import datetime

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, Booking, Changes, Customer, Language
from salon_desk.domain.phone import normalize_mobile, optional_mobile
from salon_desk.domain.rules import clean_name, clean_notes, found
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .commands import AddCustomer, NewCustomer, UpdateCustomer
from .result import Result
from .views import CustomerProfile, CustomerSummary, VisitLine

EDITABLE = {"name", "phone", "language", "notes", "consent_reminders", "consent_marketing"}


def _language(value: object) -> Language:
    try:
        return Language(str(getattr(value, "value", value)))
    except ValueError:
        raise ValidationError("customer.unknown_field") from None


def _ensure_phone_free(uow: UnitOfWork, phone: str | None, customer_id: str | None = None) -> None:
    if phone is None:
        return
    existing = uow.customers.by_phone(phone)
    if existing is not None and existing.id != customer_id:
        raise Conflict("customer.phone_taken", name=existing.name)


def resolve_customer(uow: UnitOfWork, customer_id: str | None, new: NewCustomer | None, *,
                     required: bool = True, dry_run: bool = False) -> tuple[Customer | None, bool]:
    """The booking's customer: an existing one, or a new one (reusing whoever already has that phone).
    Returns (customer, is_new)."""
    if customer_id is not None:
        return found(uow.customers.get(customer_id), "customer.not_found"), False
    if new is None:
        if required:
            raise ValidationError("customer.required")
        return None, False
    name = clean_name(new.name)
    phone = normalize_mobile(new.phone)
    existing = uow.customers.by_phone(phone)
    if existing is not None:
        return existing, False
    return Customer(new_id(), name, phone, _language(new.language)), True


def add_customer(uow: UnitOfWork, cmd: AddCustomer, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        customer = Customer(new_id(), clean_name(cmd.name), optional_mobile(cmd.phone), _language(cmd.language),
                            clean_notes(cmd.notes), bool(cmd.consent_reminders), bool(cmd.consent_marketing), now)
        _ensure_phone_free(uow, customer.phone)
        uow.customers.add(customer, uow.salon_id(), now)
        uow.record(MutationName.CUSTOMER_CREATE, "customer", customer.id, payloads.customer_args(customer), actor)
        return Result(customer.id, uow.commit())


def _clean_fields(fields: dict[str, object]) -> dict[str, object]:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError("customer.unknown_field")
    cleaned: dict[str, object] = {}
    for key, value in fields.items():
        if key == "name":
            cleaned[key] = clean_name(_text(value))
        elif key == "phone":
            cleaned[key] = optional_mobile(_text(value))
        elif key == "language":
            cleaned[key] = _language(value).value
        elif key == "notes":
            cleaned[key] = clean_notes(_text(value))
        elif isinstance(value, bool):  # consents: a real yes/no, never "false" or 0 read as truthy
            cleaned[key] = value
        else:
            raise ValidationError("customer.consent_invalid")
    return cleaned


def _text(value: object) -> str:
    """A text field's value: None is empty (never the word "None"); anything but text is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("customer.unknown_field")
    return value


def _current(customer: Customer, key: str) -> object:
    value = getattr(customer, key)
    return value.value if isinstance(value, Language) else value


def update_customer(uow: UnitOfWork, cmd: UpdateCustomer, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        customer = found(uow.customers.get(cmd.customer_id), "customer.not_found")
        fields = _clean_fields(cmd.fields)
        fields = {k: v for k, v in fields.items() if v != _current(customer, k)}
        if not fields:  # nothing changes: no write, no audit event, no outbox row
            return Result(customer.id, Changes())
        if "phone" in fields:
            phone = fields["phone"]  # a cleaned mobile number, or None to remove it
            _ensure_phone_free(uow, phone if isinstance(phone, str) else None, customer.id)
        base_seq = uow.customers.server_seq(customer.id)
        uow.customers.update(customer.id, fields, now)
        # Personal data stays out of the audit log: only which fields changed.
        uow.record(MutationName.CUSTOMER_PATCH, "customer", customer.id, payloads.customer_patch(fields), actor,
                   base_seq=base_seq, audit_after={"fields": sorted(fields)})
        return Result(customer.id, uow.commit())


def _summaries(uow: UnitOfWork, customers: list[Customer], now: datetime) -> list[CustomerSummary]:
    stats = uow.customers.stats([c.id for c in customers], now)
    out = []
    for c in customers:
        s = stats.get(c.id)
        out.append(CustomerSummary(c.id, c.name, c.phone, c.language, s.visits if s else 0, s.no_shows if s else 0,
                                   s.last_visit if s else None))
    return out


def search_customers(uow: UnitOfWork, text: str, limit: int = 50, offset: int = 0) -> list[CustomerSummary]:
    with uow:
        return _summaries(uow, uow.customers.search(text, limit, offset), uow.clock())


def count_customers(uow: UnitOfWork, text: str) -> int:
    with uow:
        return uow.customers.count(text)


def _visit_line(uow: UnitOfWork, booking: Booking, names: dict[str, str], staff: dict[str, str]) -> VisitLine:
    return VisitLine(booking.id, booking.start_at, booking.status.value,
                     tuple(names.get(i.service_id, "") for i in booking.items),
                     tuple(staff.get(i.staff_id, "") for i in booking.items), booking.total_halalas)


def customer_profile(uow: UnitOfWork, customer_id: str, lang: str = "ar") -> CustomerProfile:
    with uow:
        now = uow.clock()
        customer = found(uow.customers.get(customer_id), "customer.not_found")
        summary = _summaries(uow, [customer], now)[0]
        services = {s.id: (s.name_ar if lang == "ar" else s.name_en) for s in uow.reference.services(False)}
        staff = {s.id: (s.name_ar if lang == "ar" else s.name_en) for s in uow.reference.staff(False)}
        bookings = uow.bookings.for_customer(customer.id)
        done = {BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
        upcoming = [b for b in bookings if b.start_at >= now and b.status not in done]
        past = [b for b in bookings if b not in upcoming]
        return CustomerProfile(summary, customer.notes, customer.consent_reminders, customer.consent_marketing,
                               tuple(_visit_line(uow, b, services, staff) for b in reversed(upcoming)),
                               tuple(_visit_line(uow, b, services, staff) for b in past))
