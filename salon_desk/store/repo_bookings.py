"""Bookings and items: reads for the calendar and the rules, writes for the use cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from salon_desk.domain.booking import ACTIVE, BookingStatus
from salon_desk.domain.model import Booking, BookingItem, SyncStatus

from . import mappers as m
from .rows import BookingItemRow, BookingRow, CustomerRow, NotificationRow, ServiceRow

# No single item lasts longer than this; it bounds index range scans on start_at.
MAX_ITEM_SPAN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """One booking item with what the calendar shows about it."""

    item: BookingItem
    status: BookingStatus
    source: str
    notes: str
    sync_status: SyncStatus
    customer_id: str | None
    customer_name: str
    customer_phone: str | None
    service_name_ar: str
    service_name_en: str


class BookingRepository:
    def __init__(self, session: Session):
        self._s = session

    def get(self, booking_id: str) -> Booking | None:
        row = self._s.get(BookingRow, booking_id)
        if row is None or row.deleted_at is not None:
            return None
        return m.booking(row, self._item_rows(booking_id))

    def _item_rows(self, booking_id: str) -> list[BookingItemRow]:
        return list(self._s.scalars(select(BookingItemRow).where(BookingItemRow.booking_id == booking_id,
                                                                 BookingItemRow.deleted_at.is_(None))))

    def busy_items(self, start: datetime, end: datetime, staff_ids: list[str] | None = None,
                   exclude_booking: str | None = None) -> dict[str, list[BookingItem]]:
        """Active items that hold a stylist's time inside [start, end), per staff member. Reads plain columns
        (no ORM identity map): slot search calls this on its hot path."""
        cols = (BookingItemRow.id, BookingItemRow.booking_id, BookingItemRow.service_id, BookingItemRow.staff_id,
                BookingItemRow.start_at, BookingItemRow.end_at, BookingItemRow.busy_until,
                BookingItemRow.price_halalas, BookingItemRow.phases, BookingItemRow.actual_end_at)
        q = select(*cols).where(
            BookingItemRow.active.is_(True), BookingItemRow.deleted_at.is_(None),
            BookingItemRow.start_at < end, BookingItemRow.start_at > start - MAX_ITEM_SPAN,
            BookingItemRow.busy_until > start)
        if staff_ids is not None:
            q = q.where(BookingItemRow.staff_id.in_(staff_ids))
        if exclude_booking is not None:
            q = q.where(BookingItemRow.booking_id != exclude_booking)
        out: dict[str, list[BookingItem]] = defaultdict(list)
        for item_id, booking_id, service_id, staff_id, start_at, end_at, busy_until, price, phases, actual_end \
                in self._s.execute(q):
            out[staff_id].append(BookingItem(item_id, booking_id, service_id, staff_id, start_at, end_at, busy_until,
                                             price, m.phases_from_json(phases), actual_end_at=actual_end))
        return out

    def calendar(self, start: datetime, end: datetime, staff_ids: list[str] | None = None) -> list[CalendarItem]:
        q = (select(BookingItemRow, BookingRow.status, BookingRow.source, BookingRow.notes, BookingRow.sync_status,
                    BookingRow.customer_id, CustomerRow.name, CustomerRow.phone, ServiceRow.name_ar,
                    ServiceRow.name_en)
             .join(BookingRow, BookingRow.id == BookingItemRow.booking_id)
             .join(ServiceRow, ServiceRow.id == BookingItemRow.service_id)
             .outerjoin(CustomerRow, CustomerRow.id == BookingRow.customer_id)
             .where(BookingItemRow.deleted_at.is_(None), BookingRow.deleted_at.is_(None),
                    BookingRow.status != BookingStatus.CANCELLED.value,
                    BookingItemRow.start_at < end, BookingItemRow.start_at > start - MAX_ITEM_SPAN,
                    BookingItemRow.end_at > start)
             .order_by(BookingItemRow.start_at))
        if staff_ids is not None:
            q = q.where(BookingItemRow.staff_id.in_(staff_ids))
        return [CalendarItem(m.booking_item(item), BookingStatus(status), source, notes, SyncStatus(sync),
                             cust_id, cust_name or "", phone, s_ar, s_en)
                for item, status, source, notes, sync, cust_id, cust_name, phone, s_ar, s_en in self._s.execute(q)]

    def latest_messages(self, booking_ids: list[str]) -> dict[str, tuple[str, str]]:
        """booking id -> (event, status) of the customer's latest message (cloud-owned `notification` rows)."""
        latest: dict[str, tuple[str, str]] = {}
        for start in range(0, len(booking_ids), 500):
            q = (select(NotificationRow.booking_id, NotificationRow.event, NotificationRow.status)
                 .where(NotificationRow.booking_id.in_(booking_ids[start:start + 500]),
                        NotificationRow.deleted_at.is_(None))
                 .order_by(NotificationRow.updated_at, NotificationRow.id))
            latest.update(
                {booking_id: (event, status) for booking_id, event, status in self._s.execute(q) if booking_id is not None}
            )
        return latest

    def for_customer(self, customer_id: str) -> list[Booking]:
        rows = list(self._s.scalars(select(BookingRow).where(BookingRow.customer_id == customer_id,
                                                             BookingRow.deleted_at.is_(None))
                                    .order_by(BookingRow.starts_at.desc())))
        items: dict[str, list[BookingItemRow]] = defaultdict(list)
        if rows:
            for item in self._s.scalars(select(BookingItemRow).where(
                    BookingItemRow.booking_id.in_([r.id for r in rows]), BookingItemRow.deleted_at.is_(None))):
                items[item.booking_id].append(item)
        return [m.booking(r, items[r.id]) for r in rows]

    # --- writes -------------------------------------------------------------------------------------------
    def add(self, booking: Booking, salon_id: str) -> None:
        self._s.add(BookingRow(
            id=booking.id, salon_id=salon_id, customer_id=booking.customer_id, status=booking.status.value,
            source=booking.source.value, notes=booking.notes, cancel_reason=booking.cancel_reason,
            starts_at=booking.start_at, created_at=booking.created_at, updated_at=booking.updated_at,
            sync_status=SyncStatus.PENDING.value))
        self._s.flush()  # the booking row must exist before its items (foreign keys are enforced)
        active = booking.status in ACTIVE
        for item in booking.items:
            self._s.add(BookingItemRow(
                id=item.id, salon_id=salon_id, booking_id=booking.id, service_id=item.service_id,
                staff_id=item.staff_id, start_at=item.start_at, end_at=item.end_at, busy_until=item.busy_until,
                price_halalas=item.price_halalas, phases=m.phases_to_json(item.phases), active=active,
                created_at=booking.created_at, updated_at=booking.updated_at, sync_status=SyncStatus.PENDING.value))
        self._s.flush()

    def set_status(self, booking_id: str, status: BookingStatus, now: datetime, cancel_reason: str = "") -> None:
        row = self._s.get(BookingRow, booking_id)
        assert row is not None
        row.status = status.value
        row.updated_at = now
        row.sync_status = SyncStatus.PENDING.value
        if cancel_reason:
            row.cancel_reason = cancel_reason
        # Items change only when they start or stop holding the stylist's time, exactly as on the server;
        # touching them otherwise would leave a desk-only updated_at that no pull ever replaces.
        active = status in ACTIVE
        self._s.execute(update(BookingItemRow)
                        .where(BookingItemRow.booking_id == booking_id, BookingItemRow.active.is_not(active))
                        .values(active=active, updated_at=now))
        self._s.flush()

    def move_item(self, item: BookingItem, now: datetime) -> None:
        row = self._s.get(BookingItemRow, item.id)
        assert row is not None
        row.staff_id, row.start_at, row.end_at, row.busy_until = item.staff_id, item.start_at, item.end_at, item.busy_until
        row.updated_at = now
        row.sync_status = SyncStatus.PENDING.value
        booking = self._s.get(BookingRow, row.booking_id)
        assert booking is not None
        self._s.flush()
        booking.starts_at = min(r.start_at for r in self._item_rows(row.booking_id))
        booking.updated_at = now
        booking.sync_status = SyncStatus.PENDING.value
        self._s.flush()

    def record_actual_times(self, times: dict[str, tuple[datetime | None, datetime | None]], now: datetime) -> None:
        """item id -> (actual start, actual end); None leaves that time as it is. The booked interval is kept."""
        for item_id, (actual_start, actual_end) in times.items():
            row = self._s.get(BookingItemRow, item_id)
            assert row is not None
            if actual_start is not None:
                row.actual_start_at = actual_start
            if actual_end is not None:
                row.actual_end_at = actual_end
            row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()

    def set_notes(self, booking_id: str, notes: str, now: datetime) -> None:
        row = self._s.get(BookingRow, booking_id)
        assert row is not None
        row.notes, row.updated_at, row.sync_status = notes, now, SyncStatus.PENDING.value
        self._s.flush()

    def server_seq(self, booking_id: str) -> int | None:
        row = self._s.get(BookingRow, booking_id)
        return row.server_seq if row else None
