"""The salon's deposit policy applied in the cloud (issue #12): `domain.deposit_policy` decides, this module
records and performs.

    record_deposit_event(session, salon_id, booking_id, event, starts_at, now)   # in the booking change's
        transaction (cloud/sync/bookings.py for desks' pushes, cloud/links/actions.py for the booking page)
    perform_deposit_refunds(db, clock, payments)                                 # the payments job

A refund is recorded as a pending `deposit_refund` row (idempotency key `deposit:<n>:<payment id>`) in the same
transaction as the booking change. The job claims rows (FOR UPDATE SKIP LOCKED on PostgreSQL, then a
compare-and-set on state and claim time, so two jobs never take one row), commits, and only then talks to
Moyasar: it re-fetches the payment, and when an earlier ask's answer was lost (`refunded_before` set and the
payment already refunded that much more) marks it done without asking again; otherwise it writes
`refunded_before`, asks Moyasar once, and records the outcome. Moyasar unreachable: pending again, retried by
the next pass. Moyasar refusing (or nothing left to refund): `refused`, audited, never retried; the customer's
page says the salon will contact them and the desks see it in the pay link's history. Keep and carry over move
nothing: they are audited only. Every outcome is a `payment_audit` event (entity `deposit`, on the deposit's
link).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import ColumnElement, CursorResult, Table, bindparam, or_, select, update
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
from salon_desk.domain.payments import LinkStatus, PaymentState, PaymentStatus, check_refund

from ..clock import Clock
from ..db import Database
from ..errors import Unavailable
from ..salons.rows import SalonRow
from ..sync.tables import REPLICATED_TABLES
from . import replication
from .rows import (
    DepositRefundRow,
    OnlinePaymentRow,
    PayLinkRow,
    PaymentAccountRow,
    PaymentAuditRow,
    PaymentRequestRow,
)

log = logging.getLogger(__name__)

KEY_PREFIX = "deposit:"
# Renewed just before each ask to Moyasar, and twice the longest timeout SALON_PAYMENTS_TIMEOUT_SECONDS allows
# (one attempt for a refund): a live claim is never taken over, a dead job's is after this.
CLAIM = timedelta(seconds=120)
OPEN_STATES = ("pending", "claimed")  # Moyasar has not answered yet
DESK_OPEN_STATES = ("started",)  # a desk's refund (payment_request) Moyasar has not answered yet


FATE_TEXTS = {  # the customer's page after the booking changed ({amount}: the deposit in SAR)
    "refund_pending": N_("A refund of {amount} is on its way to your card, as the salon's deposit policy "
                         "provides."),
    "refund_done": N_("Your deposit of {amount} was refunded to your card."),
    "refund_refused": N_("Your deposit of {amount} could not be refunded to your card automatically. The salon "
                         "will contact you to return it."),
    "keep": N_("Your deposit of {amount} is kept, as the salon's deposit policy provides."),
    "carry_over": N_("Your deposit of {amount} carries over to the new time."),
}


# The booking page's reads, built once (it runs them on every view): Core columns, values only.
_PROFILES = REPLICATED_TABLES["salon"]
_ACCOUNTS = cast(Table, PaymentAccountRow.__table__)
_PAY_LINKS = cast(Table, PayLinkRow.__table__)
_AUDIT = cast(Table, PaymentAuditRow.__table__)
_REFUNDS = cast(Table, DepositRefundRow.__table__)
_ACCOUNT = select(_ACCOUNTS.c.salon_id).where(_ACCOUNTS.c.salon_id == bindparam("salon"))
_SALON_DEPOSIT = select(_PROFILES.c.deposit_halalas).where(_PROFILES.c.salon_id == bindparam("salon"),
                                                           _PROFILES.c.id == bindparam("salon"))
_DEPOSIT_LINKS = select(_PAY_LINKS.c.id).where(
    _PAY_LINKS.c.salon_id == bindparam("salon"), _PAY_LINKS.c.booking_id == bindparam("booking"),
    _PAY_LINKS.c.purpose == "deposit")
_PAID_DEPOSIT = _DEPOSIT_LINKS.where(_PAY_LINKS.c.status == LinkStatus.PAID.value).limit(1)
_LATEST_OUTCOME = (
    select(_AUDIT.c.action, _AUDIT.c.after)
    .where(_AUDIT.c.salon_id == bindparam("salon"), _AUDIT.c.entity == "deposit",
           _AUDIT.c.entity_id.in_(bindparam("links", expanding=True)),
           _AUDIT.c.action.in_([f"deposit.{a.value}" for a in DepositAction if a is not DepositAction.NOTHING]))
    .order_by(_AUDIT.c.at.desc(), _AUDIT.c.id.desc())
    .limit(1)
)
_REFUND_STATES = select(_REFUNDS.c.state).where(_REFUNDS.c.salon_id == bindparam("salon"),
                                                _REFUNDS.c.payment_id == bindparam("payment"))


@dataclass(frozen=True, slots=True)
class DepositFate:
    """What the customer's page says of the deposit after the booking changed."""

    action: DepositAction  # REFUND, KEEP or CARRY_OVER
    amount_halalas: int  # refunded or to be refunded; kept; carried over
    refund_done: bool  # REFUND only: Moyasar has returned it
    refund_refused: bool = False  # REFUND only: Moyasar refused it; the salon returns it by hand

    @property
    def text(self) -> str:
        """The untranslated message (FATE_TEXTS) the page shows."""
        if self.action is DepositAction.REFUND:
            if self.refund_refused:
                return FATE_TEXTS["refund_refused"]
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


