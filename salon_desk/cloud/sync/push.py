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
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, select, update
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
from salon_desk.sync.schemas.names import MutationName

from ..clock import Clock
from ..db import Database
from ..devices.rows import DeviceRow
from ..devices.service import AuthenticatedDevice
from ..metrics import CloudMetrics
from ..salons.rows import SalonSyncRow
from . import authority, bookings, catalogue, checkout, records, resolve, users
from .changes import ChangeSet, current_rows
from .context import CommandContext, Outcome, Refusal
from .faults import is_transient, is_unique_violation
from .notify import SalonNotifier
from .tables import MutationReceiptRow

log = logging.getLogger(__name__)
RECEIPTS = cast(Table, MutationReceiptRow.__table__)

ATTEMPTS = 3  # tries of one mutation that fails unexpectedly, each in a fresh transaction
SERVER_ERROR = "server_error"

Handler = Callable[[CommandContext], Outcome]
HANDLERS: dict[str, Handler] = {  # keyed by MutationName; a wire string (a str) looks up the same entry
    MutationName.BOOKING_CREATE: bookings.handle_create,
    MutationName.BOOKING_RESCHEDULE: bookings.handle_reschedule,
    MutationName.BOOKING_TRANSITION: bookings.handle_transition,
    MutationName.BOOKING_CANCEL: bookings.handle_cancel,
    MutationName.BOOKING_PATCH_NOTES: records.handle_patch("booking"),
    MutationName.CUSTOMER_CREATE: records.handle_customer_create,
    MutationName.CUSTOMER_PATCH: records.handle_patch("customer"),
    MutationName.WALK_IN_CREATE: records.handle_create("walk_in"),
    MutationName.WALK_IN_PATCH: records.handle_patch("walk_in"),
    MutationName.WALK_IN_SEAT: records.handle_walkin_seat,
    MutationName.WAITLIST_CREATE: records.handle_create("waitlist_entry"),
    MutationName.WAITLIST_PATCH: records.handle_patch("waitlist_entry"),
    MutationName.CONFLICT_RESOLVE: resolve.handle_resolve,
    MutationName.DESK_USER_CREATE: users.handle_create,
    MutationName.DESK_USER_PATCH: users.handle_patch,
    MutationName.CHECKOUT_SAVE: checkout.handle_checkout_save,  # issue #11
    MutationName.PAYMENT_RECORD: checkout.handle_payment_record,
    MutationName.INVOICE_ISSUE: checkout.handle_invoice_issue,
    MutationName.CREDIT_NOTE_ISSUE: checkout.handle_credit_note_issue,
    MutationName.REFUND_RECORD: checkout.handle_refund_record,
    MutationName.DAILY_CLOSE_RECORD: checkout.handle_daily_close,
    MutationName.STAFF_CREATE: catalogue.handle_staff_create,  # issue #10
    MutationName.STAFF_PATCH: catalogue.handle_staff_patch,
    MutationName.STAFF_SET_SERVICES: catalogue.handle_set_services,
    MutationName.AVAILABILITY_SET_WEEK: catalogue.handle_set_week,
    MutationName.SERVICE_CREATE: catalogue.handle_service_create,
    MutationName.SERVICE_PATCH: catalogue.handle_service_patch,
    MutationName.EXCEPTION_CREATE: catalogue.handle_exception_create,
    MutationName.EXCEPTION_DELETE: catalogue.handle_exception_delete,
    MutationName.SALON_PATCH: catalogue.handle_salon_patch,
}


class Carry:
    """What one push request carries from a mutation's transaction to the next (issue #14): the rows its
    ChangeSet read or wrote, reused by the next mutation when no other writer of the salon committed in
    between (the next seq is exactly one more, and every write of a replicated row takes a seq)."""

    def __init__(self) -> None:
        self._current: ChangeSet | None = None
        self._kept: tuple[int, dict[tuple[str, str], dict[str, Any] | None]] | None = None

    def change_set(self, session: Session, salon_id: str) -> ChangeSet:
        self._current = ChangeSet(session, salon_id, carried=self._kept)
        return self._current

    def committed(self) -> None:
        """The current mutation's transaction committed: what its ChangeSet knows is now the salon's."""
        current, self._current = self._current, None
        self._kept = current.known_rows() if current is not None else None

    def dropped(self) -> None:
        self._current, self._kept = None, None


