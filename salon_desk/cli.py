"""The `salon-desk` and `salon-cloud` commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from salon_desk import __version__


def _desk_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salon-desk", description="Salon Desk: the salon's front-desk app.")
    parser.add_argument("--version", action="version", version=f"salon-desk {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where this desk keeps its database (default: the user's data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="open a demo salon in a temporary folder (nothing touches your real data)")
    sub = parser.add_subparsers(dest="command")
    seed = sub.add_parser("seed-demo", help="create the demo salon in a data folder")
    seed.add_argument("--data-dir", type=Path, required=True, dest="seed_dir")
    seed.add_argument("--scale", choices=["demo", "year"], default="demo",
                      help="demo: 8 staff, 2,000 customers; year: 30 staff, 100,000 customers, a busy year")
    shot = sub.add_parser("screenshot", help="render a screen offscreen to a PNG file")
    shot.add_argument("--view", required=True, choices=["day", "week", "walkins", "customers", "booking", "settings",
                                                          "audit", "signin", "checkout", "staff", "services", "salon",
                                                          "close"])
    shot.add_argument("--lang", choices=["ar", "en"], default="ar")
    shot.add_argument("--out", type=Path, required=True)
    shot.add_argument("--data-dir", type=Path, dest="shot_dir", help="default: a fresh demo salon")
    enrol = sub.add_parser("enrol", help="connect this desk to the salon's cloud with an enrolment code (IT)")
    enrol.add_argument("--cloud", required=True, help="the cloud's address, e.g. https://salon.example.sa")
    enrol.add_argument("--code", required=True, help="the 8-digit enrolment code a manager created")
    enrol.add_argument("--name", default="Reception", help="this desk's name in the salon's device list")
    enrol.add_argument("--data-dir", type=Path, dest="enrol_dir")
    diag = sub.add_parser("diagnose", help="print what IT needs to know about this desk (never secrets)")
    diag.add_argument("--data-dir", type=Path, dest="diag_dir")
    diag.add_argument("--bundle", type=Path, metavar="FILE",
                      help="also write a support archive (.zip) without secrets or phone numbers")
    from salon_desk.provisioning import add_provisioning_arguments

    add_provisioning_arguments(parser, sub)  # --provision FILE / --cloud --salon --provisioning-code; `provision`
    from salon_desk.updates.command import add_update_command

    add_update_command(sub)  # `update`: vendor-signed builds from the TUF channel
    from salon_desk.invoicing_cli import add_invoicing_commands

    add_invoicing_commands(sub)  # `zatca-qr encode|decode`, `invoices verify` (issue #11)
    from salon_desk.audit_cli import add_audit_command

    add_audit_command(sub)  # `audit verify`: the first broken link of the audit chain (issue #10)
    return parser


def desk_main(argv: list[str] | None = None) -> int:
    args = _desk_parser().parse_args(argv)
    if args.command == "seed-demo":
        from salon_desk.demo.seed import AlreadySeeded, seed_demo

        try:
            rows = seed_demo(args.seed_dir, scale=args.scale)
        except AlreadySeeded:
            print(f"{args.seed_dir} already holds a salon; nothing was changed.", file=sys.stderr)
            return 1
        print(f"demo salon ({args.scale}) written to {args.seed_dir / 'salon-desk.db'}: {rows} rows")
        return 0
    if args.command == "screenshot":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from salon_desk.app import screenshot

        print(screenshot(args.view, args.lang, args.out, args.shot_dir))
        return 0
    if args.command == "enrol":
        from salon_desk.app import enrol_command

        return enrol_command(args.enrol_dir or args.data_dir, args.cloud, args.code, args.name)
    if args.command == "diagnose":
        from salon_desk.diagnose import report

        print(report(args.diag_dir or args.data_dir))
        if args.bundle:
            from salon_desk.diagnose_bundle import write_bundle

            print(f"support bundle: {write_bundle(args.bundle, args.diag_dir or args.data_dir)}")
        return 0
    if args.command == "provision":
        from salon_desk.provisioning import provision_command

        return provision_command(args)
    if args.command == "update":
        from salon_desk.updates.command import update_command

        return update_command(args)
    if args.command == "zatca-qr":
        from salon_desk.invoicing_cli import zatca_qr_command

        return zatca_qr_command(args)
    if args.command == "audit":
        from salon_desk.audit_cli import audit_command

        return audit_command(args, args.data_dir)
    if args.command == "invoices":
        from salon_desk.invoicing_cli import invoices_verify_command

        return invoices_verify_command(args, args.data_dir)
    if args.demo and (missing := cloud_extra_missing()):
        print(f"The demo runs its own cloud, which is not installed here ({missing} is missing).\n"
              "Install it with: pip install 'salon-desk[cloud]' (or run ./scripts/demo.sh from a checkout). "
              "The frozen desk for front-desk PCs carries no server code.", file=sys.stderr)
        return 2
    from salon_desk.app import demo_data_dir, run_desk
    from salon_desk.config import default_data_dir

    data_dir = demo_data_dir() if args.demo else (args.data_dir or default_data_dir())
    if not args.demo:
        from salon_desk.startup import prepare_start

        refused = prepare_start(data_dir, args)  # log file, new version's migration, IT's provisioning
        if refused is not None:
            return refused
    return run_desk(data_dir, demo=args.demo)


def cloud_extra_missing() -> str | None:
    """The first server package the `[cloud]` extra brings that is not importable here (None: all are)."""
    import importlib.util

    for module in ("fastapi", "uvicorn", "pydantic_settings", "salon_desk.cloud"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


def cloud_main(argv: list[str] | None = None) -> int:
    if missing := cloud_extra_missing():
        print(f"salon-cloud needs the cloud extra ({missing} is missing): pip install 'salon-desk[cloud]'",
              file=sys.stderr)
        return 2
    from salon_desk.cloud.cli import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(desk_main())
