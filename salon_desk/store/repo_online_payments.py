"""Reads of the desk's read-only replica of online payments (issue #12). Nothing here writes: the rows come
only from pulls (sync/apply.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salon_desk.domain.online_payments import HistoryEntry, OnlinePayment
from salon_desk.domain.payments import LinkStatus, PaymentStatus

from .rows import OnlinePaymentRow

if TYPE_CHECKING:
    from salon_desk.domain.model import Actor

    from .uow import UnitOfWork


class OnlinePaymentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @staticmethod
    def record_request(uow: UnitOfWork, actor: Actor, action: str, link_id: str, after: dict[str, Any]) -> None:
        """This desk's audit event of a request it made of the cloud (a pay link sent, a refund): audit only,
        no outbox entry, since the money's state is the cloud's and arrives by pull."""
        uow.audit.record(actor, uow.salon_id(), action, "online_payment", link_id, None, after)
        uow.touched("online_payment", link_id)

    def get(self, link_id: str) -> OnlinePayment | None:
        row = self._session.get(OnlinePaymentRow, link_id)
        return _payment(row) if row is not None and row.deleted_at is None else None

    def for_visit(self, booking_id: str | None, checkout_id: str | None = None) -> list[OnlinePayment]:
        """A visit's links (by its booking or its bill), oldest first."""
        wanted = [c for c in (
            OnlinePaymentRow.booking_id == booking_id if booking_id else None,
            OnlinePaymentRow.checkout_id == checkout_id if checkout_id else None,
        ) if c is not None]
        if not wanted:
            return []
        rows = self._session.scalars(
            select(OnlinePaymentRow)
            .where(or_(*wanted), OnlinePaymentRow.deleted_at.is_(None))
            .order_by(OnlinePaymentRow.created_at, OnlinePaymentRow.id)
        )
        return [_payment(row) for row in rows]


def _payment(row: OnlinePaymentRow) -> OnlinePayment:
    return OnlinePayment(
        id=row.id,
        booking_id=row.booking_id,
        checkout_id=row.checkout_id,
        purpose=row.purpose,
        amount_halalas=row.amount_halalas,
        status=_link_status(row.status),
        paid_halalas=row.paid_halalas,
        refunded_halalas=row.refunded_halalas,
        payment_id=row.payment_id,
        company=row.company,
        expires_at=row.expires_at,
        message=row.message,
        requested_by=row.requested_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        history=_history(row.history or []),
        payment_status=_payment_status(row.payment_status),
    )


def _payment_status(value: str | None) -> PaymentStatus | None:
    try:
        return PaymentStatus(value) if value else None
    except ValueError:  # a newer cloud's status: not one this desk acts on
        return None


def _link_status(value: str) -> LinkStatus:
    try:
        return LinkStatus(value)
    except ValueError:  # a newer cloud's status: shown as still waiting, never as paid
        return LinkStatus.PENDING


def _history(entries: Sequence[Any]) -> tuple[HistoryEntry, ...]:
    history = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            continue
        try:
            at = datetime.fromisoformat(entry["at"])
        except ValueError:
            continue
        refunded = entry.get("refunded_halalas")
        history.append(HistoryEntry(
            at=at, action=str(entry.get("action") or ""), actor=str(entry.get("actor") or ""),
            status=entry.get("status") if isinstance(entry.get("status"), str) else None,
            refunded_halalas=refunded if isinstance(refunded, int) else None,
        ))
    return tuple(history)
