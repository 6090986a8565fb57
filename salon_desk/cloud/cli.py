"""`salon-cloud`: serve the API, migrate the database, create salons, issue enrolment codes, revoke desks.

Configuration comes from the environment (CloudSettings). Commands print their result (an id, a code) alone
on stdout so scripts can capture it; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError as SettingsError

from salon_desk.domain.errors import DomainError

from .clock import SystemClock
from .db import Database
from .devices.enrolment import EnrolmentService
from .devices.provisioning_cli import add_provisioning_commands
from .devices.service import DeviceService
from .i18n import translate
from .migrate import current_revision, head_revision, upgrade
from .payments import cli as payments_cli
from .salons.service import create_salon
from .settings import CloudSettings, parse_networks

Command = Callable[[argparse.Namespace, CloudSettings], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = CloudSettings()
    except SettingsError as exc:
        print(f"salon-cloud: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    try:
        code: int = args.command(args, settings)
        return code
    except DomainError as exc:
        print(f"salon-cloud: {translate(exc.code, exc.params, _cli_language())}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salon-cloud", description="Salon Desk cloud service.")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes sharing the port (PostgreSQL: they wake each other's long-polls)",
    )
    serve.add_argument(
        "--backlog", type=int, default=4096, help="pending connections the socket queues (many desks reconnecting)"
    )
    serve.add_argument(
        "--with-worker", action="store_true", help="also send customer notifications (small installs)"
    )
    serve.add_argument(
        "--trusted-proxies",
        "--forwarded-allow-ips",
        dest="trusted_proxies",
        default=None,
        metavar="IPS",
        help="comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed "
        "(sets SALON_TRUSTED_PROXIES; default: nobody's)",
    )
    serve.set_defaults(command=_serve)

    worker = commands.add_parser("worker", help="send customer notifications (any number may run)")
    worker.add_argument("--once", action="store_true", help="queue due reminders, send what is due, exit")
    worker.set_defaults(command=_worker)

    migrate = commands.add_parser("migrate", help="upgrade the database to the latest schema")
    migrate.set_defaults(command=_migrate)

    salon = commands.add_parser("create-salon", help="create a tenant; prints its id")
    salon.add_argument("--name-ar", required=True)
    salon.add_argument("--name-en", required=True)
    salon.add_argument("--timezone", default="Asia/Riyadh")
    salon.add_argument("--sms-sender", default=None, help="registered SMS sender name (<= 11 characters)")
    salon.add_argument("--vat-number", default=None, help="the 15-digit VAT number (starts and ends with 3)")
    salon.add_argument("--commercial-registration", default=None, metavar="CR", help="commercial registration number")
    salon.set_defaults(command=_create_salon)

    code = commands.add_parser("enrol-code", help="issue a one-time desk enrolment code; prints it")
    code.add_argument("--salon", required=True, metavar="SALON_ID")
    code.add_argument("--role", choices=("receptionist", "manager"), default="manager")
    code.add_argument(
        "--rebind-device", metavar="DEVICE_ID", default=None,
        help="a desk restored from a backup: the code re-links only that desk, keeping its identity",
    )
    code.set_defaults(command=_enrol_code)

    add_provisioning_commands(commands)  # provisioning-code create|list|revoke (#13)

    purge = commands.add_parser(
        "purge", help="delete expired OTP requests, throttle rows, link sessions, old push receipts and tombstones"
    )
    purge.set_defaults(command=_purge)

    revoke = commands.add_parser("revoke-device", help="revoke a desk's token (it keeps its data)")
    revoke.add_argument("--salon", required=True, metavar="SALON_ID")
    revoke.add_argument("--device", required=True, metavar="DEVICE_ID")
    revoke.set_defaults(command=_revoke_device)

    imported = commands.add_parser(
        "import-desk", help="load an existing desk database's salon into the cloud (first setup; safe to re-run)"
    )
    imported.add_argument("--salon", required=True, metavar="SALON_ID", help="the salon id inside the desk database")
    imported.add_argument("--desk-db", required=True, type=Path, metavar="PATH")
    imported.set_defaults(command=_import_desk)
    payments_cli.add_commands(commands)  # issue #12
    return parser


def _serve(args: argparse.Namespace, settings: CloudSettings) -> int:
    import uvicorn

    db = Database.from_url(settings.database_url)
    try:
        current, db_backend = current_revision(db.engine), db.backend
    finally:
        db.dispose()
    if current != head_revision():
        print(
            f"salon-cloud: database schema is {current or 'empty'}; run `salon-cloud migrate`",
            file=sys.stderr,
        )
        return 1
    if args.with_worker:
        os.environ["SALON_NOTIFY_IN_PROCESS"] = "1"  # read by every uvicorn worker process's app
    if args.trusted_proxies is not None:
        try:
            parse_networks(args.trusted_proxies)
        except ValueError as exc:
            print(f"salon-cloud: --trusted-proxies: {exc}", file=sys.stderr)
            return 2
        os.environ["SALON_TRUSTED_PROXIES"] = args.trusted_proxies  # every worker's CloudSettings
    if args.workers > 1 and db_backend == "sqlite":
        print(
            "salon-cloud: warning: on SQLite a desk's long-poll is woken only by writes to its own worker "
            "process (others' reach it at its timeout); use PostgreSQL for --workers > 1",
            file=sys.stderr,
        )
    _raise_open_files_limit()  # every waiting desk holds one socket
    uvicorn.run(
        "salon_desk.cloud.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
        backlog=args.backlog,
        log_config=None,  # the app factory installs JSON logging in every worker
        access_log=False,  # the app writes its own access lines, by route template (no raw paths)
        proxy_headers=False,  # edge.ClientAddressMiddleware trusts only SALON_TRUSTED_PROXIES
        forwarded_allow_ips="",
        server_header=False,
    )
    return 0


def _raise_open_files_limit() -> None:
    """Soft RLIMIT_NOFILE up to the hard limit: idle long-polls are sockets, not threads (docs/deploy.md)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _worker(args: argparse.Namespace, settings: CloudSettings) -> int:
    import signal
    import threading

    from .logs import configure_logging
    from .messaging.registry import build_sender
    from .notify.runtime import build_worker
    from .notify.settings import NotifySettings

    configure_logging()
    db, clock = Database.from_url(settings.database_url), SystemClock()
    sender = build_sender(settings, db, clock)
    worker = build_worker(db, sender, clock, settings, NotifySettings())
    try:
        if args.once:
            queued, handled = worker.schedule(), worker.run_until_idle()
            print(f"salon-cloud: {queued} reminders queued, {handled} messages handled", file=sys.stderr)
            return 0
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        worker.start()
        stopped.wait()
        worker.stop()
        return 0
    finally:
        sender.close()
        db.dispose()


