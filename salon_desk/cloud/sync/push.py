"""POST /v1/sync/push (specs/sync.md §3.6): mutations in order, each in its own transaction with a receipt.

The batch is checked whole before anything applies (`check_batch`, `_check_receipts`): duplicate mutation ids,
device_seq gaps or disorder answer 422; a known id with a different payload 409 idempotency_key_reuse; an
unknown id at or below the device's last device_seq 409 device_rewound. Nothing is written then.

Receipts are the salon's own: looked up and keyed by (salon_id, mutation_id), so a desk never sees, learns of
or blocks another salon's mutations. Each mutation then ends `applied`, `conflict` or `refused`; `retry` only
for a transient fault (faults.is_transient), for that mutation and every later one, so order is kept. An
unexpected error is tried ATTEMPTS times in fresh transactions, then answered `refused` `server_error` with a
conflict card, and the next mutation still applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError, ValidationError
from salon_desk.sync import schemas
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
from ..metrics import CloudMetrics
from ..salons.rows import SalonSyncRow
from . import bookings, records, resolve
from .changes import ChangeSet, current_rows
from .context import CommandContext, Outcome, Refusal
from .faults import is_transient, is_unique_violation
from .notify import SalonNotifier
from .tables import MutationReceiptRow

log = logging.getLogger(__name__)

ATTEMPTS = 3  # tries of one mutation that fails unexpectedly, each in a fresh transaction
SERVER_ERROR = "server_error"

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
Step = Callable[[Session, AuthenticatedDevice, Mutation], MutationResult]


def check_batch(mutations: list[Mutation]) -> None:
    """Rules of the batch as a whole (each envelope was validated by protocol.Mutation): distinct ids and
    device_seq increasing by one, as a desk's outbox sends them. Raises 422 before anything applies."""
    seen: set[str] = set()
    previous: int | None = None
    for mutation in mutations:
        if mutation.mutation_id in seen:
            raise ValidationError("sync.duplicate_mutation", mutation_id=mutation.mutation_id)
        seen.add(mutation.mutation_id)
        if previous is not None and mutation.device_seq != previous + 1:
            raise ValidationError("sync.bad_sequence", device_seq=mutation.device_seq, expected=previous + 1)
        previous = mutation.device_seq


