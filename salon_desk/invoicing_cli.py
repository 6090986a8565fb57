"""`salon-desk zatca-qr encode|decode` and `salon-desk invoices verify`, for accountants and support.

    salon-desk zatca-qr encode --seller NAME --vat-number N --time 2021-07-12T14:25:09Z --total 100.00 --vat 15.00
    salon-desk zatca-qr decode BASE64
    salon-desk invoices verify [--data-dir DIR]

Errors are printed in the language of `--lang` (Arabic by default), naming what is malformed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from salon_desk.domain.errors import DomainError

TAG_LABELS = {1: "seller", 2: "vat_number", 3: "time", 4: "total", 5: "vat", 6: "xml_hash", 7: "signature",
              8: "public_key", 9: "stamp_signature"}


def add_invoicing_commands(sub: Any) -> None:
    qr = sub.add_parser("zatca-qr", help="encode or decode a ZATCA simplified-invoice QR payload (base64 TLV)")
    qr.add_argument("--lang", choices=["ar", "en"], default="ar")
    qr_sub = qr.add_subparsers(dest="qr_command", required=True)
    enc = qr_sub.add_parser("encode", help="print the base64 payload of tags 1-5")
    enc.add_argument("--seller", required=True)
    enc.add_argument("--vat-number", required=True)
    enc.add_argument("--time", required=True, help="ISO 8601 with a time zone, e.g. 2021-07-12T14:25:09Z")
    enc.add_argument("--total", required=True, help="total with VAT in riyals, e.g. 115.00")
    enc.add_argument("--vat", required=True, help="VAT in riyals, e.g. 15.00")
    dec = qr_sub.add_parser("decode", help="print the tags a payload holds (and what is malformed)")
    dec.add_argument("payload")
    inv = sub.add_parser("invoices", help="invoice series tools")
    inv.add_argument("--lang", choices=["ar", "en"], default="ar")
    inv_sub = inv.add_subparsers(dest="invoices_command", required=True)
    ver = inv_sub.add_parser("verify", help="check every invoice series' numbers, hash chain and QR codes")
    ver.add_argument("--data-dir", type=Path, dest="verify_dir")


def _error(exc: DomainError, lang: str) -> str:
    from salon_desk.l10n import get_localizer

    return get_localizer(lang).error(exc)


def zatca_qr_command(args: argparse.Namespace) -> int:
    from salon_desk.domain.money import parse_amount
    from salon_desk.domain.zatca import QrFields, encode_qr, parse_qr_time, tlv_decode, validate_vat_number

    try:
        if args.qr_command == "encode":
            fields = QrFields(args.seller, validate_vat_number(args.vat_number), parse_qr_time(args.time),
                              parse_amount(args.total), parse_amount(args.vat))
            print(encode_qr(fields))
            return 0
        tags = tlv_decode(args.payload)
    except DomainError as exc:
        print(_error(exc, args.lang), file=sys.stderr)
        return 1
    for tag, value in sorted(tags.items()):
        shown = value if isinstance(value, str) else value.hex()
        size = len(value.encode("utf-8")) if isinstance(value, str) else len(value)
        print(f"{tag} {TAG_LABELS[tag]} ({size} bytes): {shown}")
    return 0


def invoices_verify_command(args: argparse.Namespace, data_dir: Path | None) -> int:
    from salon_desk.config import DeskPaths, default_data_dir
    from salon_desk.store.engine import make_engine
    from salon_desk.store.uow import make_uow_factory
    from salon_desk.usecases.daily_close import verify_all

    paths = DeskPaths(args.verify_dir or data_dir or default_data_dir())
    if not paths.database.exists():
        print(f"no desk database at {paths.database}", file=sys.stderr)
        return 2
    engine = make_engine(paths.database)
    try:
        uow = make_uow_factory(engine)()
        problems = verify_all(uow)
        with uow:
            series = uow.money.chain_series_names()
            counts = {s: len(uow.money.chain(s)) for s in series}
    finally:
        engine.dispose()
    for name in series:
        print(f"series {name}: {counts[name]} documents")
    for p in problems:
        print(f"{p.number_text} (counter {p.counter}): {p.problem}")
    print("OK: every chain is intact" if not problems else f"{len(problems)} problem(s) found")
    return 0 if not problems else 1