Step = Callable[[Session, AuthenticatedDevice, Mutation, Carry], MutationResult]


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
        if request.audit_head is not None:
            self._anchor(device, request.audit_head.seq, request.audit_head.hash)
        receipted = self._check_receipts(device, request.mutations)
        results: list[MutationResult] = []
        carry = Carry()
        for position, mutation in enumerate(request.mutations):
            try:
                results.append(self._attempts(device, mutation, mutation.mutation_id in receipted, carry))
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
        # No wake-up call here: each ChangeSet announced its own commit (notify.announce), in every process.
        with self._db.reader() as session:
            counter = session.get(SalonSyncRow, device.salon_id)
            assert counter is not None
            epoch, head = counter.epoch, counter.last_seq
        return PushResponse(
            epoch=epoch, results=results, head_seq=head, server_time=format_instant(self._clock.now())
        )

    def _anchor(self, device: AuthenticatedDevice, seq: int, chain_hash: str) -> None:
        """Keeps the desk's audit chain head (issue #10); a head that contradicts an earlier anchor is logged
        (the desk's chain was rewritten) and the first anchor is kept."""
        with self._db.session() as session:
            if not users.anchor(session, device.salon_id, device.device_id, seq, chain_hash, self._clock.now()):
                log.warning("audit chain head contradicts its anchor", extra={"fields": {"seq": seq}})
            try:
                session.commit()
            except IntegrityError:  # the same head from a concurrent push of this desk: already anchored
                session.rollback()

    def _check_epoch(self, salon_id: str, epoch: str) -> None:
        """A desk still on an older epoch must recover first (specs/sync.md §3.15): re-push its recent
        acknowledged mutations before newer ones, or their device_seq order would break."""
        with self._db.reader() as session:
            current = session.scalar(select(SalonSyncRow.epoch).where(SalonSyncRow.salon_id == salon_id))
        if current is not None and current != epoch:
            raise Conflict("epoch_changed", epoch=current)

    def _check_receipts(self, device: AuthenticatedDevice, mutations: list[Mutation]) -> set[str]:
        """The request-level answers, before the first mutation runs: a batch is never half-written.
        Returns the mutation ids that already have a receipt (their stored answer is read again later)."""
        if not mutations:
            return set()
        with self._db.reader() as session:
            digests = dict(
                session.execute(
                    select(MutationReceiptRow.mutation_id, MutationReceiptRow.payload_sha256).where(
                        MutationReceiptRow.salon_id == device.salon_id,
                        MutationReceiptRow.mutation_id.in_([m.mutation_id for m in mutations]),
                    )
                ).all()
            )
            last_seq = session.scalar(_last_device_seq(device))
        for mutation in mutations:
            digest = digests.get(mutation.mutation_id)
            if digest is not None and digest != mutation.payload_sha256():
                raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
            if digest is None and mutation.device_seq <= (last_seq or 0):
                raise Conflict("device_rewound", last_device_seq=last_seq)
        return {str(mutation_id) for mutation_id in digests}

    def _attempts(
        self, device: AuthenticatedDevice, mutation: Mutation, receipted: bool, carry: Carry
    ) -> MutationResult:
        """The mutation's answer; raises only request-level DomainErrors and transient faults."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._one(device, mutation, self._run, carry, receipted=receipted)
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
            return self._one(device, mutation, self._server_error, carry, receipted=receipted)
        except DomainError:
            raise
        except Exception as error:
            if is_transient(error):
                raise
            log.exception("server_error could not be stored", extra={"fields": _log_fields(device, mutation)})
            return MutationResult(mutation_id=mutation.mutation_id, status="refused", code=SERVER_ERROR)

    def _one(
        self,
        device: AuthenticatedDevice,
        mutation: Mutation,
        step: Step,
        carry: Carry,
        *,
        receipted: bool = True,
    ) -> MutationResult:
        digest = mutation.payload_sha256()
        with self._db.session() as session:
            if receipted:  # the batch check saw a receipt: answer what was stored
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is not None:
                    return stored
            # No receipt when the batch was checked. A concurrent push of the same mutation waits on the
            # salon's counter lock (taken first by every writer), then fails on the receipt's primary key
            # below and answers the stored result; a rewound desk fails on its device_seq. Either way the
            # transaction, the handler's work included, is rolled back. (Issue #14: one statement for the
            # receipt and one for the device, no reads, on the happy path.)
            result = step(session, device, mutation, carry)
            receipt = {
                "salon_id": device.salon_id,
                "mutation_id": mutation.mutation_id,
                "device_id": device.device_id,
                "device_seq": mutation.device_seq,
                "payload_sha256": digest,
                "status": result.status,
                "code": result.code,
                "result": result.model_dump(mode="json"),
                "received_at": self._clock.now(),
            }
            try:
                session.execute(RECEIPTS.insert(), receipt)
            except IntegrityError:
                session.rollback()
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is None:
                    raise
                return stored
            advanced = session.execute(
                update(DeviceRow)
                .where(
                    DeviceRow.salon_id == device.salon_id,
                    DeviceRow.id == device.device_id,
                    DeviceRow.last_device_seq < mutation.device_seq,
                )
                .values(last_device_seq=mutation.device_seq)
            )
            if isinstance(advanced, CursorResult) and advanced.rowcount == 0:
                session.rollback()
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is not None:
                    return stored
                raise Conflict("device_rewound", last_device_seq=session.scalar(_last_device_seq(device)))
            session.commit()
            carry.committed()
            return result

    def _run(
        self, session: Session, device: AuthenticatedDevice, mutation: Mutation, carry: Carry
    ) -> MutationResult:
        """The handler runs in the mutation's own transaction, with no savepoint around it (issue #14: two
        statements less per mutation): a refusal rolls the whole transaction back and records its conflict
        card in a fresh one. That is possible because the receipt is written after the handler."""
        changes = carry.change_set(session, device.salon_id)
        changes.seq  # noqa: B018 - take the salon's counter lock before anything else
        ctx = CommandContext(mutation, device.device_id, device.name, changes, self._clock.now())
        handler = HANDLERS.get(mutation.name)
        try:
            records.validate(ctx)  # the mutation's schema (sync/schemas.py), before any handler reads it
            authority.check(ctx)  # the actor's role in the cloud's copy of the salon's users (issue #10)
            if handler is None:
                raise Refusal("invalid", "sync.unknown_mutation", name=mutation.name)
            outcome = handler(ctx)
        except Refusal as refusal:
            return _refused(_afresh(ctx, carry), refusal)
        except DomainError as error:  # a domain rule refused the arguments
            return _refused(_afresh(ctx, carry), Refusal("invalid", error.code, **error.params))
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            # An id the salon already uses (keys are (salon_id, id): another salon's ids never collide).
            # Said without any detail of that row, and never `retry` (it would fail the same way for ever).
            return _refused(_afresh(ctx, carry), Refusal("invalid", "sync.id_taken", entity=mutation.entity))
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
        self, session: Session, device: AuthenticatedDevice, mutation: Mutation, carry: Carry
    ) -> MutationResult:
        """The answer to a mutation that failed ATTEMPTS times: refused, with a card every desk sees."""
        changes = carry.change_set(session, device.salon_id)
        kept = mutation.model_copy(update={"args": schemas.scrub(mutation.args)})  # storable on any database
        ctx = CommandContext(kept, device.device_id, device.name, changes, self._clock.now())
        return _refused(ctx, Refusal("invalid", SERVER_ERROR), best_effort=True)


def _last_device_seq(device: AuthenticatedDevice) -> Select[int]:
    return select(DeviceRow.last_device_seq).where(
        DeviceRow.salon_id == device.salon_id, DeviceRow.id == device.device_id
    )


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


def _afresh(ctx: CommandContext, carry: Carry) -> CommandContext:
    """The mutation's transaction rolled back, and a new one (holding the salon's counter lock again) for
    its conflict card: the context now writes through a ChangeSet of the new transaction."""
    session = ctx.changes.session
    session.rollback()
    carry.dropped()
    ctx.changes = carry.change_set(session, ctx.salon_id)
    ctx.changes.seq  # noqa: B018 - the counter lock, first
    return ctx


def _refused(ctx: CommandContext, refusal: Refusal, *, best_effort: bool = False) -> MutationResult:
    ctx.changes.discard()  # nothing the handler wrote is kept
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