class PushService:
    def __init__(
        self, db: Database, clock: Clock, notifier: SalonNotifier, metrics: CloudMetrics | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._notifier = notifier
        self._metrics = metrics or CloudMetrics()

    def push(self, device: AuthenticatedDevice, request: PushRequest) -> PushResponse:
        check_batch(request.mutations)
        if request.epoch:
            self._check_epoch(device.salon_id, request.epoch)
        self._check_receipts(device, request.mutations)
        results: list[MutationResult] = []
        for position, mutation in enumerate(request.mutations):
            try:
                results.append(self._attempts(device, mutation))
            except DomainError:
                raise  # request-level answers (409 idempotency_key_reuse, device_rewound) after a race
            except Exception:  # transient (faults.is_transient): order is kept, the desk sends it again
                log.warning(
                    "mutation hit a transient fault; it and the rest of the batch answer retry",
                    exc_info=True,
                    extra={"fields": _log_fields(device, mutation)},
                )
                self._metrics.sync_errors.labels("transient").inc()
                results += [
                    MutationResult(mutation_id=m.mutation_id, status="retry", code="unavailable")
                    for m in request.mutations[position:]
                ]
                break
        for result in results:
            self._metrics.sync_mutations.labels(result.status).inc()
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

    def _check_receipts(self, device: AuthenticatedDevice, mutations: list[Mutation]) -> None:
        """The request-level answers, before the first mutation runs: a batch is never half-written."""
        if not mutations:
            return
        with self._db.reader() as session:
            digests = dict(
                session.execute(
                    select(MutationReceiptRow.mutation_id, MutationReceiptRow.payload_sha256).where(
                        MutationReceiptRow.salon_id == device.salon_id,
                        MutationReceiptRow.mutation_id.in_([m.mutation_id for m in mutations]),
                    )
                ).all()
            )
            last_seq = session.scalar(
                select(DeviceRow.last_device_seq).where(DeviceRow.id == device.device_id)
            )
        for mutation in mutations:
            digest = digests.get(mutation.mutation_id)
            if digest is not None and digest != mutation.payload_sha256():
                raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
            if digest is None and mutation.device_seq <= (last_seq or 0):
                raise Conflict("device_rewound", last_device_seq=last_seq)

    def _attempts(self, device: AuthenticatedDevice, mutation: Mutation) -> MutationResult:
        """The mutation's answer; raises only request-level DomainErrors and transient faults."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._one(device, mutation, self._run)
            except DomainError:
                raise
            except Exception as error:
                if is_transient(error):
                    raise
                log.exception(
                    "mutation failed unexpectedly (attempt %d of %d)",
                    attempt,
                    ATTEMPTS,
                    extra={"fields": _log_fields(device, mutation)},
                )
                self._metrics.sync_errors.labels("attempt_failed").inc()
        log.error(
            "mutation refused as server_error after %d attempts",
            ATTEMPTS,
            extra={"fields": _log_fields(device, mutation)},
        )
        self._metrics.sync_errors.labels(SERVER_ERROR).inc()
        try:
            return self._one(device, mutation, self._server_error)
        except DomainError:
            raise
        except Exception as error:
            if is_transient(error):
                raise
            log.exception("server_error could not be stored", extra={"fields": _log_fields(device, mutation)})
            return MutationResult(mutation_id=mutation.mutation_id, status="refused", code=SERVER_ERROR)

    def _one(self, device: AuthenticatedDevice, mutation: Mutation, step: Step) -> MutationResult:
        digest = mutation.payload_sha256()
        with self._db.session() as session:
            stored = _stored_result(session, device.salon_id, mutation, digest)
            if stored is not None:
                return stored
            last_seq = session.scalar(
                select(DeviceRow.last_device_seq).where(DeviceRow.id == device.device_id)
            )
            if mutation.device_seq <= (last_seq or 0):
                raise Conflict("device_rewound", last_device_seq=last_seq)
            receipt = MutationReceiptRow(
                salon_id=device.salon_id,
                mutation_id=mutation.mutation_id,
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
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is None:
                    raise
                return stored
            result = step(session, device, mutation)
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
            records.validate(ctx)  # the mutation's schema (sync/schemas.py), before any handler reads it
            if handler is None:
                raise Refusal("invalid", "sync.unknown_mutation", name=mutation.name)
            with session.begin_nested():
                outcome = handler(ctx)
        except Refusal as refusal:
            return _refused(ctx, refusal)
        except DomainError as error:  # a domain rule refused the arguments
            return _refused(ctx, Refusal("invalid", error.code, **error.params))
        except IntegrityError as error:  # the savepoint is rolled back; the receipt's transaction goes on
            if not is_unique_violation(error):
                raise
            # Entity ids are global keys today: an id another salon already uses. Said without any detail
            # of that row or salon, and never `retry` (it would fail the same way for ever).
            return _refused(ctx, Refusal("invalid", "sync.id_taken", entity=mutation.entity))
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status=outcome.status,
            code=outcome.code,
            params=outcome.params,
            server_seq=changes.seq,
            conflict_id=outcome.conflict_id,
            rows=changes.rows,
        )

    def _server_error(
        self, session: Session, device: AuthenticatedDevice, mutation: Mutation
    ) -> MutationResult:
        """The answer to a mutation that failed ATTEMPTS times: refused, with a card every desk sees."""
        changes = ChangeSet(session, device.salon_id)
        kept = mutation.model_copy(update={"args": schemas.scrub(mutation.args)})  # storable on any database
        ctx = CommandContext(kept, device.device_id, device.name, changes, self._clock.now())
        return _refused(ctx, Refusal("invalid", SERVER_ERROR), best_effort=True)


def _stored_result(
    session: Session, salon_id: str, mutation: Mutation, digest: bytes
) -> MutationResult | None:
    receipt = session.scalars(
        select(MutationReceiptRow).where(
            MutationReceiptRow.salon_id == salon_id, MutationReceiptRow.mutation_id == mutation.mutation_id
        )
    ).first()
    if receipt is None:
        return None
    if receipt.payload_sha256 != digest:
        raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
    return MutationResult.model_validate(receipt.result)


def _refused(ctx: CommandContext, refusal: Refusal, *, best_effort: bool = False) -> MutationResult:
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
        rows=[*ctx.changes.rows, *(_entity_rows_if_readable(ctx) if best_effort else _entity_rows(ctx))],
    )


def _entity_rows_if_readable(ctx: CommandContext) -> list[RowChange]:
    """_entity_rows for a mutation that made the server fail: best effort, in a savepoint of its own."""
    try:
        with ctx.changes.session.begin_nested():
            return _entity_rows(ctx)
    except Exception as error:
        if is_transient(error):
            raise
        log.warning("the refused mutation's rows could not be read", exc_info=True)
        return []


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


def _log_fields(device: AuthenticatedDevice, mutation: Mutation) -> dict[str, object]:
    return {
        "mutation_id": mutation.mutation_id,
        "mutation": mutation.name,
        "device_id": device.device_id,
        "salon_id": device.salon_id,
    }
