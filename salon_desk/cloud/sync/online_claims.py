"""The cloud's re-check of a pushed `moyasar_link` payment line (issue #12): a desk's bill counts a pay link's
money only if the cloud agrees that the link is paid (at least that much), belongs to the same visit and
salon, and is not already counted by another payment line. The rule is `domain.checkout.check_online_claim`;
a refusal carries its code and is never retried.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from salon_desk.domain.checkout import OnlineMoney, check_online_claim
from salon_desk.domain.errors import DomainError

from ..db import lock_key
from ..payments.replication import link_summary
from .context import CommandContext, Refusal
from .tables import REPLICATED_TABLES

ONLINE_METHOD = "moyasar_link"


def check_claim(ctx: CommandContext, values: dict[str, Any]) -> None:
    """Refuses the payment line `values` (entity id = the mutation's) unless its online money is real."""
    if values.get("method") != ONLINE_METHOD:
        return
    link_id = str(values.get("external_id") or "")
    money = _money(ctx, link_id)
    if money is not None:  # two desks' claims of one link, pushed at once: the second sees the first
        lock_key(ctx.changes.session, f"online_claim:{ctx.salon_id}:{link_id}")
    table = REPLICATED_TABLES["payment"]
    other = ctx.changes.session.scalar(select(table.c.id).where(
        table.c.salon_id == ctx.salon_id, table.c.method == ONLINE_METHOD, table.c.external_id == link_id,
        table.c.id != ctx.mutation.entity_id, table.c.deleted_at.is_(None)).limit(1)) if money else None
    try:
        check_online_claim(int(values.get("amount_halalas") or 0), money, values.get("booking_id"),
                           values.get("checkout_id"), other is not None)
    except DomainError as refused:
        raise Refusal("invalid", refused.code) from None


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
