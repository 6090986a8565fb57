"""`salon-desk diagnose`: versions, paths, schema and sync backlog, for IT. Never prints secrets."""

from __future__ import annotations

import platform
import sqlite3
from pathlib import Path

from salon_desk import __version__
from salon_desk.config import DeskPaths, default_data_dir


def report(data_dir: Path | None) -> str:
    paths = DeskPaths(data_dir or default_data_dir())
    lines = [f"salon-desk {__version__}", f"python {platform.python_version()} on {platform.platform()}",
             f"data folder: {paths.data_dir}", f"database: {paths.database}"]
    if not paths.database.exists():
        return "\n".join([*lines, "database: not created yet"])
    with sqlite3.connect(f"file:{paths.database}?mode=ro", uri=True) as db:
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
        pending = db.execute("SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'").fetchone()
        integrity = db.execute("PRAGMA quick_check").fetchone()[0]
    lines += [f"schema revision: {revision[0] if revision else 'none'}",
              f"changes waiting to sync: {pending[0]} (oldest {pending[1] or '-'})",
              f"integrity: {integrity}",
              f"backups: {len(list(paths.backups.glob('*.db'))) if paths.backups.exists() else 0}"]
    return "\n".join(lines)
