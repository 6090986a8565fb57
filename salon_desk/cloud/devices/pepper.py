"""The salon's PIN pepper (domain.pin), derived, never stored: HMAC-SHA256(SALON_PIN_PEPPER_KEY, salon id).

    pepper_hex = salon_pin_pepper(settings.pin_pepper_key_bytes, salon_id).hex()

Every desk of a salon must hash PINs with the same pepper, or a person added on one desk could not sign in on
another. The cloud holds no pepper anywhere: it derives the salon's from its one environment key whenever a
desk enrols (an enrolment code, a rebind code or a provisioning code) and sends it in that answer only
(`sync.protocol.EnrolAnswer.pin_pepper`); the desk keeps it in the OS keyring. It is never logged and never in a
database column. Rotating SALON_PIN_PEPPER_KEY changes every salon's pepper: desks enrolled afterwards could no
longer check the PINs already set, so the key is set once per deployment and kept like the database password.
"""

from __future__ import annotations

import hashlib
import hmac

from ..db import canonical_uuid


def salon_pin_pepper(key: bytes, salon_id: str) -> bytes:
    """32 bytes, the same for one salon on every call, different for every salon and every key."""
    canonical = canonical_uuid(salon_id)
    if canonical is None:
        raise ValueError("not a salon id")
    return hmac.new(key, f"salon-desk pin pepper:{canonical}".encode(), hashlib.sha256).digest()
