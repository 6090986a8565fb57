"""The sync wire protocol (specs/sync.md §3.6-§3.7), shared by the desk engine and the cloud.

Rows travel as JSON objects whose fields are listed in ENTITY_FIELDS with their kind; both sides convert
with `encode_value` / `decode_value`, so an instant is always "YYYY-MM-DDTHH:MM:SS.ffffffZ" on the wire.
Local-only desk columns (`server_seq`, `sync_status`, `customer.search_name`) never travel.
`EnrolAnswer` is the answer to a successful enrolment (§3.11); its `pin_pepper` is the salon's PIN pepper
(domain.pin), which travels nowhere else: no row, no pull, no error body ever carries it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from hashlib import sha256
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "Salon-Sync-Protocol"
MIN_SCHEMA_VERSION = 0
MAX_BATCH = 100
MAX_PULL_LIMIT = 1000
MAX_WAIT_SECONDS = 30

Kind = Literal["text", "int", "bool", "instant", "day", "time", "json"]
COMMON: dict[str, Kind] = {
    "id": "text",
    "salon_id": "text",
    "created_at": "instant",
    "updated_at": "instant",
    "deleted_at": "instant",
}

# Wire entity -> its own fields (besides COMMON). The order of this dict is also the apply order of rows
# sharing one seq, parents before children.
ENTITY_FIELDS: dict[str, dict[str, Kind]] = {
    "salon": {
        "name_ar": "text",
        "name_en": "text",
        "timezone": "text",
        "vat_number": "text",
        "commercial_registration": "text",
        "address": "text",
        "opening_hours": "json",
        "closures": "json",
        "cancel_cutoff_minutes": "int",
        "deposit_halalas": "int",
        "sms_sender": "text",
        "digit_style": "text",
        "idle_lock_minutes": "int",  # issue #10: salon policies
        "discount_limit_percent": "int",
        "link_expiry_hours": "int",
        "zatca_phase": "int",
        "dated_hours": "json",  # issue #10: Ramadan hours
        "deposit_on_cancel": "text",  # issue #12: the deposit policy (domain.deposit_policy)
        "deposit_on_late_cancel": "text",
        "deposit_on_no_show": "text",
        "deposit_on_reschedule": "text",
    },
    "staff": {
        "name_ar": "text",
        "name_en": "text",
        "title": "text",
        "title_ar": "text",  # issue #10
        "title_en": "text",
        "phone": "text",
        "color": "text",
        "sort_order": "int",
        "active": "bool",
    },
    "service": {
        "name_ar": "text",
        "name_en": "text",
        "category": "text",
        "duration_minutes": "int",
        "buffer_minutes": "int",
        "price_halalas": "int",
        "phases": "json",
        "color": "text",
        "active": "bool",
        "can_run_alongside": "bool",
    },
    "staff_service": {
        "staff_id": "text",
        "service_id": "text",
        "duration_minutes": "int",
        "price_halalas": "int",
    },
    "availability_rule": {
        "staff_id": "text",
        "weekday": "int",
        "start_time": "time",
        "end_time": "time",
        "valid_from": "day",
        "valid_to": "day",
    },
    "availability_exception": {
        "staff_id": "text",
        "kind": "text",
        "start_at": "instant",
        "end_at": "instant",
        "note": "text",
    },
    "desk_user": {  # who may sign in on the salon's desks; pin_hash is peppered (domain.pin), never the PIN
        "name": "text",
        "role": "text",
        "pin_hash": "text",
        "active": "bool",
    },
    "customer": {
        "name": "text",
        "phone": "text",
        "language": "text",
        "notes": "text",
        "consent_reminders": "bool",
        "consent_marketing": "bool",
    },
    "booking": {
        "customer_id": "text",
        "status": "text",
        "source": "text",
        "notes": "text",
        "cancel_reason": "text",
        "starts_at": "instant",
    },
    "booking_item": {
        "booking_id": "text",
        "service_id": "text",
        "staff_id": "text",
        "start_at": "instant",
        "end_at": "instant",
        "busy_until": "instant",
        "price_halalas": "int",
        "phases": "json",
        "active": "bool",
        "actual_start_at": "instant",
        "actual_end_at": "instant",
    },
    "walk_in": {
        "name": "text",
        "phone": "text",
        "customer_id": "text",
        "service_id": "text",
        "preferred_staff_id": "text",
        "arrived_at": "instant",
        "state": "text",
        "booking_id": "text",
        "left_at": "instant",
    },
    "waitlist_entry": {
        "customer_id": "text",
        "name": "text",
        "phone": "text",
        "service_id": "text",
        "staff_id": "text",
        "window_start": "instant",
        "window_end": "instant",
        "state": "text",
        "offered_start": "instant",
        "offered_staff_id": "text",
        "notes": "text",
    },
    "sync_conflict": {
        "kind": "text",
        "entity": "text",
        "entity_id": "text",
        "mutation_id": "text",
        "device_id": "text",
        "actor": "json",
        "attempted": "json",
        "current": "json",
        "params": "json",
        "resolved_at": "instant",
        "resolved_by": "text",
        "resolution": "text",
    },
    "notification": {  # cloud-owned, read-only on desks: a customer message and its delivery status
        "booking_id": "text",
        "recipient": "text",  # masked phone, never the full number
        "event": "text",
        "channel": "text",
        "language": "text",
        "body": "text",
        "status": "text",
        "attempts": "int",
        "provider_id": "text",
        "error": "text",
    },
    "superseded_edit": {
        "entity": "text",
        "entity_id": "text",
        "field": "text",
        "lost_value": "json",
        "lost_by_device": "text",
        "lost_hlc": "text",
        "won_value": "json",
        "won_by": "text",
        "at": "instant",
    },
    # Checkout (issue #11): bills, tenders, documents and closes. Invoices and credit notes are immutable and
    # numbered by the desk that issued them; the cloud never renumbers them.
    "checkout": {
        "booking_id": "text",
        "customer_id": "text",
        "lines": "json",
        "order_discount": "json",
        "status": "text",
        "gross_halalas": "int",
        "discount_halalas": "int",
        "device_id": "text",
        "opened_by": "text",
        "invoice_id": "text",
    },
    "payment": {
        "booking_id": "text",
        "method": "text",
        "amount_halalas": "int",
        "status": "text",
        "external_id": "text",
        "idempotency_key": "text",
        "checkout_id": "text",
        "device_id": "text",
        "business_day": "day",
        "taken_at": "instant",
        "taken_by": "text",
        "tendered_halalas": "int",
        "change_halalas": "int",
        "card_network": "text",
        "approval_code": "text",
        "card_last4": "text",
    },
    "refund": {
        "payment_id": "text",
        "amount_halalas": "int",
        "reason": "text",
        "status": "text",
        "external_id": "text",
        "method": "text",
        "credit_note_id": "text",
        "checkout_id": "text",
        "device_id": "text",
        "business_day": "day",
        "refunded_at": "instant",
        "authorised_by": "text",
    },
    "invoice": {
        "booking_id": "text",
        "series": "text",
        "number": "int",
        "issued_at": "instant",
        "lines": "json",
        "net_halalas": "int",
        "vat_halalas": "int",
        "gross_halalas": "int",
        "seller": "json",
        "qr_payload": "text",
        "uuid": "text",
        "counter": "int",
        "previous_hash": "text",
        "hash": "text",
        "discount_halalas": "int",
        "checkout_id": "text",
        "device_id": "text",
        "payments": "json",
    },
    "credit_note": {
        "invoice_id": "text",
        "series": "text",
        "number": "int",
        "issued_at": "instant",
        "reason": "text",
        "lines": "json",
        "net_halalas": "int",
        "vat_halalas": "int",
        "gross_halalas": "int",
        "qr_payload": "text",
        "seller": "json",
        "uuid": "text",
        "counter": "int",
        "previous_hash": "text",
        "hash": "text",
        "chain_series": "text",
        "original_number": "text",
        "device_id": "text",
    },
    "daily_close": {
        "device_id": "text",
        "business_day": "day",
        "closed_at": "instant",
        "closed_by": "text",
        "closed_by_name": "text",
        "figures": "json",
        "counted_cash_halalas": "int",
        "expected_cash_halalas": "int",
        "variance_halalas": "int",
    },
    # Issue #12: a Moyasar pay link and what became of its money. Cloud-owned (cloud/payments/replication.py
    # writes it), read-only on desks. Never a key, never card data: the card company at most.
    "online_payment": {
        "booking_id": "text",
        "checkout_id": "text",
        "purpose": "text",  # deposit | balance
        "amount_halalas": "int",  # asked
        "status": "text",  # domain.payments.LinkStatus (expiry is read from expires_at)
        "paid_halalas": "int",
        "refunded_halalas": "int",
        "payment_id": "text",  # Moyasar's id of the payment that took the money (refunds name it)
        "payment_status": "text",  # domain.payments.PaymentStatus of that payment
        "company": "text",  # mada, visa, ...
        "language": "text",
        "expires_at": "instant",
        "message": "text",  # Moyasar's words on a failed attempt
        "requested_by": "text",  # device id ("" when the customer asked from the booking page)
        "history": "json",  # [{at, action, actor, status, paid_halalas, refunded_halalas}], oldest first
    },
}
# Written only by the cloud: a desk mutation naming one is refused (`sync.cloud_owned`). (Conflict cards are
# cloud-written too, but a desk resolves one with the `conflict.resolve` command.)
CLOUD_OWNED_ENTITIES = frozenset({"notification", "superseded_edit", "online_payment"})
ENTITY_RANK = {name: rank for rank, name in enumerate(ENTITY_FIELDS)}


def fields_of(entity: str) -> dict[str, Kind]:
    return {**COMMON, **ENTITY_FIELDS[entity]}


def format_instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an instant (tz-aware) is required")
    value = value.astimezone(UTC)
    # The year zero-padded by hand: strftime("%Y") gives "999" for the year 999 on glibc, which no reader
    # (fromisoformat, PostgreSQL, a new desk) accepts back.
    return f"{value.year:04d}-" + value.strftime("%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"instant without a time zone: {text!r}")
    return value.astimezone(UTC)


def encode_value(kind: Kind, value: Any) -> Any:
    """A Python value (datetime, date, time, ...) as its JSON wire form."""
    if value is None:
        return None
    if kind == "instant":
        return format_instant(value)
    if kind == "day":
        return value.isoformat()
    if kind == "time":
        return value.strftime("%H:%M")
    if kind == "bool":
        return bool(value)
    return value


def decode_value(kind: Kind, value: Any) -> Any:
    """The wire form as a Python value (tz-aware datetime, date, time, ...)."""
    if value is None:
        return None
    if kind == "instant":
        return value if isinstance(value, datetime) else parse_instant(value)
    if kind == "day":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return value


def encode_row(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    return {name: encode_value(kind, values.get(name)) for name, kind in fields_of(entity).items()}


def decode_row(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """Known fields only (a tolerant reader: fields added by a newer cloud are ignored)."""
    return {
        name: decode_value(kind, row.get(name)) for name, kind in fields_of(entity).items() if name in row
    }


def format_cursor(epoch: str, seq: int) -> str:
    return f"{epoch}.{seq}"


def parse_cursor(cursor: str) -> tuple[str, int]:
    """`<epoch>.<seq>`; raises ValueError on anything else."""
    epoch, dot, seq = cursor.rpartition(".")
    if not dot or not epoch or not seq.isdigit():
        raise ValueError(f"not a sync cursor: {cursor!r}")
    return epoch, int(seq)


# A new desk's initial sync (specs/sync.md §3.7): pull `priority=1`, then 2, then 3, each phase with a cursor
# of its own, then the incremental cursor from the head seen when phase 1 began. Phase 1 is the reference
# data; phase 2 the calendar window around the day the phase began (its "anchor", carried in the phase
# cursor so phase 3 excludes exactly what phase 2 sent); phase 3 everything else.
PRIORITIES = (1, 2, 3)
REFERENCE_ENTITIES = frozenset(
    {"salon", "staff", "service", "staff_service", "availability_rule", "availability_exception", "desk_user"}
)
CALENDAR_DAYS_BEFORE = 7
CALENDAR_DAYS_AFTER = 60


def format_phase_cursor(epoch: str, seq: int, anchor: date | None = None) -> str:
    """`<epoch>.<seq>`, or `<epoch>.<seq>@<YYYY-MM-DD>` with an anchor (never a valid incremental cursor)."""
    cursor = format_cursor(epoch, seq)
    return cursor if anchor is None else f"{cursor}@{anchor.isoformat()}"


def parse_phase_cursor(cursor: str) -> tuple[str, int, date | None]:
    """(epoch, seq, anchor day or None); raises ValueError on anything else."""
    head, at, day = cursor.partition("@")
    epoch, seq = parse_cursor(head)
    return epoch, seq, date.fromisoformat(day) if at else None


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


# The push envelope (specs/sync.md §3.6), checked whole before anything applies: a malformed one answers 422
# `invalid_request` naming the fields and changes nothing. A mutation's own `args` are checked per mutation
# (their own `refused`), so one bad command never blocks the rest of the queue.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # canonical, lower case
HLC_PATTERN = r"^[0-9]{1,15}:[0-9]{1,10}$"  # "ms:counter" (domain.hlc.Hlc)
NAME_PATTERN = r"^[a-z][a-z_]{0,29}\.[a-z][a-z_]{0,29}$"  # "booking.create"
ENTITY_PATTERN = r"^[a-z][a-z_]{0,29}$"
EPOCH_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
MAX_SEQ = 2**63 - 1  # device_seq, base_seq and server seqs are PostgreSQL bigints
# Payload versions of mutation args this cloud reads (`v`; see sync.schemas for the rules of each version).
MUTATION_VERSIONS = range(1, 2)
Seq = Annotated[int, Field(strict=True, ge=1, le=MAX_SEQ)]
Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
ROLE_PATTERN = r"^(receptionist|manager|owner|customer|system)$"  # domain.booking.Role


class MutationActor(WireModel):
    desk_user_id: str = Field(pattern=r"^(" + UUID_PATTERN[1:-1] + r")?$")  # "" for a customer without id
    role: str = Field("receptionist", pattern=ROLE_PATTERN)


class Mutation(WireModel):
    mutation_id: Uuid
    device_seq: Seq
    name: str = Field(pattern=NAME_PATTERN)
    v: int = Field(1, strict=True, ge=MUTATION_VERSIONS.start, lt=MUTATION_VERSIONS.stop)
    entity: str = Field(pattern=ENTITY_PATTERN)
    entity_id: Uuid
    base_seq: int | None = Field(None, strict=True, ge=0, le=MAX_SEQ)
    hlc: str = Field(pattern=HLC_PATTERN)
    actor: MutationActor
    args: dict[str, Any]

    def payload_sha256(self) -> bytes:
        """The idempotency fingerprint: everything the desk decided, nothing about this attempt."""
        body = self.model_dump(exclude={"device_seq"})
        return sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).digest()


class AuditHead(WireModel):
    """The desk's audit chain head at push time (issue #10): the cloud anchors it, so a chain rewritten and
    re-hashed on the desk no longer matches what was anchored."""

    seq: int = Field(strict=True, ge=1, le=MAX_SEQ)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class AuditAnchors(WireModel):
    """GET /v1/sync/audit-anchors: this device's anchored chain heads, oldest first."""

    anchors: list[AuditHead] = Field(default_factory=list)


