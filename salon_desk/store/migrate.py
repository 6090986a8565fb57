"""Bring a desk database to the newest schema, taking a consistent backup first.

The backup uses SQLite's online backup API (safe with WAL) and is taken only when an upgrade is due, so a
failed migration can always be undone by restoring the file; the outbox travels inside it untouched.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from salon_desk.clock import utc_now
from salon_desk.config import resource_path

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
KEEP_BACKUPS = 10
# The newest revision of migrations/local. Kept here so a normal start does not import Alembic (a third of
# the start-up time); a test fails when a new revision is added without updating it.
HEAD_REVISION = "0011"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config(str(resource_path("alembic.ini")), ini_section="local")
    cfg.set_main_option("script_location", str(resource_path("migrations", "local")))
    return cfg


def head_revision() -> str:
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def backup_database(db_path: Path, backup_dir: Path, label: str) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"salon-desk-{stamp}-{label}.db"
    with sqlite3.connect(db_path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    for old in sorted(backup_dir.glob("salon-desk-*.db"))[:-KEEP_BACKUPS]:
        old.unlink()
    return target


def prepare_database(engine: Engine, db_path: Path, backup_dir: Path) -> Path | None:
    """Upgrade to head; back up first when an existing database is behind. Returns the backup taken."""
    current = current_revision(engine)
    if current == head_revision():
        return None
    backup = None
    if current is not None and db_path.exists():
        backup = backup_database(db_path, backup_dir, f"before-{head_revision()}-from-{current}")
        log.info("database backed up to %s before upgrading from %s", backup, current)
    upgrade(engine)
    return backup
