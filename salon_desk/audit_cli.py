"""`salon-desk audit verify`: walks this desk's audit chain and reports the first broken link (an event edited
after it was written, or one whose link to the previous event was cut). Exit 0 intact, 1 broken.

When the desk is enrolled, `--cloud-anchors` also compares the chain with the heads the cloud anchored at each
sync, so a chain rewritten *and* re-hashed on this desk (which the walk alone cannot see) is caught too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_audit_command(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail of this desk")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="report the first broken link of the audit chain")
    verify.add_argument("--data-dir", type=Path, dest="audit_dir")
    verify.add_argument("--cloud-anchors", action="store_true",
                        help="also compare with the chain heads the cloud anchored (enrolled desks)")


def audit_command(args: argparse.Namespace, data_dir: Path | None) -> int:
    from salon_desk.app import open_desk
    from salon_desk.config import default_data_dir

    runtime = open_desk(args.audit_dir or data_dir or default_data_dir())
    try:
        desk = runtime.desk
        broken = desk.audit.verify()
        head = desk.audit.head()
        if broken is not None:
            print(f"BROKEN: event #{broken.seq} (id {broken.event_id}) was {broken.reason} after it was written; "
                  "every later event is unverified.")
            return 1
        if args.cloud_anchors:
            mismatch = _check_cloud_anchors(runtime)
            if mismatch is not None:
                print(f"BROKEN: event #{mismatch} no longer matches the chain head the cloud anchored; "
                      "the chain was rewritten on this desk.")
                return 1
        count = head.seq if head else 0
        print(f"intact: {count} events, head #{head.seq} {head.hash[:16]}…" if head else "intact: no events yet")
        return 0
    finally:
        runtime.close()


def _check_cloud_anchors(runtime: Any) -> int | None:
    from salon_desk.app import secret_store
    from salon_desk.sync.api import SyncApi
    from salon_desk.usecases.audit_view import first_unanchored
    from salon_desk.usecases.enrolment import enrolled_desk

    secrets = secret_store()
    enrolled = enrolled_desk(runtime.engine, secrets) if secrets is not None else None
    if enrolled is None:
        print("this desk is not enrolled: no cloud anchors to compare", file=sys.stderr)
        return None
    link, token = enrolled
    api = SyncApi(link.cloud_url, token)
    try:
        anchors = api.audit_anchors()
    finally:
        api.close()
    return first_unanchored(runtime.desk.audit.uow(), anchors)
