"""Desk PINs: the policy (4–6 digits, nothing trivially guessable), peppered hashing, and lock-out back-off.

A PIN hash is replicated to every desk of the salon, and a 4–6 digit PIN would fall to an offline guess in
seconds, so the hash is keyed with the salon's *pepper*: a 32-byte key kept in the OS keyring, never in a
database column or a log. The cloud derives it (HMAC-SHA256 of its SALON_PIN_PEPPER_KEY and the salon id) and
hands it to each desk only in the answer to a successful enrolment, so every desk of a salon holds the same one.
Stored form (`PEPPERED`), tagged with the id of the pepper that made it::

    pin3$<pepper id>$<n>$<r>$<p>$<salt hex>$<scrypt(HMAC-SHA256(pepper, pin), salt) hex>

A desk that made hashes before it enrolled made them with its own pepper; enrolment keeps that one as a
*previous* pepper (`Peppers.previous`), so those hashes still verify on that desk and are rewritten with the
salon's pepper at the person's next sign-in (`needs_rehash`), which sync then carries to the other desks. A desk
that does not hold a hash's pepper cannot check it at all (`knows_pepper`): it says so rather than "wrong PIN".
Older forms still verify and are rewritten the same way: `pin2$<n>$<r>$<p>$<salt>$<digest>` (peppered, untagged:
every known pepper is tried) and the unpeppered `scrypt$<n>$<r>$<p>$<salt>$<digest>`.
Pure computation: no keyring, clock or database here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .digits import normalize_digits
from .errors import Forbidden, ValidationError
from .i18n import N_

MIN_LENGTH, MAX_LENGTH = 4, 6
PEPPERED = "pin3"
UNTAGGED = "pin2"  # peppered, without the pepper's id (the first desk-user builds)
LEGACY = "scrypt"
# scrypt cost: ~16 MiB and a few tens of ms per check; a stolen hash without the pepper is useless anyway.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PEPPER_BYTES = 32
PEPPER_ID_HEX = 8

# Lock-out: the first FREE_ATTEMPTS wrong PINs cost nothing; then each further one locks the person (or the
# elevation) for BASE_LOCK, doubling, up to MAX_LOCK.
FREE_ATTEMPTS = 4
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
DEFAULT_IDLE_LOCK = timedelta(minutes=5)

# PINs people pick first (besides runs and repeats, which `is_guessable` finds by shape).
_COMMON = frozenset(
    {"2580", "0852", "1004", "2000", "1122", "6969", "1010", "2001", "1998", "1999", "1313", "5683", "0007",
     "112233", "123321", "159753", "147258", "111222", "010203", "102030", "786786", "7860"}
)

MESSAGES = {
    "pin.required": N_("Please enter the PIN."),
    "pin.not_digits": N_("A PIN is made of digits only."),
    "pin.length": N_("A PIN has 4 to 6 digits."),
    "pin.guessable": N_("This PIN is too easy to guess (like 1234 or 0000). Please choose another."),
    "pin.wrong": N_("Wrong PIN."),
    "pin.locked": N_("Too many wrong PINs. Try again after {until_time}."),
    "pin.no_manager": N_("That is not the PIN of a manager who may allow this."),
    "pin.other_pepper": N_(
        "This desk cannot check this PIN yet: it was set on a desk before that desk joined the salon's cloud. "
        "Sign in once on that desk, or ask a manager to reset the PIN."
    ),
}


def normalize_pin(text: str) -> str:
    """The PIN as ASCII digits: Arabic-Indic and Persian digits, bidi marks and spaces are accepted."""
    return "".join(normalize_digits(text or "").split())


def _is_run(pin: str) -> bool:
    steps = {(int(b) - int(a)) for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {-1}, {0})


def _is_repeat(pin: str) -> bool:
    return any(len(pin) % k == 0 and pin == pin[:k] * (len(pin) // k) for k in (1, 2, 3) if k < len(pin))


def is_guessable(pin: str) -> bool:
    """All one digit, a straight run up or down (1234, 9876), a repeated pattern (1212, 123123), a common pick."""
    return _is_run(pin) or _is_repeat(pin) or pin in _COMMON


def check_new_pin(text: str) -> str:
    """The normalised PIN, or a ValidationError naming what is wrong with it."""
    pin = normalize_pin(text)
    if not pin:
        raise ValidationError("pin.required")
    if not pin.isascii() or not pin.isdigit():
        raise ValidationError("pin.not_digits")
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise ValidationError("pin.length")
    if is_guessable(pin):
        raise ValidationError("pin.guessable")
    return pin


def new_pepper() -> bytes:
    return secrets.token_bytes(PEPPER_BYTES)


def pepper_id(pepper: bytes) -> str:
    """A short public name for a pepper (8 hex): tags the hashes it made, reveals nothing of it."""
    return hmac.new(pepper, b"salon-desk pin pepper id", hashlib.sha256).hexdigest()[:PEPPER_ID_HEX]


@dataclass(frozen=True, slots=True)
class Peppers:
    """The salon's pepper (`current`: every new hash) and the ones this desk used before it enrolled
    (`previous`: only to verify the hashes they made). Never printed: repr shows ids only."""

    current: bytes = field(repr=False)
    previous: tuple[bytes, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, peppers: bytes | Peppers) -> Peppers:
        return peppers if isinstance(peppers, Peppers) else cls(peppers)

    def all(self) -> tuple[bytes, ...]:
        return (self.current, *(p for p in self.previous if p != self.current))

    def by_id(self, wanted: str) -> bytes | None:
        return next((p for p in self.all() if hmac.compare_digest(pepper_id(p), wanted)), None)

    def __repr__(self) -> str:
        return f"Peppers(current={pepper_id(self.current)}, previous={[pepper_id(p) for p in self.previous]})"


def hash_pin(pin: str, pepper: bytes | Peppers, *, salt: bytes | None = None) -> str:
    """A new hash of `pin` with the salon's (current) pepper, tagged with that pepper's id."""
    key = Peppers.of(pepper).current
    pin = normalize_pin(pin)
    salt = salt or secrets.token_bytes(16)
    keyed = hmac.new(key, pin.encode(), hashlib.sha256).digest()
    digest = hashlib.scrypt(keyed, salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"{PEPPERED}${pepper_id(key)}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _parts(stored: str) -> tuple[str, str | None, list[str]] | None:
    """(scheme, pepper id or None, [n, r, p, salt, digest]) of a stored hash; None when malformed."""
    parts = stored.split("$")
    if parts[0] == PEPPERED and len(parts) == 7:
        return parts[0], parts[1], parts[2:]
    if parts[0] in (UNTAGGED, LEGACY) and len(parts) == 6:
        return parts[0], None, parts[1:]
    return None


def knows_pepper(stored: str, peppers: bytes | Peppers) -> bool:
    """False only for a tagged hash whose pepper this desk does not hold (made on a desk before it enrolled):
    it cannot be checked here at all, so it is neither right nor wrong."""
    parts = _parts(stored)
    return parts is None or parts[1] is None or Peppers.of(peppers).by_id(parts[1]) is not None


def verify_pin(pin: str, stored: str, peppers: bytes | Peppers) -> bool:
    """True when `pin` matches `stored` (any form). Constant-time compare; malformed or unknown pepper -> False."""
    pin = normalize_pin(pin)
    parts = _parts(stored)
    if parts is None:
        return False
    scheme, tag, (n, r, p, salt_hex, digest_hex) = parts
    try:
        salt, digest, cost = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex), (int(n), int(r), int(p))
    except ValueError:
        return False
    if not (2 <= cost[0] <= 2**20 and 1 <= cost[1] <= 32 and 1 <= cost[2] <= 16):
        return False
    ring = Peppers.of(peppers)
    if scheme == LEGACY:
        candidates: list[bytes] = [pin.encode()]
    else:
        keys = ring.all() if tag is None else [k for k in [ring.by_id(tag)] if k is not None]
        candidates = [hmac.new(key, pin.encode(), hashlib.sha256).digest() for key in keys]
    matched = False
    for secret in candidates:
        computed = hashlib.scrypt(secret, salt=salt, n=cost[0], r=cost[1], p=cost[2], maxmem=2**27)
        matched |= hmac.compare_digest(computed, digest)
    return matched


def needs_rehash(stored: str, peppers: bytes | Peppers | None = None) -> bool:
    """Rewrite after the next correct PIN: an older form, a cheaper-than-current cost, or (given the desk's
    peppers) a pepper other than the salon's current one."""
    parts = _parts(stored)
    if parts is None or parts[0] != PEPPERED or parts[2][:3] != [str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]:
        return True
    return peppers is not None and parts[1] != pepper_id(Peppers.of(peppers).current)


@dataclass(frozen=True, slots=True)
class Attempts:
    """Wrong PINs in a row for one subject (a person signing in, or someone asking for a manager's PIN)."""

    failures: int = 0
    last_failure_at: datetime | None = None


def locked_until(attempts: Attempts) -> datetime | None:
    """When the subject may try again, or None when it is not locked."""
    extra = attempts.failures - FREE_ATTEMPTS
    if extra < 1 or attempts.last_failure_at is None:
        return None
    lock: timedelta = min(BASE_LOCK * int(2 ** min(extra - 1, 16)), MAX_LOCK)
    return attempts.last_failure_at + lock


def check_not_locked(attempts: Attempts, now: datetime) -> None:
    until = locked_until(attempts)
    if until is not None and now < until:
        raise Forbidden("pin.locked", until_time=until)


def after_failure(attempts: Attempts, now: datetime) -> Attempts:
    return Attempts(attempts.failures + 1, now)
