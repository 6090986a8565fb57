"""The cloud's re-check of a pushed `moyasar_link` payment line (issue #12): a desk's bill counts a pay link's
money only if the cloud agrees that the link is paid (at least that much), belongs to the same visit and
salon, and is not already counted by another payment line. The rule is `domain.checkout.check_online_claim`;
a refusal carries its code and is never retried.

A void and a claim exclude each other (the rule: `domain.payments.check_void`): a voided payment holds no paid
money, so it is never claimed; a void being asked of Moyasar right now (its request row `started`) counts as
no money either; and a void of a link a bill has claimed is refused (`link_claimed`, read under the same
per-link lock the claim takes, so neither slips past the other).

`recorded_online_refund` answers the authority check (cloud/sync/authority.py) for a desk's book-keeping of an
online refund: a credit note (or an open bill's refund line) that gives back only what the cloud itself recorded
as refunded on the claimed link moves no money, so it needs no manager, whoever made the refund (a manager
through the desk, or someone in Moyasar's dashboard); the rule is `domain.online_payments.refund_is_recorded`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salon_desk.domain.checkout import OnlineMoney, check_online_claim
from salon_desk.domain.errors import DomainError
from salon_desk.domain.online_payments import refund_is_recorded
from salon_desk.sync.schemas.names import MutationName

from ..db import lock_key
from ..payments.replication import link_summary
from ..payments.rows import OnlinePaymentRow, PaymentRequestRow
from .context import CommandContext, Refusal
from .tables import REPLICATED_TABLES

ONLINE_METHOD = "moyasar_link"
VOID_ANSWER_WINDOW = timedelta(minutes=10)


def check_claim(ctx: CommandContext, values: dict[str, Any]) -> None:
    """Refuses the payment line `values` (entity id = the mutation's) unless its online money is real."""
    if values.get("method") != ONLINE_METHOD:
        return
    link_id = str(values.get("external_id") or "")
    money = _money(ctx, link_id)
    if money is not None:  # two desks' claims of one link, pushed at once: the second sees the first
        lock_claims(ctx.changes.session, ctx.salon_id, link_id)
        if void_pending(ctx.changes.session, ctx.salon_id, link_id, ctx.now - VOID_ANSWER_WINDOW):
            money = None  # on its way back to the customer: not money a bill may count
    table = REPLICATED_TABLES["payment"]
    other = ctx.changes.session.scalar(select(table.c.id).where(
        table.c.salon_id == ctx.salon_id, table.c.method == ONLINE_METHOD, table.c.external_id == link_id,
        table.c.id != ctx.mutation.entity_id, table.c.deleted_at.is_(None)).limit(1)) if money else None
    try:
        check_online_claim(int(values.get("amount_halalas") or 0), money, values.get("booking_id"),
                           values.get("checkout_id"), other is not None)
    except DomainError as refused:
        raise Refusal("invalid", refused.code) from None


def lock_claims(session: Session, salon_id: str, link_id: str) -> None:
    """Serialises claims and voids of one pay link until the transaction ends."""
    lock_key(session, f"online_claim:{salon_id}:{link_id}")


def link_claimed(session: Session, salon_id: str, link_id: str) -> bool:
    """Whether a bill (any desk's, as pushed) counts this pay link's money."""
    table = REPLICATED_TABLES["payment"]
    return session.scalar(select(table.c.id).where(
        table.c.salon_id == salon_id, table.c.method == ONLINE_METHOD, table.c.external_id == link_id,
        table.c.deleted_at.is_(None)).limit(1)) is not None


def void_pending(session: Session, salon_id: str, link_id: str, since: datetime) -> bool:
    """A void of one of the link's payments was started since `since` and not yet answered (one never
    answered, e.g. Moyasar timed out, stops counting after the window: its webhook or reconciliation says
    by then whether the money went back)."""
    return session.scalar(
        select(PaymentRequestRow.id)
        .join(OnlinePaymentRow, (OnlinePaymentRow.salon_id == PaymentRequestRow.salon_id)
              & (OnlinePaymentRow.id == PaymentRequestRow.payment_id))
        .where(PaymentRequestRow.salon_id == salon_id, PaymentRequestRow.kind == "void",
               PaymentRequestRow.state == "started", PaymentRequestRow.created_at >= since,
               OnlinePaymentRow.salon_id == salon_id,
               OnlinePaymentRow.link_id == link_id)
        .limit(1)
    ) is not None


def recorded_online_refund(ctx: CommandContext) -> bool:
    """Whether the pushed credit note (or refund line) books only online refunds the cloud recorded on the pay
    links its payment lines claimed, and nothing else: then no manager's authority is needed."""
    args = ctx.args
    if ctx.mutation.name == MutationName.CREDIT_NOTE_ISSUE:
        refunds = args.get("refunds")
        if not isinstance(refunds, list) or not refunds or not all(isinstance(r, dict) for r in refunds):
            return False
        if sum(_int(r.get("amount_halalas")) for r in refunds) != _int(args.get("gross_halalas")):
            return False  # the note gives back more than its online refunds
    elif ctx.mutation.name == MutationName.REFUND_RECORD:
        refunds = [args]
    else:
        return False
    asked: dict[str, int] = {}
    for refund in refunds:
        if refund.get("method") != ONLINE_METHOD or not isinstance(refund.get("payment_id"), str):
            return False
        asked[refund["payment_id"]] = asked.get(refund["payment_id"], 0) + _int(refund.get("amount_halalas"))
    own_ids = [str(r.get("id")) for r in refunds if r.get("id")] or [str(ctx.mutation.entity_id)]
    return all(_recorded(ctx, payment_id, amount, own_ids) for payment_id, amount in asked.items())


def _recorded(ctx: CommandContext, payment_id: str, amount: int, own_ids: list[str]) -> bool:
    session = ctx.changes.session
    payments, refunds = REPLICATED_TABLES["payment"], REPLICATED_TABLES["refund"]
    line = session.execute(select(payments.c.external_id, payments.c.amount_halalas).where(
        payments.c.salon_id == ctx.salon_id, payments.c.id == payment_id, payments.c.method == ONLINE_METHOD,
        payments.c.deleted_at.is_(None))).first()
    money = _money(ctx, str(line.external_id or "")) if line is not None else None
    if line is None or money is None:
        return False
    booked = session.scalar(select(func.coalesce(func.sum(refunds.c.amount_halalas), 0)).where(
        refunds.c.salon_id == ctx.salon_id, refunds.c.payment_id == payment_id, refunds.c.deleted_at.is_(None),
        refunds.c.id.not_in(own_ids)))
    # What the cloud says this line no longer holds: the line counted the link's net when it was written.
    recorded = max(0, int(line.amount_halalas) - money.net_halalas)
    return refund_is_recorded(recorded, int(booked or 0), amount)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _money(ctx: CommandContext, link_id: str) -> OnlineMoney | None:
    try:
        uuid.UUID(link_id)
    except ValueError:
        return None
    summary = link_summary(ctx.changes.session, ctx.salon_id, link_id)
    if summary is None:
        return None
    return OnlineMoney(link_id, _text(summary["booking_id"]), _text(summary["checkout_id"]),
                       int(summary["paid_halalas"]), int(summary["refunded_halalas"]), summary["company"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
