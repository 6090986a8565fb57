"""Cloud-side error kinds and the HTTP status each maps to.

Errors carry a stable code and params (never prose); `web.py` turns them into
`{"code", "detail", "params"}` with the detail translated for the caller's language.
"""

from __future__ import annotations

from typing import Any

from salon_desk.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from salon_desk.domain.i18n import N_

MESSAGES = {
    "invalid_request": N_("The request is not valid."),
    "not_found": N_("Nothing was found at this address."),
    "method_not_allowed": N_("This action is not allowed here."),
    "internal": N_("Something went wrong on the server. Please try again shortly."),
    "unavailable": N_("The server is not available right now. Please try again shortly."),
    "rate_limited": N_("Too many attempts. Please try again in {seconds}."),
}


class BadRequest(DomainError):
    """Well-formed but wrong input the caller can correct (a wrong code)."""


class Unauthorized(DomainError):
    """No valid credentials (unknown or revoked device token)."""


class Gone(DomainError):
    """The thing existed but is no longer usable (an expired code)."""


class RateLimited(DomainError):
    """Too many requests; `retry_after` is the exact number of seconds until one would pass."""

    def __init__(self, code: str, retry_after: int, **params: Any) -> None:
        super().__init__(code, seconds=retry_after, **params)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (database, message provider) failed; trying again later may work."""


# First match wins, so subclasses come before their bases.
_STATUS_BY_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (RateLimited, 429),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Gone, 410),
    (ValidationError, 422),
    (Unavailable, 503),
    (BadRequest, 400),
)


def http_status(error: DomainError) -> int:
    for kind, status in _STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400