# The salon-wide audit trail (issue #10, docs/audit-trail.md): each desk uploads its own chain after its push
# (POST /v1/sync/audit, at most MAX_AUDIT_BATCH events from where the cloud's copy ends) and pulls the other
# desks' events (GET /v1/sync/audit, a cursor per desk). The salon and the uploading desk come from the token.
MAX_AUDIT_BATCH = 100
MAX_AUDIT_PAGE = 500
HASH_PATTERN = r"^[0-9a-f]{64}$"
AUDIT_AT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"  # as hashed


class AuditEventWire(WireModel):
    """One event of a desk's chain exactly as it was hashed (domain.audit_chain). `salon_id` and `device_id`
    are the values hashed into it ("local" for a desk's events from before it was enrolled): the cloud checks
    them against the token, never takes them from here."""

    seq: Seq
    id: Uuid
    salon_id: str = Field(max_length=36)
    device_id: str = Field(max_length=36)
    actor_id: str = Field(max_length=36)
    action: str = Field(min_length=1, max_length=40)
    entity: str = Field(min_length=1, max_length=30)
    entity_id: str = Field(max_length=36)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    at: str = Field(pattern=AUDIT_AT_PATTERN)
    prev_hash: str = Field(pattern=HASH_PATTERN)
    hash: str = Field(pattern=HASH_PATTERN)


