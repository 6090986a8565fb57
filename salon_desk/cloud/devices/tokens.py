"""Device tokens and enrolment codes: how they are made and the only form in which they are stored.

Tokens are 32 random bytes (urlsafe base64) prefixed `sd_dev_` so leak scanners can find them; the server
keeps only their SHA-256 (a high-entropy secret needs no slow KDF) and compares digests in constant time.
"""

from __future__ import annotations

import hashlib
import secrets

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.i18n import N_

TOKEN_PREFIX = "sd_dev_"
ENROLMENT_CODE_DIGITS = 8

MESSAGES = {
    "token_invalid": N_("This desk is not recognised. A manager can enrol it again."),
    "device_revoked": N_("This desk was removed from the salon; a manager can re-enrol it."),
}


def new_device_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


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
