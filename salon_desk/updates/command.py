"""`salon-desk update`: check the vendor's signed channel and install a newer build (IT, or a scheduled task).

    salon-desk update --channel https://updates.example.sa/salon-desk [--app-dir DIR] [--root root.json] [--check]

Defaults: the channel from $SALON_DESK_UPDATE_URL; the app folder is the running frozen build's; the trust
anchor is the root.json shipped in the build (resources/updates/root.json). Exit 0: up to date or installed
(restart the desk to use it); 1: refused (the message says why; the installed version keeps running).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from salon_desk import __version__
from salon_desk.config import DeskPaths, default_data_dir, resource_path

CHANNEL_ENV = "SALON_DESK_UPDATE_URL"


def add_update_command(sub: Any) -> None:
    command = sub.add_parser("update", help="install a newer vendor-signed build from the update channel (IT)")
    command.add_argument("--channel", default=None, metavar="URL", help=f"default: ${CHANNEL_ENV}")
    command.add_argument("--app-dir", type=Path, default=None, help="the installed salon-desk folder")
    command.add_argument("--root", type=Path, default=None, help="the vendor's trusted root.json")
    command.add_argument("--check", action="store_true", help="download and verify only; install nothing")
    command.add_argument("--data-dir", type=Path, dest="update_dir")


def installed_version(app_dir: Path) -> str:
    info = app_dir / "BUILD-INFO.json"
    if info.is_file():
        version: str = json.loads(info.read_text(encoding="utf-8")).get("version", __version__)
        return version
    return __version__


def update_command(args: argparse.Namespace) -> int:
    from salon_desk.desk_logs import configure_desk_logging
    from salon_desk.l10n import get_localizer
    from salon_desk.updates.client import UpdateChannel, UpdateError, check_and_install

    paths = DeskPaths(args.update_dir or args.data_dir or default_data_dir())
    configure_desk_logging(paths)
    channel_url = args.channel or os.environ.get(CHANNEL_ENV)
    if not channel_url:
        print(f"salon-desk: no update channel: pass --channel or set {CHANNEL_ENV}", file=sys.stderr)
        return 2
    app_dir = args.app_dir or Path(sys.executable).resolve().parent
    if not getattr(sys, "frozen", False) and args.app_dir is None:
        print("salon-desk: running from source: pass --app-dir (the installed build's folder)", file=sys.stderr)
        return 2
    root = args.root or resource_path("resources", "updates", "root.json")
    channel = UpdateChannel(channel_url, app_dir, paths.data_dir / "updates", root)
    current = installed_version(app_dir)
    try:
        outcome = check_and_install(channel, current, install=not args.check)
    except UpdateError as exc:
        lang = "ar" if os.environ.get("LANG", "").lower().startswith("ar") else "en"
        print(f"salon-desk: {exc.message(get_localizer(lang))}", file=sys.stderr)
        return 1
    if outcome.installed:
        print(f"installed {outcome.version} (was {current}); the previous build is in {outcome.previous_dir}")
    else:
        print(f"{current} is up to date" if not args.check else f"checked; {current} installed")
    return 0
