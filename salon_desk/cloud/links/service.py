"""Customer links: issue the SMS link of a booking and resolve it back (DESIGN §5, §7).

Each call of `issue_link` makes a NEW token; earlier tokens of the same booking keep working until they
expire. (Tokens are stored hashed, so an old one cannot be handed out again; several valid links per
booking are harmless because every link only shows and acts on that one booking.) A link works until
the booking's last item ends plus `LINK_GRACE`, measured on the booking as it is *now*, so a rescheduled
booking's link follows the new time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, func, select
from sqlalchemy.orm import Session

from salon_desk.domain.ids import new_id

from ..db import UuidText
from ..settings import CloudSettings
from ..sync.tables import REPLICATED_TABLES
from .rows import CustomerLinkRow
from .tokens import looks_like_token, new_token, token_hash, token_salon

LINK_GRACE = timedelta(hours=24)
# Expiry never goes past this: a booking stored with an absurd end (year 9999) must not overflow datetime.
LATEST_EXPIRY = datetime(9000, 1, 1, tzinfo=UTC)
BOOKINGS = REPLICATED_TABLES["booking"]
CUSTOMERS = REPLICATED_TABLES["customer"]
ITEMS = REPLICATED_TABLES["booking_item"]


class LinkNotFound(LookupError):
    """Unknown, forged, expired or other-salon token: the page answers one generic 404 for all."""


def booking_end(session: Session, salon_id: str, booking_id: str) -> datetime | None:
    """When the booking's last item ends (None when the booking is unknown or has no items)."""
    end: datetime | None = session.scalar(
        select(func.max(ITEMS.c.end_at)).where(ITEMS.c.salon_id == salon_id, ITEMS.c.booking_id == booking_id)
    )
    return end


def issue_link(
    session: Session, salon_id: str, booking_id: str, now: datetime, *, base_url: str | None = None
) -> str:
    """Creates a link to the booking's customer page and returns its full URL,
    `{SALON_PUBLIC_BASE_URL}/b/{token}` (the registered domain, never a shortener).

    Pass `base_url=services.settings.public_base_url` when you hold the app's settings (tests, the demo);
    without it the environment's SALON_PUBLIC_BASE_URL is read.

    Adds a `customer_link` row to `session` and flushes; the CALLER commits (in the same transaction as the
    SMS it composes). Raises LookupError when the booking does not exist in that salon or has no items.
    Each call gives a new token; earlier links of the booking keep working until they expire.
    """
    end = booking_end(session, salon_id, booking_id)
    if end is None:
        raise LookupError(f"booking {booking_id} has no items in salon {salon_id}")
    token = new_token(salon_id)
    session.add(
        CustomerLinkRow(
            id=new_id(int(now.timestamp() * 1000)),
            salon_id=salon_id,
            booking_id=booking_id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=link_expiry(max(end, now)),
        )
    )
    session.flush()
    base_url = base_url if base_url is not None else CloudSettings().public_base_url
    return f"{base_url.rstrip('/')}/b/{token}"


def link_expiry(end: datetime) -> datetime:
    """When a link to a booking ending at `end` stops working: `LINK_GRACE` later, never past
    LATEST_EXPIRY (so no end, however far off, overflows)."""
    if end >= LATEST_EXPIRY - LINK_GRACE:
        return LATEST_EXPIRY
    return end + LINK_GRACE


def _link_by_token(scoped: bool) -> Select[CustomerLinkRow]:
    """Salon-scoped by the token's own salon part (`salon`); a link sent before issue #14 has none and is found
    by its hash alone (sql_scoping allows that statement by name until those links have expired)."""
    query = select(CustomerLinkRow).where(CustomerLinkRow.token_hash == bindparam("hash"))
    if scoped:
        return query.where(CustomerLinkRow.salon_id == bindparam("salon"))
    return query.execution_options(cross_salon="legacy_link_token")


def _link_and_booking(scoped: bool) -> Select[Any]:
    link = CustomerLinkRow
    end = (  # references are text, ids native uuid on PostgreSQL: compare the link's id as text
        select(func.max(ITEMS.c.end_at))
        .where(ITEMS.c.salon_id == link.salon_id, ITEMS.c.booking_id == cast(link.booking_id, String))
        .correlate(link)
        .scalar_subquery()
    )
    return (
        _link_by_token(scoped)
        .add_columns(end.label("end_at"), BOOKINGS.c.status, BOOKINGS.c.customer_id, BOOKINGS.c.deleted_at,
                     BOOKINGS.c.id.label("found_booking"), CUSTOMERS.c.phone, CUSTOMERS.c.language,
                     CUSTOMERS.c.deleted_at.label("customer_deleted_at"))
        .outerjoin(BOOKINGS, (BOOKINGS.c.salon_id == link.salon_id) & (BOOKINGS.c.id == link.booking_id))
        .outerjoin(CUSTOMERS, (CUSTOMERS.c.salon_id == link.salon_id)
                   & (CUSTOMERS.c.id == cast(BOOKINGS.c.customer_id, UuidText)))
    )


# Built once (the customer page's first statement, on every view): by whether the token names its salon.
_LINK_AND_BOOKING = {True: _link_and_booking(True), False: _link_and_booking(False)}


def resolve_link(session: Session, token: str, now: datetime) -> CustomerLinkRow:
    """The live link of `token`, or LinkNotFound (never says why: unknown, expired or booking gone)."""
    return resolve_link_and_booking(session, token, now)[0]


def resolve_link_and_booking(
    session: Session, token: str, now: datetime
) -> tuple[CustomerLinkRow, dict[str, Any]]:
    """The live link of `token` and its booking's status, end and customer (phone, language), read in one
    statement (the customer page's first), or LinkNotFound (never says why: unknown, expired or booking
    gone)."""
    if not looks_like_token(token):
        raise LinkNotFound
    salon_id = token_salon(token)
    if salon_id is None:
        row = session.execute(_LINK_AND_BOOKING[False], {"hash": token_hash(token)}).first()
    else:
        row = session.execute(_LINK_AND_BOOKING[True], {"hash": token_hash(token), "salon": salon_id}).first()
    if row is None:
        raise LinkNotFound
    found, end_at, status, customer_id, deleted_at, booking_id, phone, language, customer_deleted_at = row
    if end_at is None or booking_id is None or deleted_at is not None or now >= link_expiry(end_at):
        raise LinkNotFound
    customer = {"phone": phone, "language": language, "deleted_at": customer_deleted_at} if phone or language else {}
    return found, {"status": status, "customer_id": customer_id, "customer": customer}
