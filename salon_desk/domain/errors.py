"""Typed errors that carry a code and parameters, never a sentence.

Every code has an English message template (marked for translation) in `MESSAGES` of the module that
raises it; `salon_desk.domain.messages` collects them into one table the edges translate with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A business rule refused an input. `code` is stable (it travels in sync and API answers)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = dict(params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class ValidationError(DomainError):
    """The input itself is malformed (bad phone, negative money, empty name)."""


class NotFound(DomainError):
    """The input names something that does not exist (unknown service, staff, booking)."""


class Conflict(DomainError):
    """The input is well formed but clashes with current state (overlap, refused transition)."""


class Forbidden(DomainError):
    """The actor's role does not allow the action."""


def params_of(error: DomainError) -> Mapping[str, Any]:
    return error.params
