"""Where the desk keeps its device token (specs/sync.md §3.11) and its salon's PIN pepper (domain.pin, given by
the cloud at enrolment; see the end of this module): the OS keyring, never SQLite, logs or diagnostics.

    store = KeyringSecretStore()                      # raises InsecureKeyringError on a plaintext/no backend
    store.set(SERVICE, device_id, token); store.get(SERVICE, device_id); store.delete(SERVICE, device_id)

Production refuses a keyring backend that does not protect the secret (keyring's `fail` and `null` backends,
every `keyrings.alt` backend: plaintext or a file next to the user's data) with a typed, translated error.
IT may accept such a backend on purpose (a kiosk without a credential store) with the environment variable
SALON_DESK_ALLOW_INSECURE_KEYRING=1 or `KeyringSecretStore(allow_insecure=True)` from a setting.
Tests install an in-memory backend with `keyring.set_keyring(...)`, or use `MemorySecretStore`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from salon_desk.domain.errors import DomainError
from salon_desk.domain.i18n import N_

if TYPE_CHECKING:
    from salon_desk.domain.pin import Peppers
    from salon_desk.l10n import Localizer

SERVICE = "salon-desk"
ALLOW_INSECURE_ENV = "SALON_DESK_ALLOW_INSECURE_KEYRING"
INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

MESSAGES = {
    "keyring.insecure": N_(
        "This computer has no secure password store ({backend}), so the desk cannot keep its cloud key safe. "
        "IT can set one up, or allow this on purpose with SALON_DESK_ALLOW_INSECURE_KEYRING=1."
    ),
    "keyring.failed": N_("The computer's password store could not be used ({reason})."),
}


class SecretStoreError(DomainError):
    """The secret store cannot be used; `message(l10n)` is the translated sentence."""

    def message(self, l10n: Localizer) -> str:
        return l10n.gettext(MESSAGES[self.code]).format(**self.params)


class InsecureKeyringError(SecretStoreError):
    def __init__(self, backend: str) -> None:
        super().__init__("keyring.insecure", backend=backend)


class SecretStore(Protocol):
    def get(self, service: str, username: str) -> str | None: ...

    def set(self, service: str, username: str, secret: str) -> None: ...

    def delete(self, service: str, username: str) -> None: ...


def backend_name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def is_secure_backend(backend: KeyringBackend) -> bool:
    """False for keyring's fail/null backends, keyrings.alt (plaintext or file) and a chain of only those."""
    inner = getattr(backend, "backends", None)
    if inner is not None:  # keyring.backends.chainer.ChainerBackend
        return any(is_secure_backend(b) for b in inner)
    return not type(backend).__module__.startswith(INSECURE_MODULES)


def insecure_allowed_by_environment() -> bool:
    return os.environ.get(ALLOW_INSECURE_ENV, "").strip().lower() in {"1", "true", "yes"}


class KeyringSecretStore:
    """The OS keyring (Windows Credential Manager, macOS Keychain, Secret Service) behind `keyring`."""

    def __init__(self, backend: KeyringBackend | None = None, *, allow_insecure: bool = False) -> None:
        self._backend = backend or keyring.get_keyring()
        if not is_secure_backend(self._backend) and not (allow_insecure or insecure_allowed_by_environment()):
            raise InsecureKeyringError(backend_name(self._backend))

    @property
    def backend(self) -> str:
        return backend_name(self._backend)

    def get(self, service: str, username: str) -> str | None:
        try:
            return self._backend.get_password(service, username)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError("keyring.failed", reason=type(exc).__name__) from None

    def set(self, service: str, username: str, secret: str) -> None:
        try:
            self._backend.set_password(service, username, secret)
        except keyring.errors.KeyringError as exc:  # never chain: the exception may quote the secret
            raise SecretStoreError("keyring.failed", reason=type(exc).__name__) from None

    def delete(self, service: str, username: str) -> None:
        try:
            self._backend.delete_password(service, username)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError("keyring.failed", reason=type(exc).__name__) from None


