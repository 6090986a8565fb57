"""PIN hashes tagged with their pepper (domain.pin) and the keyring's record of the salon's peppers (secrets):
a hash made with a desk's pre-enrolment pepper still verifies there and is rewritten with the salon's; a desk
without that pepper can tell it cannot check the hash; nothing prints a pepper."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from salon_desk.domain import pin as pins
from salon_desk.secrets import (
    PIN_PEPPER_PREVIOUS_USER,
    PIN_PEPPER_USER,
    SERVICE,
    MemorySecretStore,
    SalonPinPepper,
    adopt_pin_pepper,
    pin_peppers,
)

SALON = "0190a3c4-0000-7000-8000-000000000001"
OWN, SALONS = b"o" * 32, b"s" * 32


def test_a_hash_names_its_pepper_and_verifies_only_with_it() -> None:
    stored = pins.hash_pin("5827", SALONS)
    assert stored.startswith(f"pin3${pins.pepper_id(SALONS)}$")
    assert pins.verify_pin("٥٨٢٧", stored, SALONS) and not pins.verify_pin("5828", stored, SALONS)
    assert not pins.verify_pin("5827", stored, OWN) and not pins.knows_pepper(stored, OWN)
    assert not pins.needs_rehash(stored, SALONS)


def test_an_old_peppers_hash_verifies_and_asks_to_be_rewritten_with_the_salons() -> None:
    ring = pins.Peppers(SALONS, (OWN,))
    old = pins.hash_pin("5827", OWN)
    assert pins.knows_pepper(old, ring) and pins.verify_pin("5827", old, ring)
    assert pins.needs_rehash(old, ring) and not pins.needs_rehash(pins.hash_pin("5827", ring), ring)
    assert pins.hash_pin("5827", ring).startswith(f"pin3${pins.pepper_id(SALONS)}$")


def test_older_forms_still_verify_and_are_rewritten() -> None:
    salt = b"\x01" * 16
    keyed = hmac.new(OWN, b"5827", hashlib.sha256).digest()
    untagged = f"pin2$16384$8$1${salt.hex()}${hashlib.scrypt(keyed, salt=salt, n=2**14, r=8, p=1).hex()}"
    legacy = f"scrypt$4096$8$1${salt.hex()}${hashlib.scrypt(b'5827', salt=salt, n=2**12, r=8, p=1).hex()}"
    ring = pins.Peppers(SALONS, (OWN,))
    for stored in (untagged, legacy):
        assert pins.knows_pepper(stored, ring) and pins.verify_pin("5827", stored, ring)
        assert pins.needs_rehash(stored, ring) and not pins.verify_pin("1111", stored, ring)
    assert not pins.verify_pin("5827", "pin3$zz$1$2", ring) and not pins.verify_pin("5827", "", ring)


def test_peppers_never_print() -> None:
    ring = pins.Peppers(SALONS, (OWN,))
    assert SALONS.hex() not in repr(ring) and repr(SALONS) not in repr(ring) and pins.pepper_id(SALONS) in repr(ring)


def test_enrolment_keeps_the_desks_own_pepper_as_a_previous_one() -> None:
    store = MemorySecretStore()
    own = pin_peppers(store, SALON).current  # a desk before enrolment makes its own
    assert pin_peppers(store, SALON).current == own and pin_peppers(store, SALON).previous == ()
    assert adopt_pin_pepper(store, SALON, SALONS.hex())
    assert SalonPinPepper(store)(SALON) == pins.Peppers(SALONS, (own,))
    assert not adopt_pin_pepper(store, SALON, SALONS.hex())  # re-enrolment: the same pepper, nothing moves
    assert store.get(SERVICE, PIN_PEPPER_PREVIOUS_USER.format(salon_id=SALON)) == own.hex()
    for bad in ("", "ab" * 16, "zz" * 32):
        with pytest.raises(ValueError):
            adopt_pin_pepper(store, SALON, bad)
    assert store.get(SERVICE, PIN_PEPPER_USER.format(salon_id=SALON)) == SALONS.hex()


def test_a_desk_enrolled_straight_away_has_no_previous_pepper() -> None:
    store = MemorySecretStore()
    assert adopt_pin_pepper(store, SALON, SALONS.hex())
    assert pin_peppers(store, SALON) == pins.Peppers(SALONS)
