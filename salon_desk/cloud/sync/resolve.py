"""`conflict.resolve {conflict_id, resolution}`: a person closed a conflict card (specs/sync.md §3.9).

The card is cloud-owned and salon-wide, so the resolution is written through the ChangeSet like every
server write and reaches every desk on its next pull. A card the salon does not have is `gone`; resolving
an already resolved card (e.g. the accepted reschedule resolved it a moment earlier) keeps the first
resolution time and records the person's choice.
"""

from __future__ import annotations

from typing import Any

from salon_desk.domain.booking import BookingStatus

from .context import CommandContext, Outcome, Refusal

MAX_RESOLUTION = 40


def _still_quarantined(ctx: CommandContext, card: dict[str, Any]) -> bool:
    if card["kind"] != "overlap" or card["entity"] != "booking" or card["resolved_at"] is not None:
        return False
    booking = ctx.changes.get("booking", card["entity_id"])
    return booking is not None and booking["status"] == BookingStatus.NEEDS_ATTENTION.value


def handle_resolve(ctx: CommandContext) -> Outcome:
    conflict_id = ctx.mutation.entity_id
    if ctx.args.get("conflict_id", conflict_id) != conflict_id:
        raise Refusal("invalid", "sync.invalid", reason="conflict_id")
    resolution = ctx.args.get("resolution")
    if not isinstance(resolution, str) or not resolution or len(resolution) > MAX_RESOLUTION:
        raise Refusal("invalid", "sync.invalid", reason="resolution")
    card = ctx.changes.get("sync_conflict", conflict_id)  # other salons' cards are not found either
    if card is None or card["deleted_at"] is not None:
        raise Refusal("gone", "sync.gone")
    if _still_quarantined(ctx, card):
        # The fix sent before this (a reschedule) was refused: the card stays open. Writing it again sends
        # the open version back, which replaces the desk's optimistic "resolved" mark.
        ctx.changes.upsert("sync_conflict", {"id": conflict_id, "updated_at": ctx.now})
        return Outcome(code="conflict.still_open")
    ctx.changes.upsert(
        "sync_conflict",
        {
            "id": conflict_id,
            "resolved_at": card["resolved_at"] or ctx.now,
            "resolved_by": ctx.mutation.actor.desk_user_id,
            "resolution": resolution,
            "updated_at": ctx.now,
        },
    )
    return Outcome()
