"""Structured JSON logs that never carry secrets.

Callers log a short message plus `extra={"fields": {...}}` with ids and masked phones only (mask_phone).
As a second line of defence the formatter scrubs device tokens, bearer credentials and full Saudi mobile
numbers from every line. OTP and enrolment codes are never logged (nothing could recognise them later).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

_SCRUB = (
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+"), r"\1[redacted]"),
    (re.compile(r"sd_dev_[A-Za-z0-9_\-]+"), "sd_dev_[redacted]"),
    (re.compile(r"(?<!\d)(?:\+|00)?(9665)\d{6}(\d{2})(?!\d)"), r"+\1******\2"),
    (re.compile(r"(?<!\d)0?5\d{6}(\d{2})(?!\d)"), r"05*******\1"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update({key: value for key, value in fields.items() if key not in payload})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(payload, ensure_ascii=False, default=str))


def configure_logging(level: str | int = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """One JSON handler on the root logger; chatty libraries quietened. Returns the handler it installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # SQL echo would show statements; the engine hides parameters anyway. httpx logs every request line.
    for noisy in ("sqlalchemy", "httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
