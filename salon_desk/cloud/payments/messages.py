"""A pay link sent to the customer (issue #12): the desk's "Send pay link" queues a `payment_link` message in
the notification outbox, in the same way as every customer message: SMS or WhatsApp (falling back to SMS) in
the customer's own language, carrying the link on the salon service's own domain
(`SALON_PUBLIC_BASE_URL/p/{token}`), never Moyasar's URL.

Each link is sent once: a retried request (the same idempotency key, so the same link) queues nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from salon_desk.domain.payments import LinkStatus

from ..db import Database
from ..notify.events import Event
from ..notify.outbox import enqueue
from ..notify.rows import NotificationJobRow
from ..sync.changes import ChangeSet
from .service import LinkView


def send_pay_link(db: Database, salon_id: str, view: LinkView, now: datetime) -> bool:
    """Queues the link's message to its booking's customer. False: nothing queued (a link that cannot be
    paid, no booking, no customer phone); True also when a retry finds it queued already."""
    if view.booking_id is None or view.status is not LinkStatus.PENDING:
        return False
    with db.session() as session:
        changes = ChangeSet(session, salon_id)
        changes.seq  # noqa: B018 - the salon's writer lock first: two sends of one link queue one message
        earlier = session.scalars(
            select(NotificationJobRow.params).where(
                NotificationJobRow.salon_id == salon_id,
                NotificationJobRow.booking_id == view.booking_id,
                NotificationJobRow.event == Event.PAYMENT_LINK.value,
            )
        ).all()
        if any((params or {}).get("pay_link_id") == view.id for params in earlier):
            return True
        job_id = enqueue(
            changes, view.booking_id, Event.PAYMENT_LINK, now,
            params={"link": view.url, "amount_halalas": view.amount_halalas, "pay_link_id": view.id},
        )
        session.commit()
        return job_id is not None
