"""The browser's short-lived, server-side session on one link: which code it asked for, and whether it
proved the code. The browser holds only a random secret in an HttpOnly cookie scoped to the link's path;
the server keeps sha256(secret), bound to the link. Nothing about the verification is ever in the URL.

Only secrets the server issued count: a cookie value carries the server's MAC over (this link, its random
part, when it was issued), so one made up, planted from nowhere or taken from another link is no session at
all, and looking at a page writes nothing. The row is created when the browser first asks for a code
(`remember_code`). Cookies issued before the MAC (a row made when the page was viewed) still count while
their row lasts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from salon_desk.domain.ids import new_id

from .rows import CustomerLinkRow, CustomerLinkSessionRow
from .tokens import token_hash

COOKIE_NAME = "sd_link"
SESSION_LIFETIME = timedelta(minutes=30)
# After a correct code the customer may confirm or cancel for this long without a new code.
VERIFIED_FOR = timedelta(minutes=15)
STALE_AFTER = timedelta(days=1)
_MAC_LABEL = b"salon-desk customer link session cookie v1"


@cache
def cookie_key(server_key: bytes) -> bytes:
    """The key of the cookie MACs, derived from the server's own key (its use named, so it is no other key)."""
    return hmac.new(server_key, _MAC_LABEL, hashlib.sha256).digest()


def _mac(key: bytes, link: CustomerLinkRow, random_part: str, issued_at: str) -> str:
    message = f"{link.salon_id}|{link.id}|{random_part}|{issued_at}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()[:16]).decode().rstrip("=")


def new_secret(key: bytes, link: CustomerLinkRow, now: datetime) -> str:
    """A cookie value for `link`: random part, issue time, and the server's MAC over both and the link."""
    random_part, issued_at = secrets.token_urlsafe(32), format(int(now.timestamp()), "x")
    return f"{random_part}.{issued_at}.{_mac(key, link, random_part, issued_at)}"


def signed_for(key: bytes, link: CustomerLinkRow, secret: str, now: datetime) -> bool:
    """Whether the server issued `secret` for this link, and not so long ago that its session (30 minutes)
    could no longer be renewed (STALE_AFTER later, as rows are forgotten)."""
    parts = secret.split(".")
    if len(parts) != 3:
        return False
    random_part, issued_at, mac = parts
    try:
        issued = int(issued_at, 16)
    except ValueError:
        return False
    if not hmac.compare_digest(mac.encode(), _mac(key, link, random_part, issued_at).encode()):
        return False
    return 0 <= now.timestamp() - issued < (SESSION_LIFETIME + STALE_AFTER).total_seconds()


@dataclass(frozen=True)
class LinkSessionState:
    otp_request_id: str | None
    verified: bool

    @property
    def code_sent(self) -> bool:
        return self.otp_request_id is not None


NO_SESSION = LinkSessionState(None, False)


_SESSIONS = cast(Table, CustomerLinkSessionRow.__table__)
_BY_SECRET = (_SESSIONS.c.salon_id == bindparam("salon"), _SESSIONS.c.secret_hash == bindparam("hash"),
              _SESSIONS.c.link_id == bindparam("link"))
# Built once: read_session runs on every view of the page, and needs the values only (no ORM row).
_FIND = select(CustomerLinkSessionRow).where(*_BY_SECRET)
_READ = select(_SESSIONS.c.otp_request_id, _SESSIONS.c.verified_at, _SESSIONS.c.expires_at).where(*_BY_SECRET)


class _SessionFields(Protocol):
    """What the state of a session is made of: a row, or just its values."""

    @property
    def otp_request_id(self) -> str | None: ...

    @property
    def verified_at(self) -> datetime | None: ...

    @property
    def expires_at(self) -> datetime: ...


def _find(
    session: Session, link: CustomerLinkRow, secret: str | None, now: datetime, *, expired: bool = False
) -> CustomerLinkSessionRow | None:
    if not secret:
        return None
    row = session.scalar(_FIND, {"salon": link.salon_id, "hash": token_hash(secret), "link": link.id})
    return row if row is not None and (expired or row.expires_at > now) else None


def read_session(
    session: Session, key: bytes, link: CustomerLinkRow, secret: str | None, now: datetime
) -> tuple[bool, LinkSessionState]:
    """(whether the server issued this cookie value for this link, the session it names), one statement.
    An expired session still counts as issued: asking for a code renews it."""
    if not secret:
        return False, NO_SESSION
    row = session.execute(_READ, {"salon": link.salon_id, "hash": token_hash(secret), "link": link.id}).first()
    issued = row is not None or signed_for(key, link, secret, now)
    return issued, _state_of(row, now)


def _state_of(row: _SessionFields | None, now: datetime) -> LinkSessionState:
    if row is None or row.expires_at <= now:
        return NO_SESSION
    verified = row.verified_at is not None and now < row.verified_at + VERIFIED_FOR
    return LinkSessionState(row.otp_request_id, verified)


def session_state(
    session: Session, link: CustomerLinkRow, secret: str | None, now: datetime
) -> LinkSessionState:
    return _state_of(_find(session, link, secret, now), now)


def remember_code(
    session: Session, link: CustomerLinkRow, secret: str, request_id: str, now: datetime
) -> None:
    """The browser asked for a code: a new code replaces any earlier one and any earlier verification.
    An expired session of the same cookie is renewed (the secret is unique). The first code of a cookie
    makes its row, and forgets this link's sessions no browser can still hold (the cookie lives
    SESSION_LIFETIME; STALE_AFTER later they are gone)."""
    row = _find(session, link, secret, now, expired=True)
    if row is None:
        session.execute(
            delete(CustomerLinkSessionRow).where(
                CustomerLinkSessionRow.salon_id == link.salon_id,
                CustomerLinkSessionRow.link_id == link.id,
                CustomerLinkSessionRow.expires_at < now - STALE_AFTER,
            )
        )
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
