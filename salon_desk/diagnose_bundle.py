"""`salon-desk diagnose --bundle FILE`: one .zip IT can send to support, with no secret and no phone number.

    write_bundle(Path("support.zip"), data_dir)   # -> the file written

Inside: `report.txt` (what `diagnose` prints), `versions.txt` (the app and its libraries), `settings.json`
(SALON_* environment, the keyring backend's name, the cloud link without its token, the provisioning file
without its code), `integrity.txt` (SQLite's full integrity check, read-only), `sync_backlog.json` (the outbox
by status, the oldest waiting change, the last errors) and `logs/` (the newest lines of each log file).
Every text passes `desk_logs.redact` on its way in: tokens, codes, bearer values and phone numbers become
"[redacted]". Customer data is never read.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from salon_desk import __version__
from salon_desk.config import DeskPaths, default_data_dir
from salon_desk.desk_logs import REDACTED, redact

LOG_LINES = 2000
LIBRARIES = ("PySide6-Essentials", "PySide6", "shiboken6", "SQLAlchemy", "alembic", "httpx", "keyring", "Babel",
             "phonenumbers", "hijridate", "tufup", "tuf")
SECRET_NAMES = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASS", "CODE", "DSN", "DATABASE_URL")
LINK_KEYS = ("device_id", "salon_id", "cloud_url", "epoch", "cursor", "head_seq", "last_push_ok_at",
             "last_pull_ok_at", "clock_offset_ms")


def write_bundle(out: Path, data_dir: Path | None = None) -> Path:
    from salon_desk.diagnose import report

    paths = DeskPaths(data_dir or default_data_dir())
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, text: str) -> None:
            archive.writestr(name, redact(text))

        put("report.txt", _safely(lambda: report(paths.data_dir)))
        put("versions.txt", _versions())
        put("settings.json", json.dumps(_settings(paths), indent=2, ensure_ascii=False))
        put("integrity.txt", _safely(lambda: _integrity(paths.database)))
        put("sync_backlog.json", _safely(lambda: json.dumps(_backlog(paths.database), indent=2)))
        for log_file in sorted(paths.logs.glob("*.log*")) if paths.logs.exists() else []:
            put(f"logs/{log_file.name}", _tail(log_file, LOG_LINES))
    return out


def _safely(build: Any) -> str:
    try:
        return str(build())
    except Exception as exc:  # a broken database is exactly when a bundle is needed: say what failed
        return f"could not be read: {type(exc).__name__}: {exc}"


def _versions() -> str:
    lines = [f"salon-desk {__version__}", f"python {platform.python_version()} ({platform.python_implementation()})",
             f"platform {platform.platform()}", f"frozen {bool(getattr(__import__('sys'), 'frozen', False))}"]
    for name in LIBRARIES:
        try:
            lines.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return "\n".join(lines) + "\n"


def _settings(paths: DeskPaths) -> dict[str, Any]:
    env = {
        name: (REDACTED if any(part in name.upper() for part in SECRET_NAMES) else value)
        for name, value in sorted(os.environ.items())
        if name.startswith(("SALON_", "QT_QPA", "LANG", "LC_ALL", "TZ"))
    }
    result: dict[str, Any] = {"data_folder": str(paths.data_dir), "environment": env}
    try:
        import keyring

        result["keyring_backend"] = f"{type(keyring.get_keyring()).__module__}.{type(keyring.get_keyring()).__name__}"
    except Exception as exc:
        result["keyring_backend"] = f"unavailable ({type(exc).__name__})"
    result["cloud_link"] = _safely_dict(lambda: _link(paths.database))
    provisioning = paths.data_dir / "provisioning.json"
    if provisioning.exists():
        try:
            values = json.loads(provisioning.read_text(encoding="utf-8-sig"))
            if isinstance(values, dict) and "code" in values:
                values["code"] = REDACTED
            result["provisioning_file"] = values
        except ValueError:
            result["provisioning_file"] = "not valid JSON"
    return result


def _safely_dict(build: Any) -> Any:
    try:
        return build()
    except Exception as exc:
        return f"could not be read: {type(exc).__name__}"


def _readonly(database: Path) -> sqlite3.Connection:
    if not database.exists():
        raise FileNotFoundError("the database was not created yet")
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def _link(database: Path) -> dict[str, str]:
    with _readonly(database) as db:
        rows = db.execute(
            f"SELECT key, value FROM sync_state WHERE key IN ({','.join('?' * len(LINK_KEYS))})", LINK_KEYS
        ).fetchall()
    return dict(rows)


def _integrity(database: Path) -> str:
    with _readonly(database) as db:
        rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
        foreign = db.execute("PRAGMA foreign_key_check").fetchall()
    return "\n".join([*rows, f"foreign key problems: {len(foreign)}"]) + "\n"


def _backlog(database: Path) -> dict[str, Any]:
    with _readonly(database) as db:
        by_status = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        oldest = db.execute("SELECT min(created_at) FROM outbox WHERE status = 'pending'").fetchone()[0]
        by_name = dict(
            db.execute("SELECT name, count(*) FROM outbox WHERE status = 'pending' GROUP BY name").fetchall()
        )
        columns = {row[1] for row in db.execute("PRAGMA table_info(outbox)").fetchall()}
        errors: list[Any] = []
        if {"last_error", "attempts"} <= columns:
            errors = [
                {"device_seq": seq, "name": name, "attempts": attempts, "last_error": error}
                for seq, name, attempts, error in db.execute(
                    "SELECT device_seq, name, attempts, last_error FROM outbox WHERE last_error IS NOT NULL "
                    "ORDER BY device_seq DESC LIMIT 20"
                ).fetchall()
            ]
    return {"by_status": by_status, "pending_by_name": by_name, "oldest_pending": oldest, "recent_errors": errors}


def _tail(path: Path, lines: int) -> str:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 400 * lines))
        data = handle.read().decode("utf-8", errors="replace")
    return "\n".join(data.splitlines()[-lines:]) + "\n"
