"""What the customer page shows, read from the cloud's replicated tables (salon_profile, booking, …).

Only this booking's own data is read, always filtered by the link's salon: a link never reveals anything
about other customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, cast, select
from sqlalchemy.orm import Session

from salon_desk.domain.deposit_policy import DEFAULT_POLICY, DepositPolicy, policy_of
from salon_desk.domain.deposit_policy import PROFILE_FIELDS as POLICY_FIELDS

from ..db import UuidText
from ..salons.rows import SalonRow
from ..sync.tables import REPLICATED_TABLES
from .rows import CustomerLinkRow

T = REPLICATED_TABLES
DEFAULT_TZ = "Asia/Riyadh"
# The profile's fields the page uses: not its opening hours, closures and other JSON, decoded for nothing.
_PAGE_FIELDS = ("id", "name_ar", "name_en", "timezone", "digit_style", "cancel_cutoff_minutes", *POLICY_FIELDS)


@dataclass(frozen=True)
class ItemView:
    service_ar: str
    service_en: str
    staff_ar: str
    staff_en: str
    start_at: datetime
    end_at: datetime
    price_halalas: int


@dataclass(frozen=True)
class BookingView:
    salon_id: str
    booking_id: str
    customer_id: str | None
    salon_name_ar: str
    salon_name_en: str
    salon_phone: str | None
    timezone: str
    digit_style: str
    cancel_cutoff_minutes: int
    status: str
    customer_phone: str | None
    customer_language: str | None
    items: tuple[ItemView, ...]
    deposit_policy: DepositPolicy = DEFAULT_POLICY  # the salon's, as its profile sets it (issue #12)

    @property
    def starts_at(self) -> datetime:
        return min(item.start_at for item in self.items)

    @property
    def cancel_deadline(self) -> datetime:
        """Business rule: a customer may cancel online only up to `cancel_cutoff_minutes` before the start."""
        return self.starts_at - timedelta(minutes=self.cancel_cutoff_minutes)

    def salon_name(self, lang: str) -> str:
        return (self.salon_name_en if lang == "en" else self.salon_name_ar) or self.salon_name_ar


@cache
def _one_statement(entity: str) -> Select[Any]:
    table = T[entity]
    return select(table).where(table.c.salon_id == bindparam("salon"), table.c.id == bindparam("id"))


def _one(session: Session, entity: str, salon_id: str, row_id: str | None) -> dict[str, Any]:
    if row_id is None:
        return {}
    found = session.execute(_one_statement(entity), {"salon": salon_id, "id": row_id}).mappings()
    return dict(found.first() or {})


def _items_statement() -> Select[Any]:
    items, services, staff = T["booking_item"], T["service"], T["staff"]
    salon_id: BindParameter[str] = bindparam("salon")
    return (
        select(
            services.c.name_ar.label("service_ar"),
            services.c.name_en.label("service_en"),
            staff.c.name_ar.label("staff_ar"),
            staff.c.name_en.label("staff_en"),
            items.c.start_at,
            items.c.end_at,
            items.c.price_halalas,
        )
        .select_from(items)
        # References are text columns, ids native uuid on PostgreSQL: compare as uuid.
        .outerjoin(
            services,
            (services.c.id == cast(items.c.service_id, UuidText)) & (services.c.salon_id == salon_id),
        )
        .outerjoin(staff, (staff.c.id == cast(items.c.staff_id, UuidText)) & (staff.c.salon_id == salon_id))
        .where(items.c.salon_id == salon_id, items.c.booking_id == bindparam("booking"),
               items.c.deleted_at.is_(None))
        .order_by(items.c.start_at)
    )


def _salon_statement() -> Select[Any]:
    profile, tenant = T["salon"], SalonRow.__table__
    return (
        select(tenant.c.name_ar.label("tenant_name_ar"), tenant.c.name_en.label("tenant_name_en"),
               tenant.c.timezone.label("tenant_timezone"), tenant.c.public_settings,
               *(profile.c[name] for name in _PAGE_FIELDS))
        .select_from(tenant)
        .outerjoin(profile, (profile.c.salon_id == tenant.c.id) & (profile.c.id == tenant.c.id))
        .where(tenant.c.id == bindparam("salon"))
    )


# Built once: every view of the page runs them (building a statement costs more than running it).
_ITEMS = _items_statement()
_SALON = _salon_statement()


def _items(session: Session, salon_id: str, booking_id: str) -> tuple[ItemView, ...]:
    return tuple(
        ItemView(
            service_ar=r.service_ar or "",
            service_en=r.service_en or r.service_ar or "",
            staff_ar=r.staff_ar or "",
            staff_en=r.staff_en or r.staff_ar or "",
            start_at=r.start_at,
            end_at=r.end_at,
            price_halalas=int(r.price_halalas or 0),
        )
        for r in session.execute(_ITEMS, {"salon": salon_id, "booking": booking_id})
    )


def _salon(session: Session, salon_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the salon's replicated profile, its _PAGE_FIELDS only; its tenant row's fields), in one statement."""
    row = session.execute(_SALON, {"salon": salon_id}).mappings().first()
    if row is None:
        return {}, {}
    fields = dict(row)
    tenant_fields = {key: fields.pop(key) for key in
                     ("tenant_name_ar", "tenant_name_en", "tenant_timezone", "public_settings")}
    return (fields if fields.get("id") is not None else {}), tenant_fields


def load_booking_view(
    session: Session, link: CustomerLinkRow, booking: dict[str, Any] | None = None
) -> BookingView | None:
    """The page's data, or None when the booking or its items are gone (the page then answers 404).
    `booking` (status, customer_id, customer: its phone, language, deleted_at) when the caller already read
    it with the link."""
    if booking is None:
        booking = _one(session, "booking", link.salon_id, link.booking_id)
        if not booking or booking.get("deleted_at") is not None:
            return None
    items = _items(session, link.salon_id, link.booking_id)
    if not items:
        return None
    profile, tenant = _salon(session, link.salon_id)
    public = tenant.get("public_settings") or {}
    customer = booking["customer"] if "customer" in booking else _one(
        session, "customer", link.salon_id, booking.get("customer_id")
    )
    cutoff = int(profile.get("cancel_cutoff_minutes") or public.get("cancel_cutoff_minutes") or 0)
    return BookingView(
        salon_id=link.salon_id,
        booking_id=link.booking_id,
        customer_id=booking.get("customer_id"),
        salon_name_ar=profile.get("name_ar") or tenant.get("tenant_name_ar") or "",
        salon_name_en=profile.get("name_en") or tenant.get("tenant_name_en") or "",
        salon_phone=public.get("phone"),
        timezone=profile.get("timezone") or tenant.get("tenant_timezone") or DEFAULT_TZ,
        digit_style=profile.get("digit_style") or "latn",
        cancel_cutoff_minutes=cutoff,
        status=str(booking["status"]),
        customer_phone=customer.get("phone") if customer.get("deleted_at") is None else None,
        customer_language=customer.get("language"),
        items=items,
        deposit_policy=policy_of(profile, cutoff),
    )
