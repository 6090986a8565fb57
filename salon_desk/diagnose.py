"""`salon-desk diagnose`: versions, paths, schema and sync backlog, for IT. Never prints secrets."""

from __future__ import annotations

import platform
import sqlite3
from pathlib import Path

from salon_desk import __version__
from salon_desk.buildinfo import build_kind
from salon_desk.config import DeskPaths, default_data_dir


def report(data_dir: Path | None) -> str:
    paths = DeskPaths(data_dir or default_data_dir())
    lines = [f"salon-desk {__version__}", f"build: {build_kind()}",
             f"python {platform.python_version()} on {platform.platform()}",
             f"data folder: {paths.data_dir}", f"database: {paths.database}"]
    if not paths.database.exists():
        return "\n".join([*lines, "database: not created yet"])
    with sqlite3.connect(f"file:{paths.database}?mode=ro", uri=True) as db:
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
        pending = db.execute("SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'").fetchone()
        integrity = db.execute("PRAGMA quick_check").fetchone()[0]
        invoicing = _invoicing(db)
    lines += [f"schema revision: {revision[0] if revision else 'none'}",
              f"changes waiting to sync: {pending[0]} (oldest {pending[1] or '-'})",
              f"integrity: {integrity}",
              f"backups: {len(list(paths.backups.glob('*.db'))) if paths.backups.exists() else 0}"]
    lines += invoicing
    return "\n".join(lines)


def _invoicing(db: sqlite3.Connection) -> list[str]:
    """This desk's invoice series and the salon's ZATCA phase (issue #11); nothing when the schema predates them."""
    counter_columns = {row[1] for row in db.execute("PRAGMA table_info(invoice_counter)")}
    if "active" not in counter_columns:
        return []
    series = db.execute("SELECT series, last_number, credit_last_number FROM invoice_counter WHERE active").fetchone()
    salon_columns = {row[1] for row in db.execute("PRAGMA table_info(salon)")}
    phase = "1"
    if "zatca_phase" in salon_columns:
        phase = str(db.execute("SELECT zatca_phase FROM salon LIMIT 1").fetchone()[0] or "1")
    out = [f"invoice series: {series[0]} (last invoice {series[1]}, last credit note {series[2]})" if series
           else "invoice series: none opened yet",
           f"ZATCA phase: {phase}"]
    if phase == "2":
        out.append("ZATCA phase 2: this salon is in an integration wave; reporting invoices to ZATCA is not built yet")
    return out
