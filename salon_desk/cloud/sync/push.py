"""POST /v1/sync/push (specs/sync.md §3.6): mutations in order, each in its own transaction with a receipt.

Known mutation id -> the stored answer (or 409 idempotency_key_reuse for a different payload). Unknown id at
or below the device's last device_seq -> 409 device_rewound. An unexpected error answers `retry` for that
mutation and every later one: order is kept and nothing is half-done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError
from salon_desk.sync.protocol import (
    ENTITY_FIELDS,
    Mutation,
    MutationResult,
    PushRequest,
    PushResponse,
    RowChange,
    format_instant,
)

from ..clock import Clock
from ..db import Database
from ..devices.rows import DeviceRow
from ..devices.service import AuthenticatedDevice
from ..salons.rows import SalonSyncRow
from . import bookings, records, resolve
from .changes import ChangeSet, current_rows
from .context import CommandContext, Outcome, Refusal
from .notify import SalonNotifier
from .tables import MutationReceiptRow

log = logging.getLogger(__name__)

Handler = Callable[[CommandContext], Outcome]
HANDLERS: dict[str, Handler] = {
    "booking.create": bookings.handle_create,
    "booking.reschedule": bookings.handle_reschedule,
    "booking.transition": bookings.handle_transition,
    "booking.cancel": bookings.handle_cancel,
    "booking.patch_notes": records.handle_patch("booking"),
    "customer.create": records.handle_customer_create,
    "customer.patch": records.handle_patch("customer"),
    "walk_in.create": records.handle_create("walk_in"),
    "walk_in.patch": records.handle_patch("walk_in"),
    "walkin.seat": records.handle_walkin_seat,
    "waitlist_entry.create": records.handle_create("waitlist_entry"),
    "waitlist_entry.patch": records.handle_patch("waitlist_entry"),
    "conflict.resolve": resolve.handle_resolve,
}


class PushService:
    def __init__(self, db: Database, clock: Clock, notifier: SalonNotifier) -> None:
        self._db = db
        self._clock = clock
        self._notifier = notifier

    def push(self, device: AuthenticatedDevice, request: PushRequest) -> PushResponse:
        if request.epoch:
            self._check_epoch(device.salon_id, request.epoch)
        results: list[MutationResult] = []
        for position, mutation in enumerate(request.mutations):
            try:
                results.append(self._one(device, mutation))
            except DomainError:
                raise  # request-level answers (409 idempotency_key_reuse, device_rewound)
            except Exception:
                log.exception(
                    "mutation failed; the batch stops here",
                    extra={"fields": {"mutation": mutation.name, "device_id": device.device_id}},
                )
                results += [
                    MutationResult(mutation_id=m.mutation_id, status="retry", code="internal")
                    for m in request.mutations[position:]
                ]
                break
        if any(r.status != "retry" for r in results):
            self._notifier.notify(device.salon_id)
        with self._db.reader() as session:
            counter = session.get(SalonSyncRow, device.salon_id)
            assert counter is not None
            epoch, head = counter.epoch, counter.last_seq
        return PushResponse(
            epoch=epoch, results=results, head_seq=head, server_time=format_instant(self._clock.now())
        )

    def _check_epoch(self, salon_id: str, epoch: str) -> None:
        """A desk still on an older epoch must recover first (specs/sync.md §3.15): re-push its recent
        acknowledged mutations before newer ones, or their device_seq order would break."""
        with self._db.reader() as session:
            current = session.scalar(select(SalonSyncRow.epoch).where(SalonSyncRow.salon_id == salon_id))
        if current is not None and current != epoch:
            raise Conflict("epoch_changed", epoch=current)

    def _one(self, device: AuthenticatedDevice, mutation: Mutation) -> MutationResult:
        digest = mutation.payload_sha256()
        with self._db.session() as session:
            stored = _stored_result(session, mutation, digest)
            if stored is not None:
                return stored
            last_seq = session.scalar(
                select(DeviceRow.last_device_seq).where(DeviceRow.id == device.device_id)
            )
            if mutation.device_seq <= (last_seq or 0):
                raise Conflict("device_rewound", last_device_seq=last_seq)
            receipt = MutationReceiptRow(
                mutation_id=mutation.mutation_id,
                salon_id=device.salon_id,
                device_id=device.device_id,
                device_seq=mutation.device_seq,
                payload_sha256=digest,
                status="pending",
                result={},
                received_at=self._clock.now(),
            )
            session.add(receipt)
            try:
                session.flush()  # a concurrent duplicate waits here, then fails on the primary key
            except IntegrityError:
                session.rollback()
                stored = _stored_result(session, mutation, digest)
                if stored is None:
                    raise
                return stored
            result = self._run(session, device, mutation)
            receipt.status, receipt.code = result.status, result.code
            receipt.result = result.model_dump(mode="json")
            session.execute(
                update(DeviceRow)
                .where(DeviceRow.id == device.device_id)
                .values(last_device_seq=mutation.device_seq)
            )
            session.commit()
            return result

    def _run(self, session: Session, device: AuthenticatedDevice, mutation: Mutation) -> MutationResult:
        changes = ChangeSet(session, device.salon_id)
        changes.seq  # noqa: B018 - take the salon's counter lock before anything else
        ctx = CommandContext(mutation, device.device_id, device.name, changes, self._clock.now())
        handler = HANDLERS.get(mutation.name)
        try:
            if handler is None:
                raise Refusal("invalid", "sync.unknown_mutation", name=mutation.name)
            with session.begin_nested():
                outcome = handler(ctx)
        except Refusal as refusal:
            return _refused(ctx, refusal)
        except DomainError as error:  # a domain rule refused the arguments
            return _refused(ctx, Refusal("invalid", error.code, **error.params))
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status=outcome.status,
            code=outcome.code,
            params=outcome.params,
            server_seq=changes.seq,
            conflict_id=outcome.conflict_id,
            rows=changes.rows,
        )


def _stored_result(session: Session, mutation: Mutation, digest: bytes) -> MutationResult | None:
    receipt = session.get(MutationReceiptRow, mutation.mutation_id)
    if receipt is None:
        return None
    if receipt.payload_sha256 != digest:
        raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
    return MutationResult.model_validate(receipt.result)


def _refused(ctx: CommandContext, refusal: Refusal) -> MutationResult:
    ctx.changes.rows.clear()
    mutation = ctx.mutation
    conflict_id = ctx.record_conflict(
        refusal.kind, mutation.entity, mutation.entity_id, code=refusal.code, params=_jsonable(refusal.params)
    )
    return MutationResult(
        mutation_id=mutation.mutation_id,
        status="refused",
        code=refusal.code,
        params=_jsonable(refusal.params),
        server_seq=ctx.changes.seq,
        conflict_id=conflict_id,
        rows=[*ctx.changes.rows, *_entity_rows(ctx)],
    )


def _entity_rows(ctx: CommandContext) -> list[RowChange]:
    """The server's present version of what the desk changed optimistically, so the desk can undo it."""
    entity, entity_id = ctx.mutation.entity, ctx.mutation.entity_id
    if entity not in ENTITY_FIELDS:
        return []
    rows = current_rows(ctx.changes.session, ctx.salon_id, entity, [entity_id])
    if entity == "booking":
        item_ids = [i["id"] for i in bookings.booking_items(ctx, entity_id)]
        rows += current_rows(ctx.changes.session, ctx.salon_id, "booking_item", item_ids)
    return rows


def _jsonable(params: dict[str, object]) -> dict[str, object]:
    return {
        k: v if isinstance(v, bool | int | float | str) or v is None else str(v) for k, v in params.items()
    }