def deposit_state(session: Session, salon_id: str, booking_id: str) -> tuple[int, bool]:
    """(the deposit the salon asks, whether a deposit link of this booking is paid), inside the caller's
    transaction (the booking page reads it with everything else it shows). Nothing is asked while the salon
    has no Moyasar account."""
    has_account = session.execute(_ACCOUNT, {"salon": salon_id}).first() is not None
    asked = salon_deposit(session, salon_id) if has_account else 0
    if not asked:
        return 0, False
    paid = session.scalar(_PAID_DEPOSIT, {"salon": salon_id, "booking": booking_id})
    return asked, paid is not None


def salon_deposit(session: Session, salon_id: str) -> int:
    """The deposit the salon asks (halalas; 0: none): its profile's, as the owner set it on a desk and
    salon.patch replicated it. The one home of the amount; the payment account holds only the keys."""
    value = session.scalar(_SALON_DEPOSIT, {"salon": salon_id})
    return int(value or 0)


def record_deposit_event(
    session: Session, salon_id: str, booking_id: str, event: DepositEvent, starts_at: datetime, now: datetime,
) -> list[DepositOutcome]:
    """Applies the policy to every paid deposit of the booking, inside the caller's transaction."""
    policy = salon_policy(session, salon_id)
    outcomes = []
    for link_id, payment in _paid_deposits(session, salon_id, booking_id):
        outcome = deposit_outcome(policy, starts_at, event, now, payment.amount_halalas,
                                  payment.refunded_halalas + _asked_not_answered(session, salon_id, payment.id))
        actor = f"policy:{event.value}"
        if outcome.action is DepositAction.REFUND:
            session.add(DepositRefundRow(
                salon_id=salon_id, id=new_id(int(now.timestamp() * 1000)),
                idempotency_key=_refund_key(session, salon_id, payment.id), booking_id=booking_id,
                payment_id=payment.id, amount_halalas=outcome.refund_halalas,
                reason=outcome.rule.removeprefix("on_")[:16], actor=actor, state="pending", claimed_at=None,
                attempts=0, refunded_before=payment.refunded_halalas, last_error=None, created_at=now, updated_at=now,
            ))
        _audit(session, salon_id, link_id, f"deposit.{outcome.action.value}", actor, now, {
            "booking_id": booking_id, "payment_id": payment.id, "event": event.value, "rule": outcome.rule,
            "late": outcome.late, "amount_halalas": payment.amount_halalas,
            "refund_halalas": outcome.refund_halalas,
        })
        outcomes.append(outcome)
    session.flush()  # inside the caller's savepoint: a refused change takes these rows back with it
    return outcomes


class RefundPath(Protocol):
    """What the job asks of PaymentsService: Moyasar's word on a payment, and one refund, each merged forward
    into the salon's payments (and audited) by the service's own write path."""

    def fetch_payment_state(self, salon_id: str, payment_id: str, *, actor: str) -> PaymentState: ...

    def refund_at_provider(self, salon_id: str, payment_id: str, amount_halalas: int, *,
                           actor: str) -> PaymentState: ...


