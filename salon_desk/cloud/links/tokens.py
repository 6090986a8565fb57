"""Link tokens and browser-session secrets: random, URL-safe, stored only as sha256.

A token is 32 random bytes (256 bits), so guessing one is hopeless and a leaked database holds no link.

Since issue #14 a link token starts with its salon (22 characters: the salon id's 16 bytes in base64url),
then the 43-character secret, so resolving a link is scoped by salon like every other statement. Links sent
before (43 characters, no salon) keep working until they expire. The hash covers the whole token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from ..devices.tokens import SALON_PART, salon_of_part, salon_part

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything else is not one of ours (cheap 404 before the database).
SECRET_LENGTH = 43
TOKEN_LENGTH = SALON_PART + SECRET_LENGTH  # what new links carry
LEGACY_TOKEN_LENGTH = SECRET_LENGTH  # links sent before issue #14
_LINK_IN_TEXT = re.compile(rf"(/b/)(?:[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}|[A-Za-z0-9_-]{{{LEGACY_TOKEN_LENGTH}}})")
REDACTED = "••••"


def new_token(salon_id: str) -> str:
    return salon_part(salon_id) + secrets.token_urlsafe(TOKEN_BYTES)


def token_salon(token: str) -> str | None:
    """The salon a link token names; None for a link sent before issue #14."""
    return salon_of_part(token[:SALON_PART]) if len(token) == TOKEN_LENGTH else None


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def looks_like_token(token: str) -> bool:
    return len(token) in {TOKEN_LENGTH, LEGACY_TOKEN_LENGTH} and all(c.isalnum() or c in "-_" for c in token)


def csrf_token(session_secret: str, link_token: str) -> str:
    """The per-page form token: derived from the browser's own cookie, which another site cannot read."""
    return hmac.new(session_secret.encode(), b"csrf:" + link_token.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def redact_links(text: str) -> str:
    """`…/b/<token>` -> `…/b/••••`: what stored and replicated message bodies keep (the SMS sent carries
    the real link; only its sha256 is kept, so a database or desk copy holds no working link)."""
    return _LINK_IN_TEXT.sub(r"\g<1>" + REDACTED, text)
