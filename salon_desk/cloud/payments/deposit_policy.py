"""The salon's deposit policy applied in the cloud (issue #12): `domain.deposit_policy` decides, this module
records and performs.

    record_deposit_event(session, salon_id, booking_id, event, starts_at, now)   # in the booking change's
        transaction (cloud/sync/bookings.py for desks' pushes, cloud/links/actions.py for the booking page)
    perform_deposit_refunds(db, clock, payments)                                 # the payments job

A refund is recorded as a queued `payment_request` (id `deposit:<n>:<payment id>`) in the same transaction as the
booking change; the job claims it, then refunds through `PaymentsService.refund` with that id as its
idempotency key, so a retried or crashed job re-fetches the payment before asking again and never refunds
twice. Moyasar is never called inside the booking's transaction. For these rows `created_at` is when the job
last claimed them (the intent's own time is in its audit event). Keep and carry over move nothing: they are
audited only. Every outcome is a `payment_audit` event (entity `deposit`, on the deposit's link).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from salon_desk.domain.deposit_policy import PROFILE_FIELDS as POLICY_FIELDS
from salon_desk.domain.deposit_policy import (
    DepositAction,
    DepositEvent,
    DepositOutcome,
    DepositPolicy,
    deposit_outcome,
    policy_of,
)
from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id
from salon_desk.domain.payments import PaymentState, PaymentStatus

from ..clock import Clock
from ..db import Database
from ..errors import Unavailable
from ..salons.rows import SalonRow
from ..sync.tables import REPLICATED_TABLES
from .rows import OnlinePaymentRow, PayLinkRow, PaymentAuditRow, PaymentRequestRow

log = logging.getLogger(__name__)

KEY_PREFIX = "deposit:"
CLAIM = timedelta(seconds=60)  # longer than a refund's fetch + call: a live claim is never taken over
OPEN_STATES = ("queued", "started")


FATE_TEXTS = {  # the customer's page after the booking changed ({amount}: the deposit in SAR)
    "refund_pending": N_("A refund of {amount} is on its way to your card, as the salon's deposit policy "
                         "provides."),
    "refund_done": N_("Your deposit of {amount} was refunded to your card."),
    "keep": N_("Your deposit of {amount} is kept, as the salon's deposit policy provides."),
    "carry_over": N_("Your deposit of {amount} carries over to the new time."),
}


@dataclass(frozen=True, slots=True)
class DepositFate:
    """What the customer's page says of the deposit after the booking changed."""

    action: DepositAction  # REFUND, KEEP or CARRY_OVER
    amount_halalas: int  # refunded or to be refunded; kept; carried over
    refund_done: bool  # REFUND only: Moyasar has returned it

    @property
    def text(self) -> str:
        """The untranslated message (FATE_TEXTS) the page shows."""
        if self.action is DepositAction.REFUND:
            return FATE_TEXTS["refund_done" if self.refund_done else "refund_pending"]
        return FATE_TEXTS[self.action.value]


def salon_policy(session: Session, salon_id: str) -> DepositPolicy:
    """The salon's policy as its profile sets it (the one its booking page states), with its cancellation
    cutoff; a salon without a profile row yet has the default policy."""
    table = REPLICATED_TABLES["salon"]
    row = session.execute(
        select(table.c.cancel_cutoff_minutes, *(table.c[name] for name in POLICY_FIELDS))
        .where(table.c.salon_id == salon_id, table.c.id == salon_id)
    ).mappings().first()
    profile = dict(row) if row is not None else {}
    cutoff = profile.get("cancel_cutoff_minutes")
    if not cutoff:
        tenant = session.get(SalonRow, salon_id)
        cutoff = ((tenant.public_settings if tenant else None) or {}).get("cancel_cutoff_minutes")
    return policy_of(profile, int(cutoff or 0))