class AuditUpload(WireModel):
    """POST /v1/sync/audit: the desk's events in chain order, contiguous, starting at most at `stored_seq + 1`."""

    device_id: Uuid
    events: list[AuditEventWire] = Field(min_length=1, max_length=MAX_AUDIT_BATCH)


class AuditUploadAnswer(WireModel):
    stored_seq: int  # the last event of this desk's chain the cloud holds (0: none)


class SalonAuditEventWire(AuditEventWire):
    desk_id: str  # the desk that uploaded it (its device id)


class SalonAuditPage(WireModel):
    """GET /v1/sync/audit?after=<desk>:<seq>...: the other desks' events after each cursor, by desk then seq,
    and the name of every desk of the salon."""

    events: list[SalonAuditEventWire] = Field(default_factory=list)
    desks: dict[str, str] = Field(default_factory=dict)
    has_more: bool = False


class PushRequest(WireModel):
    device_id: Uuid
    schema_version: int = Field(0, strict=True, ge=0, le=1_000_000)
    client_time: str | None = Field(None, max_length=40)
    # The epoch the desk last pulled from; another one answers 409 epoch_changed.
    epoch: str | None = Field(None, pattern=EPOCH_PATTERN)
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)
    audit_head: AuditHead | None = None  # issue #10: anchored by the cloud


