"""`salon-cloud payments …`: the apply/reconcile job outside the API process, one reconciliation pass, and a
fresh SALON_PAYMENTS_KEY."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from ..clock import SystemClock
from ..db import Database
from ..settings import CloudSettings
from .keys import new_master_key
from .runtime import PaymentsRunner, build_payments


def add_commands(commands: Any) -> None:
    payments = commands.add_parser("payments", help="online payments (Moyasar): job, reconciliation, key")
    actions = payments.add_subparsers(dest="payments_action", required=True, metavar="ACTION")
    work = actions.add_parser("work", help="apply webhook events and reconcile until stopped")
    work.add_argument("--poll", type=float, default=5.0, metavar="SECONDS")
    work.set_defaults(command=_work)
    reconcile = actions.add_parser("reconcile", help="one pass: re-fetch stuck links and payments, print fixes")
    reconcile.add_argument("--older-than", type=int, default=300, metavar="SECONDS")
    reconcile.set_defaults(command=_reconcile)
    key = actions.add_parser("new-key", help="print a fresh SALON_PAYMENTS_KEY value")
    key.set_defaults(command=_new_key)


def _work(args: argparse.Namespace, settings: CloudSettings) -> int:
    from ..logs import configure_logging

    configure_logging()
    db = Database.from_url(settings.database_url)
    runner = PaymentsRunner(build_payments(settings, db, SystemClock()), poll_seconds=args.poll)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    runner.start()
    stopped.wait()
    runner.stop()
    db.dispose()
    return 0


def _reconcile(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        payments = build_payments(settings, db, SystemClock())
        applied = payments.apply_pending()
        corrections = payments.reconcile(older_than_seconds=args.older_than)
    finally:
        db.dispose()
    for correction in corrections:
        print(json.dumps(correction))
    print(f"salon-cloud: {applied} webhook events applied, {len(corrections)} corrections", file=sys.stderr)
    return 0


def _new_key(args: argparse.Namespace, settings: CloudSettings) -> int:
    print(new_master_key())
    return 0
