"""Link tokens and browser-session secrets: random, URL-safe, stored only as sha256.

A token is 32 random bytes (256 bits), so guessing one is hopeless and a leaked database holds no link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything else is not one of ours (cheap 404 before the database).
TOKEN_LENGTH = 43
_LINK_IN_TEXT = re.compile(rf"(/b/)[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
REDACTED = "••••"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def looks_like_token(token: str) -> bool:
    return len(token) == TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in token)


def csrf_token(session_secret: str, link_token: str) -> str:
    """The per-page form token: derived from the browser's own cookie, which another site cannot read."""
    return hmac.new(session_secret.encode(), b"csrf:" + link_token.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def redact_links(text: str) -> str:
    """`…/b/<token>` -> `…/b/••••`: what stored and replicated message bodies keep (the SMS sent carries
    the real link; only its sha256 is kept, so a database or desk copy holds no working link)."""
    return _LINK_IN_TEXT.sub(r"\g<1>" + REDACTED, text)