class RowChange(WireModel):
    entity: str
    seq: int
    row: dict[str, Any]


ResultStatus = Literal["applied", "conflict", "refused", "retry"]


class MutationResult(WireModel):
    mutation_id: str
    status: ResultStatus
    code: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    server_seq: int | None = None
    conflict_id: str | None = None
    rows: list[RowChange] = Field(default_factory=list)


class PushResponse(WireModel):
    epoch: str
    results: list[MutationResult]
    head_seq: int
    server_time: str


class Change(WireModel):
    seq: int
    entity: str
    id: str
    op: Literal["upsert"] = "upsert"
    row: dict[str, Any]


class PullResponse(WireModel):
    epoch: str
    changes: list[Change]
    next_cursor: str
    has_more: bool
    head_seq: int
    server_time: str | None = None


PEPPER_PATTERN = r"^[0-9a-f]{64}$"  # 32 bytes, lower-case hex


class EnrolAnswer(WireModel):
    """The answer to a successful enrolment: POST /v1/devices/enrol (a code, or a rebind code) and
    POST /v1/provisioning/enrol (specs/sync.md §3.11). The one and only place the salon's PIN pepper travels
    (`pin_pepper`: HMAC-SHA256 of the cloud's SALON_PIN_PEPPER_KEY and the salon id, see domain.pin); the desk
    puts it and the token in the OS keyring and nowhere else. Checked whole by the desk: an answer without a
    well-formed pepper is refused and nothing is stored."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    device_id: Uuid
    token: str = Field(min_length=16, max_length=200, repr=False)
    salon_id: Uuid
    epoch: str = Field(pattern=EPOCH_PATTERN)
    role: str = Field(pattern=ROLE_PATTERN)
    replaces_device_id: Uuid | None = None  # the named desk was revoked: this is a new device in its place
    pin_pepper: str = Field(pattern=PEPPER_PATTERN, repr=False)


class ErrorBody(WireModel):
    code: str
    detail: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
