"""Salons' Moyasar keys, sealed at rest with AES-256-GCM under SALON_PAYMENTS_KEY (from the environment).

The salon id and the key's purpose are the associated data: a sealed value copied into another salon's row,
or from the webhook-secret column into the secret-key column, fails to open. Opened keys live only in the
call that needs them; they are never logged, never returned by an API, never in repr().
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
VERSION = b"\x01"


class KeyBoxError(Exception):
    """SALON_PAYMENTS_KEY is missing or malformed, or a sealed value does not open under it."""


def new_master_key() -> str:
    """A fresh SALON_PAYMENTS_KEY value (urlsafe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class KeyBox:
    def __init__(self, master_key: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(master_key.encode())
        except (binascii.Error, ValueError) as error:
            raise KeyBoxError("SALON_PAYMENTS_KEY is not base64") from error
        if len(raw) != 32:
            raise KeyBoxError("SALON_PAYMENTS_KEY must hold 32 bytes (urlsafe base64)")
        self._aead = AESGCM(raw)
        self._mac_key = hashlib.sha256(b"salon-desk/payments/mac/v1" + raw).digest()

    def __repr__(self) -> str:
        return "KeyBox(<sealed>)"

    def seal(self, salon_id: str, purpose: str, secret: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, secret.encode(), _aad(salon_id, purpose))

    def mac(self, message: bytes) -> bytes:
        """HMAC-SHA256 under a key derived from SALON_PAYMENTS_KEY (pay link tokens)."""
        return hmac.new(self._mac_key, message, hashlib.sha256).digest()

    def open(self, salon_id: str, purpose: str, sealed: bytes) -> str:
        if not sealed.startswith(VERSION):
            raise KeyBoxError("unknown sealed format")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, _aad(salon_id, purpose)).decode()
        except InvalidTag as error:
            raise KeyBoxError("a sealed key did not open (wrong SALON_PAYMENTS_KEY or moved row)") from error


def _aad(salon_id: str, purpose: str) -> bytes:
    return f"salon-desk/payments/v1/{salon_id}/{purpose}".encode()