def _migrate(args: argparse.Namespace, settings: CloudSettings) -> int:
    upgrade(settings.database_url)
    print(f"salon-cloud: database at revision {head_revision()}", file=sys.stderr)
    return 0


def _create_salon(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        salon_id = create_salon(
            db,
            SystemClock(),
            name_ar=args.name_ar,
            name_en=args.name_en,
            timezone=args.timezone,
            sms_sender=args.sms_sender,
            vat_number=args.vat_number,
            commercial_registration=args.commercial_registration,
        )
    finally:
        db.dispose()
    print(salon_id)
    return 0


def _enrol_code(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        issued = EnrolmentService(db, SystemClock()).issue_code(
            args.salon, args.role, rebind_device_id=args.rebind_device
        )
    finally:
        db.dispose()
    print(issued.code)
    print(
        f"salon-cloud: {issued.role} code, single use, valid until {issued.expires_at:%H:%M} UTC"
        + (f", re-links desk {args.rebind_device} only" if args.rebind_device else ""),
        file=sys.stderr,
    )
    return 0


def _purge(args: argparse.Namespace, settings: CloudSettings) -> int:
    from .maintenance import purge

    db = Database.from_url(settings.database_url)
    try:
        report = purge(db, SystemClock(), settings)
    finally:
        db.dispose()
    counts = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in report.as_dict().items())
    print(f"salon-cloud: purged {counts}", file=sys.stderr)
    return 0


def _revoke_device(args: argparse.Namespace, settings: CloudSettings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        summary = DeviceService(db, SystemClock()).revoke(args.salon, args.device)
    finally:
        db.dispose()
    print(
        f"salon-cloud: device {summary.device_id} revoked at {summary.revoked_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    return 0


def _import_desk(args: argparse.Namespace, settings: CloudSettings) -> int:
    from .sync.bootstrap import import_desk

    if not args.desk_db.is_file():
        print(f"salon-cloud: no desk database at {args.desk_db}", file=sys.stderr)
        return 1
    db = Database.from_url(settings.database_url)
    try:
        counts = import_desk(db, args.desk_db, args.salon)
    finally:
        db.dispose()
    print(f"salon-cloud: imported {sum(counts.values())} rows for salon {args.salon}", file=sys.stderr)
    return 0


def _cli_language() -> str:
    return "ar" if os.environ.get("LANG", "").lower().startswith("ar") else "en"


if __name__ == "__main__":
    raise SystemExit(main())
