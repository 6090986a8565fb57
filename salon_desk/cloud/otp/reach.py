"""Whom the public `/v1/otp/request` may message: the customer behind a live booking link.

`reachable_salon` runs the same single query whatever the answer, so a stranger probing phones cannot
tell a customer's number from any other by how long the request takes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, and_, cast, exists, select
from sqlalchemy.orm import Session

from ..links.rows import CustomerLinkRow
from ..links.service import LINK_GRACE
from ..sync.tables import REPLICATED_TABLES

BOOKINGS = REPLICATED_TABLES["booking"]
CUSTOMERS = REPLICATED_TABLES["customer"]
ITEMS = REPLICATED_TABLES["booking_item"]
# A booking the customer can still do something about (confirm or cancel) on its page.
OPEN_STATUSES = ("requested", "confirmed")


def reachable_salon(session: Session, phone_e164: str, now: datetime) -> str | None:
    """The salon of the newest live link whose booking belongs to a customer with this phone, or None.

    Live as `links.service.resolve_link` sees it: the booking exists, is not deleted, is still open, and
    its last item ended less than LINK_GRACE ago (the link's own expiry follows the booking's end).
    """
    item_live = exists(
        select(ITEMS.c.id).where(
            ITEMS.c.salon_id == CustomerLinkRow.salon_id,
            ITEMS.c.booking_id == cast(CustomerLinkRow.booking_id, Text),  # a text column: never uuid = text
            ITEMS.c.end_at > now - LINK_GRACE,
        )
    )
    # customer (ix_customer_phone) -> booking (ix_booking_salon_customer) -> link (salon + booking index)
    query = (
        select(CustomerLinkRow.salon_id)
        .select_from(CUSTOMERS)
        .join(
            BOOKINGS,
            and_(
                BOOKINGS.c.salon_id == CUSTOMERS.c.salon_id,
                BOOKINGS.c.customer_id == cast(CUSTOMERS.c.id, Text),
            ),
        )
        .join(
            CustomerLinkRow,
            and_(
                CustomerLinkRow.salon_id == BOOKINGS.c.salon_id, CustomerLinkRow.booking_id == BOOKINGS.c.id
            ),
        )
        .where(
            CUSTOMERS.c.phone == phone_e164,
            CUSTOMERS.c.deleted_at.is_(None),
            BOOKINGS.c.deleted_at.is_(None),
            BOOKINGS.c.status.in_(OPEN_STATUSES),
            item_live,
        )
        .order_by(CustomerLinkRow.created_at.desc())
        .limit(1)
    )
    return session.scalar(query)