@dataclass(frozen=True, slots=True)
class _Claimed:
    salon_id: str
    id: str
    payment_id: str
    amount_halalas: int
    actor: str
    claimed_at: datetime
    refunded_before: int | None


def perform_deposit_refunds(db: Database, clock: Clock, payments: RefundPath, limit: int = 50) -> int:
    """Refunds what the policy decided (no database lock held while Moyasar is asked); returns how many it
    claimed. A refund deferred (Moyasar unreachable) waits for the next pass."""
    claimed = _claim_due(db, clock, limit)
    for refund in claimed:
        _refund_one(db, clock, payments, refund)
    return len(claimed)


def _claim_due(db: Database, clock: Clock, limit: int) -> list[_Claimed]:
    """Takes due refunds in one short transaction: SKIP LOCKED lets concurrent jobs pass each other on
    PostgreSQL; the compare-and-set on (state, claimed_at) keeps one owner on SQLite too."""
    now = clock.now()
    claimed = []
    with db.session() as session:
        due = session.execute(
            select(DepositRefundRow.salon_id, DepositRefundRow.id, DepositRefundRow.state,
                   DepositRefundRow.claimed_at)
            .where(or_(DepositRefundRow.state == "pending",
                       (DepositRefundRow.state == "claimed") & (DepositRefundRow.claimed_at < now - CLAIM)))
            .order_by(DepositRefundRow.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for salon_id, refund_id, state, claimed_at in due:
            taken = session.execute(
                update(DepositRefundRow)
                .where(DepositRefundRow.salon_id == salon_id, DepositRefundRow.id == refund_id,
                       DepositRefundRow.state == state,
                       DepositRefundRow.claimed_at.is_(None) if claimed_at is None
                       else DepositRefundRow.claimed_at == claimed_at)
                .values(state="claimed", claimed_at=now, attempts=DepositRefundRow.attempts + 1, updated_at=now)
            )
            if isinstance(taken, CursorResult) and taken.rowcount == 1:
                row = session.get(DepositRefundRow, (salon_id, refund_id))
                assert row is not None
                claimed.append(_Claimed(salon_id, refund_id, row.payment_id, row.amount_halalas, row.actor, now,
                                        row.refunded_before))
        session.commit()
    return claimed


def _refund_one(db: Database, clock: Clock, payments: RefundPath, refund: _Claimed) -> None:
    try:
        state = payments.fetch_payment_state(refund.salon_id, refund.payment_id, actor=refund.actor)
        if refund.refunded_before is not None and \
                state.refunded_halalas >= refund.refunded_before + refund.amount_halalas:
            _finish(db, clock, refund, "done")  # an earlier ask was applied; its answer was lost
            return
        check_refund(state, refund.amount_halalas)  # nothing left to refund (a desk refunded it): refused
        renewed = _about_to_ask(db, clock, refund, state.refunded_halalas)
        if renewed is None:
            return  # the claim was taken over: its new owner asks
        refund = renewed
        payments.refund_at_provider(refund.salon_id, refund.payment_id, refund.amount_halalas, actor=refund.actor)
    except Unavailable as error:  # timeout, 429/5xx, not reachable: the next pass re-fetches, then retries
        _finish(db, clock, refund, "pending", error.code)
        log.warning("deposit refund deferred", extra={"fields": {"salon_id": refund.salon_id, "code": error.code}})
        return
    except DomainError as error:  # Moyasar refused it, or nothing is left to refund: the salon returns it
        _refused(db, clock, refund, error.code)
        return
    _finish(db, clock, refund, "done")


def _about_to_ask(db: Database, clock: Clock, refund: _Claimed, refunded_before: int) -> _Claimed | None:
    """Writes what the payment had refunded before this ask, while the claim is still this job's, and renews
    the claim: the ask (bounded by the provider's timeout) ends well inside it, so no other job can take the
    row over and ask again meanwhile. None: the claim was lost."""
    now = clock.now()
    with db.session() as session:
        result = session.execute(
            update(DepositRefundRow)
            .where(*_still_mine(refund))
            .values(refunded_before=refunded_before, claimed_at=now, updated_at=now)
        )
        session.commit()
    if not (isinstance(result, CursorResult) and result.rowcount == 1):
        return None
    return replace(refund, claimed_at=now, refunded_before=refunded_before)


def _finish(db: Database, clock: Clock, refund: _Claimed, state: str, error: str | None = None) -> None:
    with db.session() as session:
        session.execute(
            update(DepositRefundRow)
            .where(*_still_mine(refund))
            .values(state=state, last_error=error[:80] if error else None, updated_at=clock.now(),
                    claimed_at=None if state == "pending" else refund.claimed_at)
        )
        session.commit()


def _refused(db: Database, clock: Clock, refund: _Claimed, code: str) -> None:
    """Refused for good, audited on the deposit's link in the same transaction, and that link re-published so
    every desk sees the refusal in its history."""
    now = clock.now()
    with db.session() as session:
        result = session.execute(
            update(DepositRefundRow)
            .where(*_still_mine(refund))
            .values(state="refused", last_error=code[:80], updated_at=now)
        )
        if not (isinstance(result, CursorResult) and result.rowcount == 1):
            session.rollback()
            return
        link_id = session.scalar(select(OnlinePaymentRow.link_id).where(
            OnlinePaymentRow.salon_id == refund.salon_id, OnlinePaymentRow.id == refund.payment_id))
        _audit(session, refund.salon_id, link_id or refund.payment_id, "deposit.refund_refused", refund.actor, now,
               {"payment_id": refund.payment_id, "code": code, "refund_halalas": refund.amount_halalas})
        if link_id is not None:
            replication.note(session, refund.salon_id, "pay_link", link_id)
        session.commit()


def _still_mine(refund: _Claimed) -> tuple[ColumnElement[bool], ...]:
    return (DepositRefundRow.salon_id == refund.salon_id, DepositRefundRow.id == refund.id,
            DepositRefundRow.state == "claimed", DepositRefundRow.claimed_at == refund.claimed_at)


def deposit_fate(session: Session, salon_id: str, booking_id: str) -> DepositFate | None:
    """The latest policy outcome of the booking's deposit, as the customer's page states it."""
    links = [str(i) for i in session.scalars(_DEPOSIT_LINKS, {"salon": salon_id, "booking": booking_id})]
    if not links:
        return None
    latest = session.execute(_LATEST_OUTCOME, {"salon": salon_id, "links": links}).first()
    if latest is None or latest.after is None:
        return None
    facts = latest.after
    action = DepositAction(latest.action.removeprefix("deposit."))
    if action is DepositAction.REFUND:
        states = list(session.scalars(_REFUND_STATES, {"salon": salon_id, "payment": facts["payment_id"]}).all())
        done = bool(states) and all(state == "done" for state in states)
        return DepositFate(action, int(facts["refund_halalas"]), done, refund_refused="refused" in states)
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


def _asked_not_answered(session: Session, salon_id: str, payment_id: str) -> int:
    """Refunds asked for this payment that Moyasar has not answered yet, by a desk or by this policy."""
    by_policy = session.scalars(select(DepositRefundRow.amount_halalas).where(
        DepositRefundRow.salon_id == salon_id, DepositRefundRow.payment_id == payment_id,
        DepositRefundRow.state.in_(OPEN_STATES))).all()
    by_desks = session.scalars(select(PaymentRequestRow.amount_halalas).where(
        PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.payment_id == payment_id,
        PaymentRequestRow.kind == "refund", PaymentRequestRow.state.in_(DESK_OPEN_STATES))).all()
    return sum(by_policy) + sum(amount or 0 for amount in by_desks)


def _refund_key(session: Session, salon_id: str, payment_id: str) -> str:
    earlier = session.scalars(select(DepositRefundRow.id).where(
        DepositRefundRow.salon_id == salon_id, DepositRefundRow.payment_id == payment_id)).all()
    return f"{KEY_PREFIX}{len(earlier)}:{payment_id}"[:80]


def _audit(session: Session, salon_id: str, link_id: str, action: str, actor: str, now: datetime,
           after: dict[str, object]) -> None:
    """Not through PaymentsService._audit: this runs inside a booking's sync transaction, whose ChangeSet is
    the only one that may take the salon's seq (the link is re-published with its next money change)."""
    session.add(PaymentAuditRow(salon_id=salon_id, id=new_id(int(now.timestamp() * 1000)), at=now,
                                entity="deposit", entity_id=link_id, action=action[:40], actor=actor[:80],
                                before=None, after=after))
