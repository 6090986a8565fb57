"""`salon-cloud provisioning-code create|list|revoke`: IT's side of unattended desk enrolment.

    salon-cloud provisioning-code create --salon SALON_ID --role receptionist --desks 5 --days 7 --label "Branch 2"
    salon-cloud provisioning-code list --salon SALON_ID
    salon-cloud provisioning-code revoke --salon SALON_ID --id CODE_ID

`create` prints the code alone on stdout (it is never shown again); everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..clock import SystemClock
from ..db import Database
from ..settings import CloudSettings
from .provisioning import DEFAULT_DAYS, DEFAULT_DESKS, ProvisioningService


def add_provisioning_commands(commands: Any) -> None:
    """Adds `provisioning-code` to the `salon-cloud` sub-command parsers."""
    parser = commands.add_parser(
        "provisioning-code", help="codes that let IT enrol desks unattended (days, N desks, one role)"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="issue a code; prints it (shown only once)")
    create.add_argument("--salon", required=True, metavar="SALON_ID")
    create.add_argument("--role", choices=("receptionist", "manager"), default="receptionist")
    create.add_argument("--desks", type=int, default=DEFAULT_DESKS, help="how many desks it may enrol (1-100)")
    create.add_argument("--days", type=int, default=DEFAULT_DAYS, help="how many days it lasts (1-30)")
    create.add_argument("--label", default="", help="a note for the list, e.g. the branch or the ticket")
    create.set_defaults(command=_create)
    listing = actions.add_parser("list", help="the salon's codes: uses, expiry, revoked (never the codes)")
    listing.add_argument("--salon", required=True, metavar="SALON_ID")
    listing.set_defaults(command=_list)
    revoke = actions.add_parser("revoke", help="revoke a code; desks it enrolled keep working")
    revoke.add_argument("--salon", required=True, metavar="SALON_ID")
    revoke.add_argument("--id", required=True, dest="code_id", metavar="CODE_ID")
    revoke.set_defaults(command=_revoke)


def _create(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        issued = ProvisioningService(db, SystemClock()).issue(
            args.salon, args.role, max_desks=args.desks, valid_days=args.days, label=args.label
        )
    finally:
        db.dispose()
    print(issued.code)
    print(
        f"salon-cloud: provisioning code {issued.id}: {issued.role}, up to {issued.max_desks} desk(s), "
        f"valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    return 0


def _list(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        codes = ProvisioningService(db, SystemClock()).list_codes(args.salon)
    finally:
        db.dispose()
    for code in codes:
        state = "revoked" if code.revoked_at else f"until {code.expires_at:%Y-%m-%d %H:%M} UTC"
        print(f"{code.id}\t{code.role}\t{code.used_desks}/{code.max_desks}\t{state}\t{code.label}")
    return 0


def _revoke(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        summary = ProvisioningService(db, SystemClock()).revoke(args.salon, args.code_id)
    finally:
        db.dispose()
    print(f"salon-cloud: provisioning code {summary.id} revoked", file=sys.stderr)
    return 0
