"""Where the desk keeps its device token (specs/sync.md §3.11): the OS keyring, never SQLite, logs or diagnostics.

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
