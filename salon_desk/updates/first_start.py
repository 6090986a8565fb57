"""The first start of a new version: back the database up, migrate it, restore it if the migration fails.

    upgrade_on_first_start(paths)     # -> the backup taken, or None when nothing was due; MigrationFailed

`store.migrate.prepare_database` already backs up before an upgrade; this adds the way back: when Alembic
fails part-way the database file is replaced by the backup (SQLite's online backup API, both directions), so
the desk, or the previous version IT switches back to, opens the data exactly as it was. The version that last
opened the folder is kept in `<data folder>/updates/last-version`: an ordinary start reads only that file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from salon_desk import __version__
from salon_desk.config import DeskPaths
from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_

log = logging.getLogger(__name__)

MESSAGES = {
    "update.migration_failed": N_(
        "This version could not update the salon's database ({reason}). The database was restored from the "
        "backup {backup}; install the previous version again or contact support."
    ),
}


class MigrationFailed(DomainError):
    def message(self, l10n: Any) -> str:
        text: str = l10n.gettext(MESSAGES[self.code])
        return text.format(**self.params)


def upgrade_on_first_start(paths: DeskPaths, migrate: Callable[[object], None] | None = None) -> Path | None:
    """Migrates `paths.database` to this version's head; `migrate(engine)` is injectable for tests."""
    from salon_desk.store.engine import make_engine
    from salon_desk.store.migrate import backup_database, current_revision, head_revision, upgrade

    if not paths.database.exists() or _last_version(paths) == __version__:
        return None  # a new folder (open_desk creates it) or an ordinary start: no SQLAlchemy before the window
    engine = make_engine(paths.database)
    try:
        current = current_revision(engine)
        if current == head_revision():
            _remember_version(paths)
            return None
        backup = backup_database(paths.database, paths.backups, f"before-{__version__}-from-{current or 'none'}")
        log.info("database backed up to %s before migrating %s -> %s", backup, current, head_revision())
        try:
            (migrate or upgrade)(engine)
        except Exception as exc:
            engine.dispose()
            restore_database(backup, paths.database)
            log.error("migration to %s failed (%s); database restored from %s", head_revision(),
                      type(exc).__name__, backup)
            raise MigrationFailed("update.migration_failed", reason=type(exc).__name__, backup=str(backup)) from exc
    finally:
        engine.dispose()
    _remember_version(paths)
    log.info("database migrated to %s for version %s", head_revision(), __version__)
    return backup


def restore_database(backup: Path, database: Path) -> None:
    """Copies the backup over the database through SQLite's backup API (WAL files stay consistent)."""
    with sqlite3.connect(backup) as source, sqlite3.connect(database) as dest:
        source.backup(dest)


def _last_version(paths: DeskPaths) -> str:
    marker = paths.data_dir / "updates" / "last-version"
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""


def _remember_version(paths: DeskPaths) -> None:
    folder = paths.data_dir / "updates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "last-version").write_text(__version__ + "\n", encoding="utf-8")
