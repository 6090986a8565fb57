"""What a write use case returns: the id it created or touched, and what changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from salon_desk.domain.model import Changes


@dataclass(frozen=True)
class Result:
    id: str | None = None
    changes: Changes = field(default_factory=Changes)
