"""What happens before the window opens, for IT's sake (issue #13), in this order:

1. the per-machine log file (`<data folder>/logs/salon-desk.log`, redacted: desk_logs);
2. the first start of a new version: database backed up, migrated, restored if that fails (updates.first_start);
3. unattended enrolment from a provisioning file or flags (provisioning).

    code = prepare_start(data_dir, args)     # None: go on and open the window; an int: exit with it
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from salon_desk.config import DeskPaths

log = logging.getLogger(__name__)


def prepare_start(data_dir: Path, args: argparse.Namespace) -> int | None:
    from salon_desk.desk_logs import configure_desk_logging
    from salon_desk.provisioning import provision_at_start
    from salon_desk.updates.first_start import MigrationFailed, upgrade_on_first_start

    paths = DeskPaths(data_dir)
    configure_desk_logging(paths)
    try:
        upgrade_on_first_start(paths)
    except MigrationFailed as exc:
        from salon_desk.l10n import get_localizer

        lang = "ar" if os.environ.get("LANG", "").lower().startswith("ar") else "en"
        print(f"salon-desk: {exc.message(get_localizer(lang))}", file=sys.stderr)
        return 1
    provision_at_start(data_dir, args)
    return None
