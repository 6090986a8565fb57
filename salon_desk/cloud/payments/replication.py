"""Pay links reach every desk by pull (issue #12): each transaction that audits a change to a link or one of
its payments also re-publishes that link's summary as the replicated, cloud-owned `online_payment` row, at the
transaction's sync seq (the one server write path, cloud/sync/changes.py).

    note(session, salon_id, "online_payment", payment_id)   # PaymentsService._audit calls it

The summary is written in a `before_commit` hook, after every row of the transaction changed, and registered
before the transaction's ChangeSet, so the ChangeSet indexes it in the same commit. It carries the money
(asked, paid, refunded), the statuses, the expiry and the audit history (who and when) — never a key, never
card data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.payments import PaymentState, PaymentStatus

from ..session_hooks import add_hook, has_hook
from ..sync.changes import ChangeSet
from .rows import OnlinePaymentRow, PayLinkRow, PaymentAuditRow

ENTITY = "online_payment"
REPLICATED_FROM = frozenset({"pay_link", "online_payment"})
HISTORY_LIMIT = 40
_TOUCHED, _CHANGES = "payments.touched", "payments.changes"


def note(session: Session, salon_id: str, entity: str, entity_id: str) -> None:
    """Remembers that `entity_id` changed in this transaction; its link is published before the commit."""
    if entity not in REPLICATED_FROM:
        return
    if not has_hook(session, "before_commit", _publish):
        add_hook(session, "before_commit", _publish)
    if _CHANGES not in session.info:  # one ChangeSet per transaction, its index hook after ours
        session.info[_CHANGES] = ChangeSet(session, salon_id)
        session.info[_TOUCHED] = set()
    session.info[_TOUCHED].add((entity, entity_id))


def _publish(session: Session) -> None:
    touched: set[tuple[str, str]] = session.info.pop(_TOUCHED, set())
    changes: ChangeSet | None = session.info.pop(_CHANGES, None)
    if changes is None or not touched:
        return
    salon_id = changes.salon_id
    link_ids: set[str] = set()
    for entity, entity_id in touched:
        if entity == "pay_link":
            link_ids.add(entity_id)
            continue
        payment = session.get(OnlinePaymentRow, (salon_id, entity_id))
        if payment is not None and payment.link_id is not None:
            link_ids.add(payment.link_id)
    for link_id in sorted(link_ids):
        summary = link_summary(session, salon_id, link_id)
        if summary is not None:
            changes.upsert(ENTITY, summary)


def link_summary(session: Session, salon_id: str, link_id: str) -> dict[str, Any] | None:
    """The replicated row of one link, from the rows as this transaction sees them."""
    link = session.get(PayLinkRow, (salon_id, link_id))
    if link is None:
        return None
    payments = session.scalars(
        select(OnlinePaymentRow)
        .where(OnlinePaymentRow.salon_id == salon_id, OnlinePaymentRow.link_id == link_id)
        .order_by(OnlinePaymentRow.created_at, OnlinePaymentRow.id)
    ).all()
    kept = [p for p in payments if _took_money(p)]
    main = kept[-1] if kept else (payments[-1] if payments else None)
    updated: datetime = max([link.updated_at, *(p.updated_at for p in payments)])
    message = (main.message if main is not None and main.status == PaymentStatus.FAILED.value else None) or (
        str((link.error or {}).get("message") or "") or None
    )
    return {
        "id": link.id,
        "booking_id": link.booking_id,
        "checkout_id": link.checkout_id,
        "purpose": link.purpose,
        "amount_halalas": link.amount_halalas,
        "status": link.status,
        "paid_halalas": sum(p.amount_halalas for p in kept),
        "refunded_halalas": sum(p.refunded_halalas for p in kept),
        "payment_id": main.id if main is not None else None,
        "payment_status": main.status if main is not None else None,
        "company": main.company if main is not None else None,
        "language": link.lang,
        "expires_at": link.expires_at,
        "message": message[:200] if message else None,
        "requested_by": link.created_by or "",
        "history": _history(session, salon_id, link_id, [p.id for p in payments]),
        "created_at": link.created_at,
        "updated_at": updated,
        "deleted_at": None,
    }


def _took_money(payment: OnlinePaymentRow) -> bool:
    state = PaymentState(PaymentStatus(payment.status), payment.amount_halalas, payment.refunded_halalas)
    return state.is_paid or payment.status == PaymentStatus.REFUNDED.value


def _history(session: Session, salon_id: str, link_id: str, payment_ids: list[str]) -> list[dict[str, Any]]:
    """The link's and its payments' audit events (newest HISTORY_LIMIT), oldest first: who did what, when."""
    rows = session.scalars(
        select(PaymentAuditRow)
        .where(PaymentAuditRow.salon_id == salon_id, PaymentAuditRow.entity_id.in_([link_id, *payment_ids]))
        .order_by(PaymentAuditRow.at.desc(), PaymentAuditRow.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    history = []
    for row in sorted(rows, key=lambda r: (r.at, _step(r.action))):
        after = row.after or {}
        history.append({
            "at": row.at.isoformat(),
            "action": row.action,
            "actor": row.actor,
            "status": after.get("status"),
            "refunded_halalas": after.get("refunded_halalas"),
        })
    return history


def _step(action: str) -> int:
    """Events of one transaction share an instant: tell them in the order they happen."""
    if action in {"link.create", "link.invoice"}:
        return 0
    if action == "payment.seen":
        return 1
    return 2 if action.startswith("payment.") else 3
