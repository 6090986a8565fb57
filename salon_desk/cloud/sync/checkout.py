"""Cloud handlers of the checkout commands (issue #11): bills, payments, invoices, credit notes, refunds and
daily closes, after the shared schema (sync/schemas/money.py) has validated the args.

The cloud keeps what the desk issued: an invoice keeps its desk series and number (never renumbered). It
re-checks what it can without trusting the desk: the document's QR holds exactly its seller, VAT number,
time, total and VAT; its hash is the hash of its canonical bytes (domain.zatca); a number already held by a
different document of the salon is refused, as is any change to an issued document, an invoiced or void
bill, or a day already closed. Every query is scoped by the device's salon (issue #14).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.zatca import (
    DocumentKind,
    DocumentLine,
    IssuedInvoice,
    Seller,
    canonical_bytes,
    decode_qr,
    document_hash,
    qr_time,
)
from salon_desk.sync.protocol import decode_value, fields_of

from .context import CommandContext, Outcome, Refusal
from .online_claims import check_claim
from .records import create_record
from .tables import REPLICATED_TABLES

FINAL = {"invoiced", "void"}


def _values(entity: str, args: dict[str, Any], renames: dict[str, str] | None = None) -> dict[str, Any]:
    kinds = fields_of(entity)
    out: dict[str, Any] = {}
    for name, value in args.items():
        field = (renames or {}).get(name, name)
        if field in kinds and field not in {"id", "salon_id", "created_at", "updated_at", "deleted_at"}:
            try:
                out[field] = decode_value(kinds[field], value)
            except (TypeError, ValueError) as exc:
                raise Refusal("invalid", "sync.invalid", reason=str(exc)) from exc
    return out


def _existing(ctx: CommandContext, entity: str) -> dict[str, Any] | None:
    return ctx.changes.get(entity, ctx.mutation.entity_id)


def _same(existing: dict[str, Any], values: dict[str, Any]) -> bool:
    entity_kinds = {k: v for k, v in values.items() if k != "id"}
    return all(existing.get(k) == v for k, v in entity_kinds.items())


def _document(args: dict[str, Any], kind: DocumentKind) -> IssuedInvoice:
    seller = args["seller"]
    return IssuedInvoice(
        id="", kind=kind, uuid=args["uuid"], series=args["series"], number=args["number"], counter=args["counter"],
        previous_hash=args["previous_hash"], hash=args["hash"],
        issued_at=decode_value("instant", args["issued_at"]),
        seller=Seller(seller["name"], seller["vat_number"], seller["name_en"], seller["address"],
                      seller["commercial_registration"]),
        lines=tuple(DocumentLine(x["name_ar"], x["name_en"], x["quantity"], x["gross"], x["net"], x["vat"])
                    for x in args["lines"]),
        net=args["net_halalas"], vat=args["vat_halalas"], gross=args["gross_halalas"], qr_payload=args["qr_payload"],
        original_invoice_id=args.get("original_invoice_id"), reason=args.get("reason") or "",
    )


def _check_document(doc: IssuedInvoice) -> None:
    """The QR and the hash say exactly what the document says (the same rules as `salon-desk invoices verify`)."""
    try:
        q = decode_qr(doc.qr_payload)
    except ValidationError:
        raise Refusal("invalid", "invoice.tampered") from None
    if (q.seller_name, q.vat_number, q.total_halalas, q.vat_halalas, qr_time(q.issued_at)) != (
            doc.seller.name, doc.seller.vat_number, doc.gross, doc.vat, qr_time(doc.issued_at)):
        raise Refusal("invalid", "invoice.tampered")
    body = canonical_bytes(doc, series=doc.series, number=doc.number, counter=doc.counter, uuid=doc.uuid,
                           previous_hash=doc.previous_hash, qr=doc.qr_payload)
    if document_hash(body) != doc.hash:
        raise Refusal("invalid", "invoice.tampered")


def _number_holder(ctx: CommandContext, entity: str, series: str, number: int) -> str | None:
    table = REPLICATED_TABLES[entity]
    return ctx.changes.session.scalar(select(table.c.id).where(
        table.c.salon_id == ctx.salon_id, table.c.series == series, table.c.number == number))


def _insert_document(ctx: CommandContext, entity: str, kind: DocumentKind, renames: dict[str, str]) -> None:
    args = ctx.args
    values = _values(entity, args, renames)
    existing = _existing(ctx, entity)
    if existing is not None:
        if not _same(existing, values):
            raise Refusal("invalid", "invoice.immutable")
        return
    doc = _document(args, kind)
    _check_document(doc)
    holder = _number_holder(ctx, entity, args["series"], args["number"])
    if holder is not None and str(holder) != ctx.mutation.entity_id:
        raise Refusal("invalid", "invoice.number_taken", series=args["series"], number=args["number"])
    create_record(ctx, entity, {**values, "id": ctx.mutation.entity_id})


def handle_checkout_save(ctx: CommandContext) -> Outcome:
    values = _values("checkout", ctx.args)
    existing = _existing(ctx, "checkout")
    if existing is None:
        create_record(ctx, "checkout", {**values, "id": ctx.mutation.entity_id})
    elif existing.get("status") in FINAL and not _same(existing, values):
        raise Refusal("invalid", "checkout.immutable")
    else:
        ctx.changes.upsert("checkout", {**values, "id": ctx.mutation.entity_id, "updated_at": ctx.now})
    return Outcome()


def handle_payment_record(ctx: CommandContext) -> Outcome:
    values = _values("payment", ctx.args) | {"status": "paid"}
    if _existing(ctx, "payment") is None:
        check_claim(ctx, values)  # a `moyasar_link` line: the online money is real and counted once (#12)
        create_record(ctx, "payment", {**values, "id": ctx.mutation.entity_id})
    return Outcome()


def handle_invoice_issue(ctx: CommandContext) -> Outcome:
    _insert_document(ctx, "invoice", DocumentKind.INVOICE, {})
    return Outcome()


def handle_credit_note_issue(ctx: CommandContext) -> Outcome:
    args = ctx.args
    renames = {"original_invoice_id": "invoice_id"}
    _insert_document(ctx, "credit_note", DocumentKind.CREDIT_NOTE, renames)
    ctx.changes.upsert("credit_note", {"id": ctx.mutation.entity_id,
                                       "chain_series": args["series"].removesuffix("-CN")})
    for refund in args.get("refunds") or []:
        if ctx.changes.get("refund", refund["id"]) is None:
            values = _values("refund", refund) | {"status": "paid", "credit_note_id": ctx.mutation.entity_id,
                                                  "checkout_id": args.get("checkout_id"),
                                                  "device_id": args["device_id"]}
            create_record(ctx, "refund", {**values, "id": refund["id"]})
    return Outcome()


def handle_refund_record(ctx: CommandContext) -> Outcome:
    if _existing(ctx, "refund") is None:
        values = _values("refund", ctx.args) | {"status": "paid"}
        create_record(ctx, "refund", {**values, "id": ctx.mutation.entity_id})
    return Outcome()


def handle_daily_close(ctx: CommandContext) -> Outcome:
    values = _values("daily_close", ctx.args)
    existing = _existing(ctx, "daily_close")
    if existing is not None:
        if not _same(existing, values):
            raise Refusal("invalid", "close.immutable")
        return Outcome()
    table = REPLICATED_TABLES["daily_close"]
    taken = ctx.changes.session.scalar(select(table.c.id).where(
        table.c.salon_id == ctx.salon_id, table.c.device_id == values["device_id"],
        table.c.business_day == values["business_day"]))
    if taken is not None:
        raise Refusal("invalid", "close.immutable")
    create_record(ctx, "daily_close", {**values, "id": ctx.mutation.entity_id})
    return Outcome()