class MemorySecretStore:
    """For tests and the demo: secrets live only as long as the object."""

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}

    def get(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set(self, service: str, username: str, secret: str) -> None:
        self._secrets[(service, username)] = secret

    def delete(self, service: str, username: str) -> None:
        self._secrets.pop((service, username), None)


# -- the salon's PIN pepper (domain.pin): in the keyring, never in the database or a log
#
#   "pin-pepper:{salon_id}"           the salon's pepper (hex): the cloud's, from enrolment (or, on a desk that
#                                     has not enrolled yet, its own, made at first use)
#   "pin-pepper-previous:{salon_id}"  peppers this desk used before enrolment gave it the salon's (hex, spaces):
#                                     kept only to verify the hashes they made until each is rewritten

PIN_PEPPER_USER = "pin-pepper:{salon_id}"
PIN_PEPPER_PREVIOUS_USER = "pin-pepper-previous:{salon_id}"
MAX_PREVIOUS_PEPPERS = 8


def _pepper_hex(text: str | None) -> bytes | None:
    from salon_desk.domain.pin import PEPPER_BYTES

    try:
        value = bytes.fromhex(text or "")
    except ValueError:
        return None
    return value if len(value) == PEPPER_BYTES else None


def pin_peppers(store: SecretStore, salon_id: str) -> Peppers:
    """The salon's peppers from the keyring. A desk that holds none yet (it has not enrolled: the first desk of
    a salon working before it joins the cloud) makes its own; enrolment replaces it with the salon's
    (`adopt_pin_pepper`) and keeps it as a previous one."""
    from salon_desk.domain.pin import Peppers, new_pepper

    user = PIN_PEPPER_USER.format(salon_id=salon_id)
    current = _pepper_hex(store.get(SERVICE, user))
    if current is None:
        current = new_pepper()
        store.set(SERVICE, user, current.hex())
    previous = store.get(SERVICE, PIN_PEPPER_PREVIOUS_USER.format(salon_id=salon_id)) or ""
    old = tuple(p for p in (_pepper_hex(text) for text in previous.split()) if p is not None)
    return Peppers(current, old)


def pin_pepper(store: SecretStore, salon_id: str) -> bytes:
    """The salon's current pepper (created on first use, see `pin_peppers`)."""
    return pin_peppers(store, salon_id).current


def adopt_pin_pepper(store: SecretStore, salon_id: str, pepper_hex: str) -> bool:
    """Makes the pepper the cloud gave at enrolment this desk's pepper for the salon. A different one held
    before is kept as a previous pepper (the hashes it made still verify here and are rewritten at the next
    sign-in). Returns True when the pepper changed. Raises ValueError for anything but 32 bytes of hex."""
    pepper = _pepper_hex(pepper_hex)
    if pepper is None:
        raise ValueError("not a PIN pepper")
    user = PIN_PEPPER_USER.format(salon_id=salon_id)
    held = _pepper_hex(store.get(SERVICE, user))
    if held == pepper:
        return False
    if held is not None:  # written first: a crash in between leaves the old pepper current, nothing lost
        previous_user = PIN_PEPPER_PREVIOUS_USER.format(salon_id=salon_id)
        kept = [held.hex(), *(store.get(SERVICE, previous_user) or "").split()]
        unique = [h for i, h in enumerate(kept) if h not in kept[:i] and h != pepper.hex()]
        store.set(SERVICE, previous_user, " ".join(unique[:MAX_PREVIOUS_PEPPERS]))
    store.set(SERVICE, user, pepper.hex())
    return True


class SalonPinPepper:
    """The unit of work's `pin_pepper` provider: salon id -> its peppers, read from the keyring at each use
    (an enrolment during this run changes them; sign-in is rare and scrypt costs far more than the read)."""

    def __init__(self, store: SecretStore | None) -> None:
        self._store = store

    def __call__(self, salon_id: str) -> Peppers:
        from salon_desk.domain.pin import Peppers

        if self._store is None:
            return Peppers(b"")  # no secure keyring (IT allowed none): unpeppered, like before
        return pin_peppers(self._store, salon_id)
