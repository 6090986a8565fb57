"""Which change_index rows each priority phase of a new desk's initial sync reads (specs/sync.md §3.7).

1. reference data (salon, staff, services, staff_service, availability);
2. the calendar window — bookings starting from anchor−7 to anchor+60 days (salon time), booking items
   starting in it, and the customers of those bookings;
3. everything else: what is neither phase 1 nor a booking or item in the window. All customers are in
   phase 3, even those phase 2 sent: whether a customer has a booking in the window depends on other rows,
   which may change between the phases, so excluding them could lose one.

Phases 1 and 3 therefore depend only on each row's own fields and the anchor, which phases 2 and 3 share.
A row unchanged since phase 1 began is read by its phase; a row changed later has a seq above the head
seen then, where the desk's incremental cursor starts. So no row is missed when the desk switches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, FromClause, String, and_, cast, not_, or_, select, true

from salon_desk.sync.protocol import CALENDAR_DAYS_AFTER, CALENDAR_DAYS_BEFORE, REFERENCE_ENTITIES

from .tables import REPLICATED_TABLES, ChangeIndexRow

CHANGE_INDEX = ChangeIndexRow.__table__
BOOKING = REPLICATED_TABLES["booking"]
ITEM = REPLICATED_TABLES["booking_item"]


@dataclass(frozen=True)
class CalendarWindow:
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC

    @classmethod
    def around(cls, anchor: date, timezone: str) -> CalendarWindow:
        zone = ZoneInfo(timezone)

        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), zone).astimezone(UTC)

        first = anchor - timedelta(days=CALENDAR_DAYS_BEFORE)
        return cls(midnight(first), midnight(anchor + timedelta(days=CALENDAR_DAYS_AFTER + 1)))

    def holds(self, column: ColumnElement[datetime]) -> ColumnElement[bool]:
        """Never NULL: a missing instant is outside the window (so phases 2 and 3 stay complements)."""
        return and_(column.is_not(None), column >= self.start, column < self.end)


def anchor_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def phase_source(
    priority: int | None, salon_id: str, window: CalendarWindow | None
) -> tuple[FromClause, ColumnElement[bool]]:
    """The FROM clause (change_index, joined to what the filter needs) and the phase's row filter."""
    if priority is None:
        return CHANGE_INDEX, true()
    if priority == 1:
        return CHANGE_INDEX, CHANGE_INDEX.c.entity.in_(REFERENCE_ENTITIES)
    assert window is not None  # phases 2 and 3 always have an anchor
    source = CHANGE_INDEX.outerjoin(
        BOOKING,
        and_(
            CHANGE_INDEX.c.entity == "booking",
            BOOKING.c.salon_id == CHANGE_INDEX.c.salon_id,  # keys lead with the salon (issue #14)
            BOOKING.c.id == CHANGE_INDEX.c.entity_id,
        ),
    ).outerjoin(
        ITEM,
        and_(
            CHANGE_INDEX.c.entity == "booking_item",
            ITEM.c.salon_id == CHANGE_INDEX.c.salon_id,
            ITEM.c.id == CHANGE_INDEX.c.entity_id,
        ),
    )
    booking_in, item_in = window.holds(BOOKING.c.starts_at), window.holds(ITEM.c.start_at)
    if priority == 2:
        customers = select(BOOKING.c.customer_id).where(
            BOOKING.c.salon_id == salon_id,
            window.holds(BOOKING.c.starts_at),
            BOOKING.c.customer_id.is_not(None),
        )
        customer_id = cast(CHANGE_INDEX.c.entity_id, String)  # booking.customer_id is text, not uuid
        customer_in = and_(CHANGE_INDEX.c.entity == "customer", customer_id.in_(customers))
        return source, or_(booking_in, item_in, customer_in)
    return source, and_(
        CHANGE_INDEX.c.entity.not_in(REFERENCE_ENTITIES),
        or_(BOOKING.c.id.is_(None), not_(booking_in)),
        or_(ITEM.c.id.is_(None), not_(item_in)),
    )