def record_deposit_event(
    session: Session, salon_id: str, booking_id: str, event: DepositEvent, starts_at: datetime, now: datetime,
) -> list[DepositOutcome]:
    """Applies the policy to every paid deposit of the booking, inside the caller's transaction."""
    policy = salon_policy(session, salon_id)
    outcomes = []
    for link_id, payment in _paid_deposits(session, salon_id, booking_id):
        asked = _open_refunds(session, salon_id, payment.id)
        outcome = deposit_outcome(policy, starts_at, event, now, payment.amount_halalas,
                                  payment.refunded_halalas + sum(r.amount_halalas or 0 for r in asked))
        actor = f"policy:{event.value}"
        if outcome.action is DepositAction.REFUND:
            session.add(PaymentRequestRow(
                salon_id=salon_id, id=_refund_key(session, salon_id, payment.id), kind="refund",
                payment_id=payment.id, amount_halalas=outcome.refund_halalas,
                refunded_before=payment.refunded_halalas, state="queued", actor=actor, created_at=now,
            ))
        _audit(session, salon_id, link_id, f"deposit.{outcome.action.value}", actor, now, {
            "booking_id": booking_id, "payment_id": payment.id, "event": event.value, "rule": outcome.rule,
            "late": outcome.late, "amount_halalas": payment.amount_halalas,
            "refund_halalas": outcome.refund_halalas,
        })
        outcomes.append(outcome)
    session.flush()  # inside the caller's savepoint: a refused change takes these rows back with it
    return outcomes


def perform_deposit_refunds(db: Database, clock: Clock, payments: RefundPath, limit: int = 50) -> int:
    """Refunds the queued policy refunds (no DB lock held while Moyasar is asked); returns how many it tried."""
    now = clock.now()
    with db.reader() as session:
        due = session.execute(
            select(PaymentRequestRow.salon_id, PaymentRequestRow.id, PaymentRequestRow.state,
                   PaymentRequestRow.created_at)
            .where(PaymentRequestRow.id.like(f"{KEY_PREFIX}%"),
                   or_(PaymentRequestRow.state == "queued",
                       (PaymentRequestRow.state == "started") & (PaymentRequestRow.created_at < now - CLAIM)))
            .order_by(PaymentRequestRow.created_at)
            .limit(limit)
        ).all()
    for salon_id, key, state, claimed_at in due:
        if _claim(db, clock, salon_id, key, state, claimed_at):
            _refund_one(db, clock, payments, salon_id, key)
    return len(due)


class RefundPath(Protocol):
    """The one method of PaymentsService the job uses: the desks' own refund path."""

    def refund(self, salon_id: str, payment_id: str, amount_halalas: int | None, *, idempotency_key: str,
               actor: str) -> object: ...


def _refund_one(db: Database, clock: Clock, payments: RefundPath, salon_id: str, key: str) -> None:
    with db.reader() as session:
        row = session.get(PaymentRequestRow, (salon_id, key))
        assert row is not None
        payment_id, amount, actor = row.payment_id, row.amount_halalas, row.actor
    try:
        payments.refund(salon_id, payment_id, amount, idempotency_key=key, actor=actor)
    except Unavailable as error:  # timeout, 429/5xx, not reachable: the next pass re-fetches, then retries
        _set_state(db, salon_id, key, "queued", clock.now())
        log.warning("deposit refund deferred", extra={"fields": {"salon_id": salon_id, "code": error.code}})
    except DomainError as error:  # Moyasar refused it, or nothing is left to refund: a manager looks
        _set_state(db, salon_id, key, "refused", clock.now())
        with db.session() as session:
            link_id = session.scalar(select(OnlinePaymentRow.link_id).where(
                OnlinePaymentRow.salon_id == salon_id, OnlinePaymentRow.id == payment_id))
            _audit(session, salon_id, link_id or payment_id, "deposit.refund_refused", actor, clock.now(),
                   {"payment_id": payment_id, "code": error.code, "refund_halalas": amount})
            session.commit()


def _claim(db: Database, clock: Clock, salon_id: str, key: str, state: str, claimed_at: datetime) -> bool:
    with db.session() as session:
        result = session.execute(
            update(PaymentRequestRow)
            .where(PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.id == key,
                   PaymentRequestRow.state == state, PaymentRequestRow.created_at == claimed_at)
            .values(state="started", created_at=clock.now())
        )
        session.commit()
        return isinstance(result, CursorResult) and result.rowcount == 1


