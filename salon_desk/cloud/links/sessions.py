"""The browser's short-lived, server-side session on one link: which code it asked for, and whether it
proved the code. The browser holds only a random secret in an HttpOnly cookie scoped to the link's path;
the server keeps sha256(secret), bound to the link. Nothing about the verification is ever in the URL.

Only secrets the server issued count: the row is created when the cookie is set (`open_session`), and a
cookie value with no row for this link (made up, planted, or from another link) is no session at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salon_desk.domain.ids import new_id

from .rows import CustomerLinkRow, CustomerLinkSessionRow
from .tokens import token_hash

COOKIE_NAME = "sd_link"
SESSION_LIFETIME = timedelta(minutes=30)
# After a correct code the customer may confirm or cancel for this long without a new code.
VERIFIED_FOR = timedelta(minutes=15)
STALE_AFTER = timedelta(days=1)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LinkSessionState:
    otp_request_id: str | None
    verified: bool

    @property
    def code_sent(self) -> bool:
        return self.otp_request_id is not None


NO_SESSION = LinkSessionState(None, False)


def _find(
    session: Session, link: CustomerLinkRow, secret: str | None, now: datetime, *, expired: bool = False
) -> CustomerLinkSessionRow | None:
    if not secret:
        return None
    row = session.scalar(
        select(CustomerLinkSessionRow).where(
            CustomerLinkSessionRow.salon_id == link.salon_id,
            CustomerLinkSessionRow.secret_hash == token_hash(secret),
            CustomerLinkSessionRow.link_id == link.id,
        )
    )
    return row if row is not None and (expired or row.expires_at > now) else None


def issued(session: Session, link: CustomerLinkRow, secret: str | None, now: datetime) -> bool:
    """Whether the server issued this cookie value for this link (expired sessions included: they renew)."""
    return _find(session, link, secret, now, expired=True) is not None


def open_session(session: Session, link: CustomerLinkRow, secret: str, now: datetime) -> None:
    """Records a newly issued cookie value (no code asked for yet), and forgets this link's sessions that
    no browser can still hold (the cookie lives SESSION_LIFETIME; STALE_AFTER later they are gone)."""
    session.execute(
        delete(CustomerLinkSessionRow).where(
            CustomerLinkSessionRow.salon_id == link.salon_id,
            CustomerLinkSessionRow.link_id == link.id,
            CustomerLinkSessionRow.expires_at < now - STALE_AFTER,
        )
    )
    session.add(
        CustomerLinkSessionRow(
            id=new_id(int(now.timestamp() * 1000)),
            salon_id=link.salon_id,
            link_id=link.id,
            secret_hash=token_hash(secret),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.commit()


def session_state(
    session: Session, link: CustomerLinkRow, secret: str | None, now: datetime
) -> LinkSessionState:
    row = _find(session, link, secret, now)
    if row is None:
        return NO_SESSION
    verified = row.verified_at is not None and now < row.verified_at + VERIFIED_FOR
    return LinkSessionState(row.otp_request_id, verified)


def remember_code(
    session: Session, link: CustomerLinkRow, secret: str, request_id: str, now: datetime
) -> None:
    """The browser asked for a code: a new code replaces any earlier one and any earlier verification.
    An expired session of the same cookie is renewed (the secret is unique)."""
    row = _find(session, link, secret, now, expired=True)
    if row is None:
        row = CustomerLinkSessionRow(
            id=new_id(int(now.timestamp() * 1000)),
            salon_id=link.salon_id,
            link_id=link.id,
            secret_hash=token_hash(secret),
            created_at=now,
        )
        session.add(row)
    row.otp_request_id, row.verified_at, row.expires_at = request_id, None, now + SESSION_LIFETIME
    session.commit()


def mark_verified(session: Session, link: CustomerLinkRow, secret: str, now: datetime) -> None:
    row = _find(session, link, secret, now)
    if row is not None:
        row.verified_at = now
        row.expires_at = max(row.expires_at, now + VERIFIED_FOR)
        session.commit()
