"""Reading what a message needs from the cloud's rows: booking, customer, salon (all filtered by salon)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..salons.rows import SalonRow
from ..sync.tables import REPLICATED_TABLES


@dataclass(frozen=True)
class JobContext:
    booking: dict[str, Any] | None
    customer: dict[str, Any] | None
    salon: SalonRow
    digit_style: str


def _row(session: Session, entity: str, salon_id: str, entity_id: str | None) -> dict[str, Any] | None:
    if entity_id is None:
        return None
    table = REPLICATED_TABLES[entity]
    found = (
        session.execute(select(table).where(table.c.salon_id == salon_id, table.c.id == entity_id))
        .mappings()
        .first()
    )
    return dict(found) if found is not None else None


def load_context(session: Session, salon_id: str, booking_id: str, customer_id: str) -> JobContext:
    salon = session.get(SalonRow, salon_id)
    assert salon is not None, "a job always belongs to an existing salon (foreign key)"
    profile = _row(session, "salon", salon_id, salon_id)
    return JobContext(
        booking=_row(session, "booking", salon_id, booking_id),
        customer=_row(session, "customer", salon_id, customer_id),
        salon=salon,
        digit_style=(profile or {}).get("digit_style") or "latn",
    )
