"""The desk's own log file, per machine: `<data folder>/logs/salon-desk.log` (rotated, 5 x 1 MB).

    configure_desk_logging(paths)      # once at start (salon-desk, provision, diagnose --bundle)
    redact(text)                       # what every line passes through, and the support bundle too

Nothing secret reaches the file: device tokens (`sd_dev_…`), provisioning codes (`SDP-…`), bearer headers,
`password=`/`token=`/`code=` values and phone numbers are replaced by "[redacted]" before a line is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from salon_desk.config import DeskPaths

LOG_FILE = "salon-desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
REDACTED = "[redacted]"

_PATTERNS = (
    re.compile(r"sd_dev_[A-Za-z0-9_.\-]+"),  # device tokens (sd_dev_<salon>.<secret>)
    re.compile(r"\bSDP(?:[\s\-]*[A-Z2-7]{4}){6}\b", re.IGNORECASE),  # provisioning codes
    re.compile(r"(?i)(bearer\s+)[^\s\"']+"),
    re.compile(r"(?i)((?:password|passwd|secret|token|code|api[_-]?key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
    # phone numbers: +966 5x…, 05x…, 9665…, with spaces or dashes, Western or Arabic-Indic digits
    re.compile(r"(?:\+|\b00)[0-9٠-٩](?:[\s\-]?[0-9٠-٩]){7,14}\b"),  # international
    re.compile(r"\b[0٠][5٥][0-9٠-٩](?:[\s\-]?[0-9٠-٩]){7}\b"),  # 05x xxx xxxx
    re.compile(r"\b[0-9٠-٩]{9,15}\b"),  # 9665xxxxxxxx, 5xxxxxxxx: any long run of digits
)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_path(paths: DeskPaths) -> Path:
    return paths.logs / LOG_FILE


def configure_desk_logging(paths: DeskPaths, level: int = logging.INFO) -> Path:
    """Adds the rotating file handler to the root logger (once per file); returns the file's path."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    target = log_path(paths)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == target.resolve():
            return target
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return target


def remove_desk_logging(paths: DeskPaths) -> None:
    """Detaches and closes this folder's handler (tests, and before a data folder is deleted)."""
    target = log_path(paths).resolve()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == target:
            root.removeHandler(handler)
            handler.close()
