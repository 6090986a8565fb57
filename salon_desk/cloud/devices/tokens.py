"""Device tokens and enrolment codes: how they are made and the only form in which they are stored.

Tokens are 32 random bytes (urlsafe base64) prefixed `sd_dev_` so leak scanners can find them; the server
keeps only their SHA-256 (a high-entropy secret needs no slow KDF) and compares digests in constant time.

Since issue #14 a token names its salon: `sd_dev_<salon id: 22 characters of base64url><secret: 43>`, so
the lookup that authenticates a desk is scoped by salon like every other statement (a database distributed
by salon routes it to one shard). Same alphabet as before (log redaction and leak scanners still match it);
the salon part is not secret; the digest covers the whole token. Tokens issued before (`sd_dev_<secret>`,
43 characters) keep working until the desk rotates or re-enrols.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.i18n import N_

TOKEN_PREFIX = "sd_dev_"
SALON_PART = 22  # base64url of the salon id's 16 bytes, unpadded
SECRET_LENGTH = 43  # token_urlsafe(32)
ENROLMENT_CODE_DIGITS = 8

MESSAGES = {
    "token_invalid": N_("This desk is not recognised. A manager can enrol it again."),
    "device_revoked": N_("This desk was removed from the salon; a manager can re-enrol it."),
}


def salon_part(salon_id: str) -> str:
    """The salon id as 22 URL-safe characters (what tokens carry in front of their secret)."""
    return base64.urlsafe_b64encode(uuid.UUID(salon_id).bytes).decode("ascii").rstrip("=")


def salon_of_part(part: str) -> str | None:
    """The salon id `salon_part` encoded, or None when `part` is not one."""
    if len(part) != SALON_PART:
        return None
    try:
        return str(uuid.UUID(bytes=base64.urlsafe_b64decode(part + "==")))
    except ValueError:
        return None


def new_device_token(salon_id: str) -> str:
    return f"{TOKEN_PREFIX}{salon_part(salon_id)}{secrets.token_urlsafe(32)}"


def has_device_token_form(token: str) -> bool:
    """Whether `token` could be a device token at all (checked before any lookup)."""
    return token.startswith(TOKEN_PREFIX)


def token_salon(token: str) -> str | None:
    """The salon a device token names; None for a token issued before issue #14 (or not one of ours)."""
    body = token.removeprefix(TOKEN_PREFIX)
    if not token.startswith(TOKEN_PREFIX) or len(body) != SALON_PART + SECRET_LENGTH:
        return None
    return salon_of_part(body[:SALON_PART])


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_enrolment_code() -> str:
    return f"{secrets.randbelow(10**ENROLMENT_CODE_DIGITS):0{ENROLMENT_CODE_DIGITS}d}"


def clean_enrolment_code(typed: str) -> str:
    """What people type or read aloud: Arabic-Indic digits, spaces and dashes ("1234 5678") are fine."""
    return "".join(ch for ch in normalize_digits(typed) if ch not in " -")


def enrolment_code_digest(code: str) -> bytes:
    # Deterministic (looked up by digest). The code lives 10 minutes and is single use.
    return hashlib.sha256(b"salon-desk-enrolment:" + code.encode("utf-8")).digest()