def _set_state(db: Database, salon_id: str, key: str, state: str, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(PaymentRequestRow)
            .where(PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.id == key,
                   PaymentRequestRow.state.in_(OPEN_STATES))
            .values(state=state, created_at=now)
        )
        session.commit()


def deposit_fate(session: Session, salon_id: str, booking_id: str) -> DepositFate | None:
    """The latest policy outcome of the booking's deposit, as the customer's page states it."""
    links = [str(i) for i in session.scalars(select(PayLinkRow.id).where(
        PayLinkRow.salon_id == salon_id, PayLinkRow.booking_id == booking_id, PayLinkRow.purpose == "deposit"))]
    if not links:
        return None
    latest = session.scalars(
        select(PaymentAuditRow)
        .where(PaymentAuditRow.salon_id == salon_id, PaymentAuditRow.entity == "deposit",
               PaymentAuditRow.entity_id.in_(links),
               PaymentAuditRow.action.in_([f"deposit.{a.value}" for a in DepositAction if a is not
                                           DepositAction.NOTHING]))
        .order_by(PaymentAuditRow.at.desc(), PaymentAuditRow.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.after is None:
        return None
    facts = latest.after
    action = DepositAction(latest.action.removeprefix("deposit."))
    if action is DepositAction.REFUND:
        requests = session.scalars(select(PaymentRequestRow).where(
            PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.payment_id == facts["payment_id"],
            PaymentRequestRow.id.like(f"{KEY_PREFIX}%"))).all()
        done = bool(requests) and all(r.state == "done" for r in requests)
        return DepositFate(action, int(facts["refund_halalas"]), done)
    return DepositFate(action, int(facts["amount_halalas"]), False)


def _paid_deposits(session: Session, salon_id: str, booking_id: str) -> list[tuple[str, OnlinePaymentRow]]:
    rows = session.execute(
        select(PayLinkRow.id, OnlinePaymentRow)
        .join(OnlinePaymentRow, (OnlinePaymentRow.salon_id == PayLinkRow.salon_id)
              & (OnlinePaymentRow.link_id == PayLinkRow.id))
        .where(PayLinkRow.salon_id == salon_id, PayLinkRow.booking_id == booking_id,
               PayLinkRow.purpose == "deposit")
        .order_by(OnlinePaymentRow.created_at, OnlinePaymentRow.id)
    ).all()
    return [(link_id, payment) for link_id, payment in rows if _state(payment).is_paid]


def _state(row: OnlinePaymentRow) -> PaymentState:
    return PaymentState(PaymentStatus(row.status), row.amount_halalas, row.refunded_halalas)


def _open_refunds(session: Session, salon_id: str, payment_id: str) -> list[PaymentRequestRow]:
    """Refunds asked for this payment that Moyasar has not answered yet (by a desk or by this policy)."""
    return list(session.scalars(select(PaymentRequestRow).where(
        PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.payment_id == payment_id,
        PaymentRequestRow.kind == "refund", PaymentRequestRow.state.in_(OPEN_STATES))).all())


def _refund_key(session: Session, salon_id: str, payment_id: str) -> str:
    earlier = session.scalars(select(PaymentRequestRow.id).where(
        PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.payment_id == payment_id,
        PaymentRequestRow.id.like(f"{KEY_PREFIX}%"))).all()
    return f"{KEY_PREFIX}{len(earlier)}:{payment_id}"[:80]


def _audit(session: Session, salon_id: str, link_id: str, action: str, actor: str, now: datetime,
           after: dict[str, object]) -> None:
    """Not through PaymentsService._audit: this runs inside a booking's sync transaction, whose ChangeSet is
    the only one that may take the salon's seq (the link is re-published with its next money change)."""
    session.add(PaymentAuditRow(salon_id=salon_id, id=new_id(int(now.timestamp() * 1000)), at=now,
                                entity="deposit", entity_id=link_id, action=action[:40], actor=actor[:80],
                                before=None, after=after))
