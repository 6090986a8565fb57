"""The audit chain's one hashing rule, shared by the desk (which writes and verifies its chain) and the cloud
(which re-links every uploaded event, so a desk cannot upload a chain that disagrees with what it anchored).

An event's hash is SHA-256 of the previous event's hash followed by the canonical JSON of its fields; the first
event of a desk's chain follows GENESIS. `at` is hashed as its fixed-width UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
AT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def chain_fields(
    event_id: str, salon_id: str, actor_id: str, device_id: str, action: str, entity: str, entity_id: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None, at_text: str,
) -> dict[str, Any]:
    """What an event's hash covers. `device_id` is the device the desk wrote it under ("local" before the desk
    was enrolled), `at_text` its instant as fixed-width UTC text."""
    return {"id": event_id, "salon_id": salon_id, "actor_id": actor_id, "device_id": device_id,
            "action": action, "entity": entity, "entity_id": entity_id, "before": before, "after": after,
            "at": at_text}
