"""ZATCA simplified tax invoices: the Phase-1 QR (base64 TLV, tags 1–5), invoice numbering per desk series,
and the hash chain that links every document a desk issues (issue #11; providers.md §3).

QR (providers.md §3.3): for tags 1..5 in ascending order, one byte tag, one byte length = the number of
**UTF-8 bytes** of the value (an Arabic letter counts 2, `’` counts 3), then the UTF-8 bytes; the whole is
standard base64 with padding. Tag 3 is the issue instant in UTC as `YYYY-MM-DDTHH:MM:SSZ`; tags 4 (total
with VAT) and 5 (VAT) are riyals with two decimals, `.` separator, Western digits, no grouping. The decoder
also accepts Phase-2 tags 6–9 (6, 7 text; 8, 9 raw bytes) and rejects trailing bytes, a length running past
the end, a missing tag 1–5, duplicates, unknown tags and non-UTF-8 text.

Numbering: each desk issues from its own series (`series` text, e.g. `D7K2QX`), invoices numbered 1, 2, 3 …
without gaps and credit notes numbered in the same way in their own series `<series>-CN`. Displayed as
`D7K2QX-000042` / `D7K2QX-CN-000003`. A desk never reuses a number the cloud holds: the next number is one
more than the highest of its own counter and every document of the series it has seen (pulled from the
cloud after a restore or a rebind); a desk may also open a new series.

Hash chain (the shape of ZATCA Phase 2's ICV + PIH, so Phase 2 becomes an adapter): every document a desk
series issues, invoices and credit notes together, carries `counter` (1, 2, 3 … in issue order),
`previous_hash` (the hash of the document with counter − 1; for counter 1 the ZATCA genesis value
`GENESIS_HASH`, base64 of the hex text of SHA-256("0")) and `hash`:

    hash = base64( SHA-256( canonical_bytes(document) ) )

    canonical_bytes = UTF-8 of the JSON object below, keys sorted, separators "," and ":", no whitespace,
    non-ASCII written as itself (ensure_ascii off), integers as JSON integers:
    {"counter": int, "doc": "invoice" | "credit_note", "gross": int, "issued_at": "YYYY-MM-DDTHH:MM:SSZ",
     "lines": [{"gross": int, "name_ar": str, "name_en": str, "net": int, "quantity": int, "vat": int}, ...],
     "net": int, "number": int, "original_invoice_id": str | null, "previous_hash": str, "qr": str,
     "reason": str, "seller_name": str, "series": str, "uuid": str, "vat": int, "vat_number": str}

Amounts are halalas. Lines keep their order. `verify_chain` recomputes every hash and link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .errors import ValidationError
from .i18n import N_

GENESIS_HASH = base64.b64encode(hashlib.sha256(b"0").hexdigest().encode("ascii")).decode("ascii")
MAX_QR_CHARS = 700
TEXT_TAGS = frozenset({1, 2, 3, 4, 5, 6, 7})
KNOWN_TAGS = frozenset(range(1, 10))
REQUIRED_TAGS = (1, 2, 3, 4, 5)
TAG_NAMES = {
    1: N_("Seller's name"),
    2: N_("VAT registration number"),
    3: N_("Time stamp"),
    4: N_("Invoice total (with VAT)"),
    5: N_("VAT total"),
    6: N_("Hash of XML invoice"),
    7: N_("ECDSA signature"),
    8: N_("ECDSA public key"),
    9: N_("ZATCA's signature of the public key"),
}
_VAT_NUMBER = re.compile(r"3[0-9]{13}3")
_SERIES = re.compile(r"[A-Z0-9]{2,12}")
_AMOUNT_TEXT = re.compile(r"[0-9]+\.[0-9]{2}")

MESSAGES = {
    "zatca.not_base64": N_("The QR text is not valid base64."),
    "zatca.truncated": N_("The QR data ends in the middle of tag {tag}."),
    "zatca.trailing": N_("The QR data has {count} stray bytes at the end."),
    "zatca.missing_tag": N_("The QR data has no tag {tag} ({name})."),
    "zatca.duplicate_tag": N_("The QR data has tag {tag} twice."),
    "zatca.unknown_tag": N_("The QR data has an unknown tag {tag}."),
    "zatca.not_utf8": N_("Tag {tag} is not valid UTF-8 text."),
    "zatca.too_long": N_("Tag {tag} is longer than 255 bytes."),
    "zatca.qr_too_long": N_("The QR text is longer than {max} characters."),
    "zatca.bad_vat_number": N_("The VAT number must be 15 digits starting and ending with 3."),
    "zatca.no_seller": N_("The salon's name is missing; set it in the salon settings."),
    "zatca.bad_time": N_("The time must be an ISO 8601 instant with a time zone, e.g. 2021-07-12T14:25:09Z."),
    "zatca.bad_series": N_("An invoice series is 2 to 12 capital letters or digits."),
    "zatca.bad_amount": N_("The amount must be riyals with two decimals, e.g. 100.00."),
}


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class ZatcaPhase(StrEnum):
    PHASE_1 = "1"  # generation: QR tags 1–5 on a printed simplified invoice
    PHASE_2 = "2"  # integration: signed XML reported to ZATCA (not built yet)


# ---------------------------------------------------------------------------------------------------- QR
def riyals_text(halalas: int) -> str:
    """`11500` -> `"115.00"` (tags 4 and 5; never negative, never grouped)."""
    if type(halalas) is not int or halalas < 0:
        raise ValidationError("money.negative")
    return f"{halalas // 100}.{halalas % 100:02d}"


def halalas_of_text(text: str) -> int:
    if not _AMOUNT_TEXT.fullmatch(text):
        raise ValidationError("zatca.bad_amount")
    whole, frac = text.split(".")
    return int(whole) * 100 + int(frac)


def qr_time(instant: datetime) -> str:
    """Tag 3: the instant in UTC, `YYYY-MM-DDTHH:MM:SSZ` (no fraction)."""
    if instant.tzinfo is None:
        raise ValidationError("zatca.bad_time")
    utc = instant.astimezone(UTC)
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


def parse_qr_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("zatca.bad_time") from None
    if value.tzinfo is None:
        raise ValidationError("zatca.bad_time")
    return value.astimezone(UTC)


def tlv_encode(tags: Sequence[tuple[int, str | bytes]]) -> str:
    """Base64 of the TLV of `tags`, sorted by tag (providers.md §3.5)."""
    out = bytearray()
    for tag, value in sorted(tags, key=lambda t: t[0]):
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        if len(raw) > 255:
            raise ValidationError("zatca.too_long", tag=tag)
        out += bytes([tag, len(raw)]) + raw
    text = base64.b64encode(bytes(out)).decode("ascii")
    if len(text) > MAX_QR_CHARS:
        raise ValidationError("zatca.qr_too_long", max=MAX_QR_CHARS)
    return text


def tlv_decode(text: str) -> dict[int, str | bytes]:
    """The tags of a QR payload: text for tags 1–7, raw bytes for 8 and 9. Raises ValidationError(zatca.*)."""
    if not isinstance(text, str) or len(text.strip()) > 4 * MAX_QR_CHARS:
        raise ValidationError("zatca.not_base64")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("zatca.not_base64") from None
    tags: dict[int, str | bytes] = {}
    i = 0
    while i < len(raw):
        if len(raw) - i < 2:
            raise ValidationError("zatca.trailing", count=len(raw) - i)
        tag, length = raw[i], raw[i + 1]
        if tag not in KNOWN_TAGS:
            raise ValidationError("zatca.unknown_tag", tag=tag)
        if i + 2 + length > len(raw):
            raise ValidationError("zatca.truncated", tag=tag)
        if tag in tags:
            raise ValidationError("zatca.duplicate_tag", tag=tag)
        value = raw[i + 2 : i + 2 + length]
        if tag in TEXT_TAGS:
            try:
                tags[tag] = value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError("zatca.not_utf8", tag=tag) from None
        else:
            tags[tag] = value
        i += 2 + length
    for tag in REQUIRED_TAGS:
        if tag not in tags:
            raise ValidationError("zatca.missing_tag", tag=tag, name=TAG_NAMES[tag])
    return tags


@dataclass(frozen=True, slots=True)
class QrFields:
    """Tags 1–5 of a Phase-1 QR, as the invoice holds them."""

    seller_name: str
    vat_number: str
    issued_at: datetime
    total_halalas: int  # with VAT
    vat_halalas: int


def validate_vat_number(vat_number: str) -> str:
    if not isinstance(vat_number, str) or not _VAT_NUMBER.fullmatch(vat_number):
        raise ValidationError("zatca.bad_vat_number")
    return vat_number


def encode_qr(fields: QrFields) -> str:
    """The Phase-1 QR payload of an invoice or credit note."""
    if not fields.seller_name.strip():
        raise ValidationError("zatca.no_seller")
    return tlv_encode([
        (1, fields.seller_name),
        (2, fields.vat_number),
        (3, qr_time(fields.issued_at)),
        (4, riyals_text(fields.total_halalas)),
        (5, riyals_text(fields.vat_halalas)),
    ])


def decode_qr(text: str) -> QrFields:
    tags = tlv_decode(text)
    values = {t: v for t, v in tags.items() if isinstance(v, str)}
    return QrFields(values[1], values[2], parse_qr_time(values[3]), halalas_of_text(values[4]),
                    halalas_of_text(values[5]))


# ---------------------------------------------------------------------------------------------- numbering
def validate_series(series: str) -> str:
    if not isinstance(series, str) or not _SERIES.fullmatch(series):
        raise ValidationError("zatca.bad_series")
    return series


def credit_series(series: str) -> str:
    return f"{series}-CN"


def number_text(series: str, number: int) -> str:
    """`("D7K2QX", 42)` -> `"D7K2QX-000042"`; credit notes pass their `-CN` series."""
    return f"{series}-{number:06d}"


def next_number(counter_last: int, highest_seen: int | None) -> int:
    """The next number of a series: never one the desk or the cloud already holds (gap-free from there)."""
    return max(counter_last, highest_seen or 0) + 1


# ----------------------------------------------------------------------------------------------- documents
@dataclass(frozen=True, slots=True)
class DocumentLine:
    name_ar: str
    name_en: str
    quantity: int
    gross: int
    net: int
    vat: int

    def canonical(self) -> dict[str, Any]:
        return {"gross": self.gross, "name_ar": self.name_ar, "name_en": self.name_en, "net": self.net,
                "quantity": self.quantity, "vat": self.vat}


@dataclass(frozen=True, slots=True)
class Seller:
    name: str  # as printed and in QR tag 1 (the salon's Arabic name)
    vat_number: str
    name_en: str = ""
    address: str = ""
    commercial_registration: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """Everything a document holds before its number and chain position are given (issued in one transaction)."""

    kind: DocumentKind
    seller: Seller
    issued_at: datetime
    lines: tuple[DocumentLine, ...]
    net: int
    vat: int
    gross: int
    discount: int = 0
    booking_id: str | None = None
    checkout_id: str | None = None
    original_invoice_id: str | None = None  # credit notes: the invoice they correct
    original_number: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    """An issued invoice or credit note: immutable. `number_text` is what is printed."""

    id: str
    kind: DocumentKind
    uuid: str
    series: str
    number: int
    counter: int
    previous_hash: str
    hash: str
    issued_at: datetime
    seller: Seller
    lines: tuple[DocumentLine, ...]
    net: int
    vat: int
    gross: int
    qr_payload: str
    discount: int = 0
    booking_id: str | None = None
    checkout_id: str | None = None
    original_invoice_id: str | None = None
    original_number: str | None = None
    reason: str = ""
    device_id: str = ""
    payments: tuple[tuple[str, int], ...] = field(default=())  # (method, halalas) as paid, for the receipt

    @property
    def number_text(self) -> str:
        return number_text(self.series, self.number)


def canonical_bytes(doc: IssuedInvoice | InvoiceDraft, *, series: str, number: int, counter: int,
                    uuid: str, previous_hash: str, qr: str) -> bytes:
    """The exact bytes hashed for a document (see module docstring)."""
    body = {
        "counter": counter, "doc": doc.kind.value, "gross": doc.gross, "issued_at": qr_time(doc.issued_at),
        "lines": [line.canonical() for line in doc.lines], "net": doc.net, "number": number,
        "original_invoice_id": doc.original_invoice_id, "previous_hash": previous_hash, "qr": qr,
        "reason": doc.reason, "seller_name": doc.seller.name, "series": series, "uuid": uuid, "vat": doc.vat,
        "vat_number": doc.seller.vat_number,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def document_hash(canonical: bytes) -> str:
    return base64.b64encode(hashlib.sha256(canonical).digest()).decode("ascii")


def issue(draft: InvoiceDraft, *, id: str, uuid: str, series: str, number: int, counter: int,
          previous_hash: str) -> IssuedInvoice:
    """Numbers, QR-encodes and hashes `draft`: the immutable document."""
    if draft.lines and sum(line.gross for line in draft.lines) != draft.gross:
        raise ValueError("document lines do not add up to its total")
    if draft.net + draft.vat != draft.gross:
        raise ValueError("net + VAT is not the total")
    qr = encode_qr(QrFields(draft.seller.name, draft.seller.vat_number, draft.issued_at, draft.gross, draft.vat))
    digest = document_hash(canonical_bytes(draft, series=series, number=number, counter=counter, uuid=uuid,
                                           previous_hash=previous_hash, qr=qr))
    return IssuedInvoice(
        id=id, kind=draft.kind, uuid=uuid, series=series, number=number, counter=counter,
        previous_hash=previous_hash, hash=digest, issued_at=draft.issued_at, seller=draft.seller,
        lines=draft.lines, net=draft.net, vat=draft.vat, gross=draft.gross, qr_payload=qr,
        discount=draft.discount, booking_id=draft.booking_id, checkout_id=draft.checkout_id,
        original_invoice_id=draft.original_invoice_id, original_number=draft.original_number,
        reason=draft.reason,
    )


@dataclass(frozen=True, slots=True)
class ChainProblem:
    counter: int
    number_text: str
    problem: str  # "hash" | "link" | "gap" | "qr" | "number_gap"


def verify_chain(docs: Sequence[IssuedInvoice]) -> list[ChainProblem]:
    """Checks one series' documents: counters 1..n without gaps, each hash recomputed, each previous hash the
    hash before it, the QR matching the document, invoice and credit-note numbers gap-free."""
    problems: list[ChainProblem] = []
    previous = GENESIS_HASH
    expected_counter = 1
    next_numbers = {DocumentKind.INVOICE: 1, DocumentKind.CREDIT_NOTE: 1}
    for doc in sorted(docs, key=lambda d: d.counter):
        if doc.counter != expected_counter:
            problems.append(ChainProblem(doc.counter, doc.number_text, "gap"))
        expected_counter = doc.counter + 1
        if doc.number != next_numbers[doc.kind]:
            problems.append(ChainProblem(doc.counter, doc.number_text, "number_gap"))
        next_numbers[doc.kind] = doc.number + 1
        if doc.previous_hash != previous:
            problems.append(ChainProblem(doc.counter, doc.number_text, "link"))
        recomputed = document_hash(canonical_bytes(doc, series=doc.series, number=doc.number, counter=doc.counter,
                                                   uuid=doc.uuid, previous_hash=doc.previous_hash,
                                                   qr=doc.qr_payload))
        if recomputed != doc.hash:
            problems.append(ChainProblem(doc.counter, doc.number_text, "hash"))
        try:
            q = decode_qr(doc.qr_payload)
            if (q.seller_name, q.vat_number, q.total_halalas, q.vat_halalas, qr_time(q.issued_at)) != (
                    doc.seller.name, doc.seller.vat_number, doc.gross, doc.vat, qr_time(doc.issued_at)):
                problems.append(ChainProblem(doc.counter, doc.number_text, "qr"))
        except ValidationError:
            problems.append(ChainProblem(doc.counter, doc.number_text, "qr"))
        previous = doc.hash
    return problems
