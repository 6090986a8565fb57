"""A phone the cloud has a reason to message: a customer with an open booking and a live link, written
straight into the cloud's replicated tables (what a desk's push would leave there).

    linked = give_link(server, "+966551234567")      # -> Linked(salon_id, booking_id, url, path)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from salon_desk.cloud.links.service import issue_link
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.ids import new_id


@dataclass(frozen=True)
class Linked:
    salon_id: str
    booking_id: str
    customer_id: str
    url: str

    @property
    def path(self) -> str:
        return "/b/" + self.url.rsplit("/b/", 1)[1]


def give_link(
    server: Any, phone_e164: str, *, salon_id: str | None = None, status: str = "requested", days: int = 1
) -> Linked:
    salon_id = salon_id or server.create_salon()
    now = server.clock.now()
    start = now + timedelta(days=days)
    customer_id, booking_id = new_id(), new_id()
    common = {"salon_id": salon_id, "created_at": now, "updated_at": now, "server_seq": 1}
    with server.db.session() as session:
        session.execute(
            insert(REPLICATED_TABLES["customer"]).values(
                id=customer_id,
                phone=phone_e164,
                name="Noura",
                language="en",
                consent_reminders=True,
                **common,
            )
        )
        session.execute(
            insert(REPLICATED_TABLES["booking"]).values(
                id=booking_id,
                customer_id=customer_id,
                status=status,
                source="desk",
                starts_at=start,
                **common,
            )
        )
        session.execute(
            insert(REPLICATED_TABLES["booking_item"]).values(
                id=new_id(),
                booking_id=booking_id,
                staff_id=new_id(),
                start_at=start,
                end_at=start + timedelta(hours=1),
                busy_until=start + timedelta(hours=1),
                price_halalas=10000,
                active=True,
                **common,
            )
        )
        url = issue_link(session, salon_id, booking_id, now, base_url=server.base_url)
        session.commit()
    return Linked(salon_id, booking_id, customer_id, url)
