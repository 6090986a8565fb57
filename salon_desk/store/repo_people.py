"""Customers, walk-ins and waitlist entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select, text
from sqlalchemy.orm import Session

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.model import Customer, SyncStatus, WaitlistEntry, WalkIn
from salon_desk.domain.text import fold_for_search

from . import mappers as m
from .rows import BookingRow, CustomerRow, WaitlistEntryRow, WalkInRow


@dataclass(frozen=True, slots=True)
class CustomerStats:
    visits: int
    no_shows: int
    last_visit: datetime | None


def phone_prefix(query: str) -> str | None:
    """The E.164 prefix a typed phone fragment stands for ("050 12" -> "+9665012"), or None if not digits."""
    digits = "".join(ch for ch in normalize_digits(query) if not ch.isspace() and ch not in "+-()")
    if not digits.isdigit():
        return None
    for national_prefix in ("00966", "966", "0"):
        if digits.startswith(national_prefix):
            digits = digits[len(national_prefix):]
            break
    return "+966" + digits


def fts_query(query: str) -> str | None:
    tokens = [t.replace('"', "") for t in fold_for_search(query).split()]
    tokens = [t for t in tokens if t]
    return " AND ".join(f'"{t}"*' for t in tokens) if tokens else None


class CustomerRepository:
    def __init__(self, session: Session):
        self._s = session

    def get(self, customer_id: str) -> Customer | None:
        row = self._s.get(CustomerRow, customer_id)
        return m.customer(row) if row and row.deleted_at is None else None

    def by_phone(self, phone: str) -> Customer | None:
        row = self._s.scalars(select(CustomerRow).where(CustomerRow.phone == phone,
                                                        CustomerRow.deleted_at.is_(None))).first()
        return m.customer(row) if row else None

    def _search_query(self, text_query: str) -> Select[CustomerRow]:
        q = select(CustomerRow).where(CustomerRow.deleted_at.is_(None))
        stripped = text_query.strip()
        if not stripped:
            return q
        prefix = phone_prefix(stripped)
        if prefix is not None:
            return q.where(CustomerRow.phone >= prefix, CustomerRow.phone < prefix + "~")
        match = fts_query(stripped)
        if match is None:
            return q
        return q.where(text("customer.rowid IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH :match)")
                       .bindparams(match=match))

    def search(self, text_query: str, limit: int = 50, offset: int = 0) -> list[Customer]:
        # Phone fragments list in number order (the index order, no sort); names alphabetically.
        order = (CustomerRow.phone,) if phone_prefix(text_query.strip() or "x") else (CustomerRow.search_name,)
        q = self._search_query(text_query).order_by(*order, CustomerRow.id).limit(limit).offset(offset)
        return [m.customer(r) for r in self._s.scalars(q)]

    def count(self, text_query: str) -> int:
        sub = self._search_query(text_query).with_only_columns(CustomerRow.id).subquery()
        return self._s.scalar(select(func.count()).select_from(sub)) or 0

    def stats(self, customer_ids: list[str], now: datetime) -> dict[str, CustomerStats]:
        if not customer_ids:
            return {}
        visited = case((BookingRow.status == BookingStatus.COMPLETED.value, 1), else_=0)
        no_show = case((BookingRow.status == BookingStatus.NO_SHOW.value, 1), else_=0)
        last = func.max(case((BookingRow.status == BookingStatus.COMPLETED.value, BookingRow.starts_at)))
        q = (select(BookingRow.customer_id, func.sum(visited), func.sum(no_show), last)
             .where(BookingRow.customer_id.in_(customer_ids), BookingRow.deleted_at.is_(None))
             .group_by(BookingRow.customer_id))
        out = {}
        for cid, visits, no_shows, last_visit in self._s.execute(q):
            out[cid] = CustomerStats(int(visits or 0), int(no_shows or 0),
                                     last_visit)
        return out

    def add(self, customer: Customer, salon_id: str, now: datetime) -> None:
        self._s.add(CustomerRow(
            id=customer.id, salon_id=salon_id, name=customer.name, search_name=fold_for_search(customer.name),
            phone=customer.phone, language=customer.language.value, notes=customer.notes,
            consent_reminders=customer.consent_reminders, consent_marketing=customer.consent_marketing,
            created_at=now, updated_at=now, sync_status=SyncStatus.PENDING.value))
        self._s.flush()

    def update(self, customer_id: str, fields: dict[str, object], now: datetime) -> None:
        row = self._s.get(CustomerRow, customer_id)
        assert row is not None
        for name, value in fields.items():
            setattr(row, name, value.value if hasattr(value, "value") else value)
        if "name" in fields:
            row.search_name = fold_for_search(row.name)
        row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()

    def server_seq(self, customer_id: str) -> int | None:
        row = self._s.get(CustomerRow, customer_id)
        return row.server_seq if row else None


class WalkInRepository:
    def __init__(self, session: Session):
        self._s = session

    def get(self, walkin_id: str) -> WalkIn | None:
        row = self._s.get(WalkInRow, walkin_id)
        return m.walk_in(row) if row and row.deleted_at is None else None

    def since(self, start: datetime) -> list[WalkIn]:
        q = (select(WalkInRow).where(WalkInRow.deleted_at.is_(None),
                                     (WalkInRow.arrived_at >= start) | (WalkInRow.state == "waiting"))
             .order_by(WalkInRow.arrived_at))
        return [m.walk_in(r) for r in self._s.scalars(q)]

    def add(self, walkin: WalkIn, salon_id: str, now: datetime) -> None:
        self._s.add(WalkInRow(
            id=walkin.id, salon_id=salon_id, name=walkin.name, phone=walkin.phone, customer_id=walkin.customer_id,
            service_id=walkin.service_id, preferred_staff_id=walkin.preferred_staff_id, arrived_at=walkin.arrived_at,
            state=walkin.state.value, created_at=now, updated_at=now, sync_status=SyncStatus.PENDING.value))
        self._s.flush()

    def update(self, walkin_id: str, fields: dict[str, object], now: datetime) -> None:
        row = self._s.get(WalkInRow, walkin_id)
        assert row is not None
        for name, value in fields.items():
            setattr(row, name, value.value if hasattr(value, "value") else value)
        row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()


class WaitlistRepository:
    def __init__(self, session: Session):
        self._s = session

    def get(self, entry_id: str) -> WaitlistEntry | None:
        row = self._s.get(WaitlistEntryRow, entry_id)
        return m.waitlist_entry(row) if row and row.deleted_at is None else None

    def open_entries(self, now: datetime) -> list[WaitlistEntry]:
        q = (select(WaitlistEntryRow).where(WaitlistEntryRow.deleted_at.is_(None),
                                            WaitlistEntryRow.state.in_(("waiting", "offered")),
                                            WaitlistEntryRow.window_end > now)
             .order_by(WaitlistEntryRow.created_at))
        return [m.waitlist_entry(r) for r in self._s.scalars(q)]

    def add(self, entry: WaitlistEntry, salon_id: str, now: datetime) -> None:
        self._s.add(WaitlistEntryRow(
            id=entry.id, salon_id=salon_id, customer_id=entry.customer_id, name=entry.name, phone=entry.phone,
            service_id=entry.service_id, staff_id=entry.staff_id, window_start=entry.window_start,
            window_end=entry.window_end, state=entry.state.value, notes=entry.notes, created_at=now,
            updated_at=now, sync_status=SyncStatus.PENDING.value))
        self._s.flush()

    def update(self, entry_id: str, fields: dict[str, object], now: datetime) -> None:
        row = self._s.get(WaitlistEntryRow, entry_id)
        assert row is not None
        for name, value in fields.items():
            setattr(row, name, value.value if hasattr(value, "value") else value)
        row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()
