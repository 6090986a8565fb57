"""Reading `GET /v1/dev/messages` (the console provider's log) with the standard library only: this panel
exists in the demo, and the desk's one HTTP client stays in `salon_desk.sync.api`."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ConsoleMessage:
    id: str
    created_at: datetime
    phone_number: str
    channel: str
    kind: str  # otp | text
    text: str
    links: tuple[str, ...]
    code: str | None


def fetch_messages(cloud_url: str, limit: int = 100, timeout: float = 5.0) -> list[ConsoleMessage]:
    """Newest first. Raises OSError (URLError) when the cloud does not answer."""
    url = f"{cloud_url.rstrip('/')}/v1/dev/messages?limit={int(limit)}"
    if not url.startswith(("http://127.0.0.1", "http://localhost", "https://")):
        raise ValueError("the message panel reads only a local or https cloud")
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - scheme checked above
        payload = json.load(answer)
    return [_message(m) for m in payload.get("messages", [])]


def _message(raw: dict[str, Any]) -> ConsoleMessage:
    return ConsoleMessage(
        id=raw["id"],
        created_at=datetime.fromisoformat(raw["created_at"]),
        phone_number=raw["phone_number"],
        channel=raw["channel"],
        kind=raw["kind"],
        text=raw["text"],
        links=tuple(raw.get("links") or ()),
        code=raw.get("code"),
    )
